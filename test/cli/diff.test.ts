import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { fixturesDir, runCli } from '../helpers.js';
import { diffGraphs, renderDiff } from '../../src/debug/diff.js';
import { buildGraph } from '../../src/debug/graph.js';
import { decodeDefinition } from '../../src/wire/decode.js';
import { compileText } from '../helpers.js';

const diffDir = join(fixturesDir, 'diff');
const cases = readdirSync(diffDir)
  .filter((f) => f.endsWith('-a.llb'))
  .map((f) => f.slice(0, -'-a.llb'.length))
  .sort();

test('every diff case has its expected output', () => {
  assert.deepEqual(cases, ['env', 'equal', 'mount', 'one-op', 'reordered']);
});

for (const name of cases) {
  for (const variant of ['', '.no-debug-info']) {
    const golden = join(diffDir, `${name}${variant}.diff`);
    if (!existsSync(golden)) continue;
    test(`llbc diff ${variant ? '--no-debug-info ' : ''}${name}-a.llb ${name}-b.llb matches ${name}${variant}.diff`, () => {
      const flags = variant ? ['--no-debug-info'] : [];
      const r = runCli(['diff', ...flags, `${name}-a.llb`, `${name}-b.llb`], { cwd: diffDir });
      const expected = readFileSync(golden, 'utf8');
      // Warnings about the build files, when the case has them.
      const warnings = join(diffDir, `${name}.stderr`);
      assert.equal(r.stderr, existsSync(warnings) ? readFileSync(warnings, 'utf8') : '');
      assert.equal(r.stdout.toString('utf8'), expected);
      assert.equal(r.code, expected === '' ? 0 : 1);
    });
  }
}

test('a Definition compared with itself is equal, whatever form each side is in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-diff-'));
  const llb = join(diffDir, 'env-a.llb');
  const pb = join(dir, 'env-a.pb');
  writeFileSync(pb, runCli([llb]).stdout);
  const json = join(dir, 'env-a.json');
  writeFileSync(json, runCli(['dump', llb]).stdout);
  for (const [a, b] of [[llb, llb], [llb, pb], [pb, llb], [pb, json], [json, llb]]) {
    const r = runCli(['diff', a, b]);
    assert.equal(r.stdout.toString(), '', `${a} vs ${b}`);
    assert.equal(r.code, 0, `${a} vs ${b}: ${r.stderr}`);
  }
});

test('a .pb and a .llb differ as their compiled forms do; either side may be standard input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-diff-'));
  const pb = join(dir, 'a.pb');
  writeFileSync(pb, runCli([join(diffDir, 'env-a.llb'), '--no-debug-info']).stdout);
  const r = runCli(['diff', '--no-debug-info', pb, 'env-b.llb'], { cwd: diffDir });
  assert.equal(r.code, 1);
  assert.match(r.stdout.toString(), new RegExp(`^--- ${pb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n\\+\\+\\+ env-b.llb\n`));
  assert.match(r.stdout.toString(), /exec\.meta\.env\[0\]: "MODE=debug" -> "MODE=release"/);
  const stdin = runCli(['diff', '--no-debug-info', '-', 'env-b.llb'], { cwd: diffDir, stdin: readFileSync(pb) });
  assert.equal(stdin.code, 1);
  assert.equal(stdin.stdout.toString(), r.stdout.toString().replace(pb, '<stdin>'));
});

test('swapping the sides swaps additions and removals', () => {
  const r = runCli(['diff', '--no-debug-info', 'one-op-b.llb', 'one-op-a.llb'], { cwd: diffDir });
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout.toString(),
    '--- one-op-b.llb\n+++ one-op-a.llb\n- exec go vet ./... (sha256:f92c238bf7b0)\n0 changed, 0 added, 1 removed\n',
  );
});

test('a changed base image and a replaced COPY source pair up by position and likeness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-diff-'));
  writeFileSync(join(dir, 'a.llb'), 'FROM alpine:3.18\nRUN apk add git\nRUN git --version\nCOPY --from=alpine:3.18 /etc/os-release /x\n');
  writeFileSync(join(dir, 'b.llb'), 'FROM alpine:3.19\nRUN apk add git curl\nRUN git --version\nCOPY --from=busybox /etc/os-release /x\n');
  const r = runCli(['diff', '--no-debug-info', 'a.llb', 'b.llb'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout.toString(),
    [
      '--- a.llb',
      '+++ b.llb',
      '~ image docker.io/library/alpine:3.19 (sha256:b6cf26070eb1 -> sha256:bab54a7772ca)',
      '    source.identifier: "docker-image://docker.io/library/alpine:3.18" -> "docker-image://docker.io/library/alpine:3.19"',
      '~ exec apk add git curl (sha256:1917598a333a -> sha256:10cc8df4c7e9)',
      '    exec.meta.args[3]: (none) -> "curl"',
      '+ image docker.io/library/busybox:latest (sha256:08a03f3ffe5f)',
      '2 changed, 1 added, 0 removed',
      '',
    ].join('\n'),
  );
});

test('an input rewired between ops that exist on both sides is shown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-diff-'));
  const stages = 'FROM alpine AS one\nRUN echo one\nFROM alpine AS two\nRUN echo two\nFROM scratch\n';
  writeFileSync(join(dir, 'a.llb'), `${stages}COPY --from=one /a /a\nCOPY --from=two /b /b\n`);
  writeFileSync(join(dir, 'b.llb'), `${stages}COPY --from=two /a /a\nCOPY --from=one /b /b\n`);
  const r = runCli(['diff', '--no-debug-info', '--copy=file', 'a.llb', 'b.llb'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout.toString(),
    [
      '--- a.llb',
      '+++ b.llb',
      '~ file copy /a -> /a (sha256:e378f41321ca -> sha256:5b43f5352ef6)',
      '    inputs[0]: (exec echo one) -> (exec echo two)',
      '~ file copy /b -> /b (sha256:c5791f84da98 -> sha256:c2a95840e4f6)',
      '    inputs[1]: (exec echo two) -> (exec echo one)',
      '2 changed, 0 added, 0 removed',
      '',
    ].join('\n'),
  );
});

test('the output is the same every time', () => {
  const args = ['diff', 'reordered-a.llb', 'reordered-b.llb'];
  const first = runCli(args, { cwd: diffDir }).stdout;
  for (let i = 0; i < 3; i++) assert.ok(runCli(args, { cwd: diffDir }).stdout.equals(first));
});

test('exit status 2, with the reason on stderr, when an input cannot be read or compiled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-diff-'));
  writeFileSync(join(dir, 'bad.llb'), 'FROM alpine\nRUNN echo\n');
  writeFileSync(join(dir, 'bad.pb'), Buffer.from([0x0a, 0x05, 0x01]));
  const compileError = runCli(['diff', 'bad.llb', join(diffDir, 'env-a.llb')], { cwd: dir });
  assert.equal(compileError.code, 2);
  assert.equal(compileError.stdout.length, 0);
  assert.match(compileError.stderr, /^bad\.llb:2:1: error: unknown instruction "RUNN"/);
  const missing = runCli(['diff', 'nope.llb', join(diffDir, 'env-a.llb')], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read nope\.llb: no such file/);
  const notPb = runCli(['diff', join(diffDir, 'env-a.llb'), 'bad.pb'], { cwd: dir });
  assert.equal(notPb.code, 2);
  assert.match(notPb.stderr, /bad\.pb is not a pb\.Definition/);
  const twoStdin = runCli(['diff', '-', '-']);
  assert.equal(twoStdin.code, 2);
  assert.match(twoStdin.stderr, /only one of the inputs can be standard input/);
  const badFlag = runCli(['diff', '--platform', 'nope', 'a.llb', 'b.llb']);
  assert.equal(badFlag.code, 2);
  const usage = runCli(['diff', 'only-one.llb']);
  assert.equal(usage.code, 2, usage.stderr);
  assert.match(usage.stderr, /missing required argument/);
});

test('colors only on a terminal: never in a pipe, never with NO_COLOR', () => {
  const piped = runCli(['diff', 'env-a.llb', 'env-b.llb'], { cwd: diffDir, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.equal(piped.code, 1);
  assert.doesNotMatch(piped.stdout.toString(), /\x1b\[/);
  const a = buildGraph(decodeDefinition(compileText(readFileSync(join(diffDir, 'env-a.llb'), 'utf8'))));
  const b = buildGraph(decodeDefinition(compileText(readFileSync(join(diffDir, 'env-b.llb'), 'utf8'))));
  const entries = diffGraphs(a, b);
  const colored = renderDiff(entries, { a: 'a', b: 'b' }, new Chalk({ level: 1 }));
  const plain = renderDiff(entries, { a: 'a', b: 'b' }, new Chalk({ level: 0 }));
  assert.match(colored, /\x1b\[33m~ exec/, 'changed ops in yellow');
  assert.match(colored, /\x1b\[31m"MODE=debug"\x1b\[39m -> \x1b\[32m"MODE=release"/, 'old value red, new green');
  assert.equal(colored.replace(/\x1b\[\d+m/g, ''), plain);
});
