import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileText, conformanceCases, fixturesDir, llbcBin, runCli } from '../helpers.js';
import { dumpBytes, dumpPieces } from '../../src/debug/dump.js';
import { decodeDefinition } from '../../src/wire/decode.js';
import { parsePlatform } from '../../src/llb/platform.js';

// The hard requirement: llbc prints exactly what `buildctl debug dump-llb` printed for the
// Go reference Definition.
for (const c of conformanceCases()) {
  test(`llbc dump ${c.set}/${c.name}.pb is ${c.name}.json byte for byte`, () => {
    const r = runCli(['dump', c.llbPath.replace(/\.llb$/, '.pb')]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout.toString('utf8'), c.json);
  });
}

test('dumping a build file compiles it first: without debug info, every conformance .json', () => {
  // In process for all cases (the CLI path is the same code, exercised below and by the .pb cases).
  for (const c of conformanceCases()) {
    const options = c.args.includes('--platform') ? { platform: parsePlatform(c.args[c.args.indexOf('--platform') + 1]) } : {};
    const target = c.args.includes('--target') ? { target: c.args[c.args.indexOf('--target') + 1] } : {};
    const buildArgs = new Map(c.args.flatMap((a, i) => (c.args[i - 1] === '--build-arg' ? [a.split('=') as [string, string]] : [])));
    assert.equal(dumpBytes(compileText(c.text, { ...options, ...target, buildArgs })), c.json, c.name);
  }
  const c = conformanceCases().find((x) => x.args.length > 0)!;
  const r = runCli(['dump', c.llbPath, ...c.args, '--no-debug-info']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString('utf8'), c.json, c.name);
});

test('the dump of a .llb is the dump of the .pb it compiles to (debug info on)', () => {
  for (const file of ['go-app.llb', 'buildkit0.llb']) {
    const path = join(fixturesDir, file);
    const direct = runCli(['dump', path]);
    assert.equal(direct.code, 0, direct.stderr);
    const compiled = runCli([path]).stdout;
    const viaPb = runCli(['dump', '-'], { stdin: compiled });
    assert.equal(viaPb.code, 0, viaPb.stderr);
    assert.ok(direct.stdout.equals(viaPb.stdout), file);
    assert.match(direct.stdout.toString(), /"llb\.customname":"\[build 1\/5\] FROM docker\.io\/library\/golang:1\.21"|"llb\.customname":"\[stage-5 5\/5\] RUN ls -l \/bin"/);
  }
});

test('standard input is recognised as a Definition, a build file or a dump', () => {
  const c = conformanceCases().find((x) => x.name === 'run-tmpfs-secret-ssh')!;
  for (const stdin of [c.pb, c.text, c.json]) {
    const r = runCli(['dump', '--no-debug-info'], { stdin });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString('utf8'), c.json);
  }
});

/** A shell pipeline of llbc commands, each `llbc ARGS`, as a user types it. */
function pipeline(...commands: string[]): { code: number | null; stdout: string; stderr: string } {
  const llbc = `'${process.execPath}' '${llbcBin}'`;
  const r = spawnSync('/bin/sh', ['-c', `set -e; ${commands.map((c) => `${llbc} ${c}`).join(' | ')}`], {
    cwd: fixturesDir,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('`llbc x.llb | llbc dump` dumps the piped Definition, as `buildctl debug dump-llb` does', () => {
  for (const flags of ['', '--no-debug-info']) {
    const piped = pipeline(`buildkit0.llb ${flags}`, 'dump');
    assert.equal(piped.stderr, '');
    assert.equal(piped.code, 0);
    const direct = runCli(['dump', join(fixturesDir, 'buildkit0.llb'), ...(flags ? [flags] : [])]);
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(piped.stdout, direct.stdout.toString('utf8'), `flags: ${flags || '(none)'}`);
    assert.ok(piped.stdout.split('\n').length > 10);
  }
  const c = conformanceCases().find((x) => x.name === 'buildkit0')!;
  const dot = pipeline('buildkit0.llb --no-debug-info', 'dump --dot');
  assert.equal(dot.code, 0, dot.stderr);
  assert.equal((dot.stdout.match(/ \[label=.* shape=/g) ?? []).length, c.json.trim().split('\n').length, 'one node per op');
  // Piped into diff, against the file it was compiled from: the same graph.
  const same = pipeline('go-app.llb', 'diff - go-app.llb');
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout, '');
  const other = pipeline('go-app.llb --build-arg GO_VERSION=1.99', 'diff go-app.llb -');
  assert.equal(other.code, 1, other.stderr);
  assert.match(other.stdout, /^--- go-app\.llb\n\+\+\+ <stdin>\n/);
});

test('a file is a Definition, a build file or a dump by its content, whatever its name', () => {
  const c = conformanceCases().find((x) => x.name === 'run-tmpfs-secret-ssh')!;
  const dir = mkdtempSync(join(tmpdir(), 'llbc-detect-'));
  // Each form under each of the other forms' names.
  for (const [form, bytes] of [['pb', c.pb], ['llb', c.text], ['json', c.json]] as const) {
    for (const ext of ['llb', 'pb', 'json', 'bin']) {
      if (ext === form) continue;
      const file = join(dir, `${form}-as.${ext}`);
      writeFileSync(file, bytes);
      const r = runCli(['dump', '--no-debug-info', file]);
      assert.equal(r.code, 0, `${form} named .${ext}: ${r.stderr}`);
      assert.equal(r.stdout.toString('utf8'), c.json, `${form} named .${ext}`);
    }
  }
  // A build file that starts with a blank line starts with 0x0a, as a Definition does: it is tried as one, and compiled.
  const blank = runCli(['dump', '--no-debug-info', '-'], { stdin: `\n${c.text}` });
  assert.equal(blank.code, 0, blank.stderr);
  assert.equal(blank.stdout.toString('utf8'), c.json);
  // Binary that is not a Definition, whatever its name, is refused as one.
  writeFileSync(join(dir, 'junk.llb'), Buffer.from([0x0a, 0x05, 0x00, 0x01]));
  const junk = runCli(['dump', 'junk.llb'], { cwd: dir });
  assert.equal(junk.code, 1);
  assert.equal(junk.stdout.length, 0);
  assert.match(junk.stderr, /^llbc: error: junk\.llb is not a pb\.Definition: /);
});

test('--dot prints the graph: one node per op, one labelled edge per input', () => {
  const r = runCli(['dump', '--dot', join(fixturesDir, 'go-app.llb')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString('utf8'), readFileSync(join(fixturesDir, 'dump', 'go-app.dot'), 'utf8'));
  const seed = conformanceCases().find((x) => x.name === 'buildkit0')!;
  const pb = runCli(['dump', '--dot', seed.llbPath.replace(/\.llb$/, '.pb')]).stdout.toString();
  assert.match(pb, /\[label="2 \/src"\];/, 'an exec input is labelled with its index and mount point');
  assert.match(pb, /\[label="0 output 1"\];/, 'an input reading another output says so');
  assert.equal((pb.match(/ -> /g) ?? []).length, (seed.json.match(/"digest":/g) ?? []).length, 'one edge per input');
  assert.equal((pb.match(/ \[label=.* shape=/g) ?? []).length, seed.json.trim().split('\n').length, 'one node per op');
});

test('a file that is not a Definition is refused with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-dump-'));
  writeFileSync(join(dir, 'bad.pb'), Buffer.from([0x0a, 0x10, 0x01]));
  const r = runCli(['dump', 'bad.pb'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /bad\.pb is not a pb\.Definition: length runs past the end of the data/);
  writeFileSync(join(dir, 'bad.json'), '{"Op":{"Op":null},"Digest":"sha256:00"}\n');
  const j = runCli(['dump', 'bad.json'], { cwd: dir });
  assert.equal(j.code, 1);
  assert.match(j.stderr, /^bad\.json:1:1: error: not a dump line/);
  const missing = runCli(['dump', 'nope.pb'], { cwd: dir });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read nope\.pb: no such file/);
});

test('a compile error is reported as by build', () => {
  const r = runCli(['dump', '-'], { stdin: 'FROM alpine\nRUN\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^<stdin>:2:4: error: RUN requires a command/);
});

test('a long dump comes in pieces of whole lines, about 64 KB each, that make the dump', () => {
  // Every op of an ADD of many URLs is described by the whole instruction.
  const urls = Array.from({ length: 300 }, (_, i) => `https://example.com/f${i}.tar`).join(' ');
  const bytes = compileText(`FROM alpine\nADD ${urls} /dst/\n`, { debugInfo: true });
  const pieces = [...dumpPieces(decodeDefinition(bytes))];
  const longestLine = Math.max(...dumpBytes(bytes).split('\n').map((l) => Buffer.byteLength(l) + 1));
  assert.ok(pieces.length > 10, `${pieces.length} pieces`);
  for (const p of pieces) {
    assert.ok(p.length < (1 << 16) + longestLine, `a piece of ${p.length} bytes`);
    assert.equal(p[p.length - 1], 0x0a, 'a piece ends a line');
  }
  assert.equal(Buffer.concat(pieces).toString('utf8'), dumpBytes(bytes));
});
