import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, runCli } from '../helpers.js';
import { applyUnifiedDiff } from './apply-diff.js';

const ugly = 'from alpine\nrun   echo   hi\n';
const pretty = 'FROM alpine\nRUN echo hi\n';
const broken = 'FROM alpine\nRUNN echo hi\n';

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-fmt-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('fmt FILE prints the formatted file and exits 0', () => {
  const dir = tempDir({ 'a.llb': ugly });
  const r = runCli(['fmt', join(dir, 'a.llb')]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(r.stdout.toString(), pretty);
  assert.equal(readFileSync(join(dir, 'a.llb'), 'utf8'), ugly, 'the file was changed without --write');
});

test('fmt reads standard input with no file, and with -', () => {
  for (const args of [['fmt'], ['fmt', '-']]) {
    const r = runCli(args, { stdin: ugly });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), pretty);
  }
});

test('fmt formats every golden input to its expected output through the CLI', () => {
  const dir = join(fixturesDir, 'fmt');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.llb') && !n.endsWith('.expected.llb'))) {
    const r = runCli(['fmt', join(dir, name)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), readFileSync(join(dir, name.replace(/\.llb$/, '.expected.llb')), 'utf8'), name);
  }
});

test('a syntax error: reported as compilation reports it, exit 2, nothing on stdout, the file untouched', () => {
  const dir = tempDir({ 'bad.llb': broken });
  const path = join(dir, 'bad.llb');
  const compiled = runCli([path]);
  assert.equal(compiled.code, 1);
  for (const mode of [[], ['--check'], ['--diff'], ['--write']]) {
    const r = runCli(['fmt', ...mode, path]);
    assert.equal(r.code, 2, `fmt ${mode.join(' ')}`);
    assert.equal(r.stdout.length, 0);
    assert.equal(r.stderr, compiled.stderr);
    assert.match(r.stderr, /^.*bad\.llb:2:1: error: unknown instruction "RUNN"/);
    assert.equal(readFileSync(path, 'utf8'), broken);
  }
});

test('a file with a NUL byte is refused as compilation refuses it, and left alone', () => {
  const dir = tempDir({ 'bin.llb': 'FROM   alpine\nRUN echo \0\n' });
  const path = join(dir, 'bin.llb');
  const compiled = runCli([path]);
  const r = runCli(['fmt', '--write', path]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, compiled.stderr);
  assert.match(r.stderr, /NUL byte/);
  assert.equal(readFileSync(path, 'utf8'), 'FROM   alpine\nRUN echo \0\n');
});

test('--stdin-filepath names standard input in errors and in --check and --diff output', () => {
  const err = runCli(['fmt', '--stdin-filepath', 'src/app.llb', '-'], { stdin: broken });
  assert.equal(err.code, 2);
  assert.match(err.stderr, /^src\/app\.llb:2:1: error: /);
  const check = runCli(['fmt', '--check', '--stdin-filepath', 'src/app.llb'], { stdin: ugly });
  assert.equal(check.code, 1);
  assert.equal(check.stdout.toString(), 'src/app.llb\n');
  const diff = runCli(['fmt', '--diff', '--stdin-filepath', 'src/app.llb'], { stdin: ugly });
  assert.match(diff.stdout.toString(), /^--- src\/app\.llb\n\+\+\+ src\/app\.llb\n@@ /);
});

test('--check lists the files that are not formatted: exit 1, or 0 when all are', () => {
  const dir = tempDir({ 'ugly.llb': ugly, 'pretty.llb': pretty, 'also-ugly.llb': 'FROM   alpine\n' });
  const files = ['ugly.llb', 'pretty.llb', 'also-ugly.llb'].map((n) => join(dir, n));
  const r = runCli(['fmt', '--check', ...files]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.toString(), `${files[0]}\n${files[2]}\n`);
  assert.equal(r.stderr, '');
  const ok = runCli(['fmt', '--check', files[1]]);
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout.length, 0);
  assert.equal(readFileSync(files[0], 'utf8'), ugly, '--check must not change files');
});

test('--check with a file that does not parse exits 2 even when others are unformatted', () => {
  const dir = tempDir({ 'ugly.llb': ugly, 'bad.llb': broken });
  const r = runCli(['fmt', '--check', join(dir, 'ugly.llb'), join(dir, 'bad.llb')]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout.length, 0);
});

test('--write rewrites unformatted files in place, keeps their permissions and leaves no temporary file', () => {
  const dir = tempDir({ 'ugly.llb': ugly, 'pretty.llb': pretty });
  chmodSync(join(dir, 'ugly.llb'), 0o640);
  const prettyBefore = statSync(join(dir, 'pretty.llb'));
  const r = runCli(['fmt', '--write', join(dir, 'ugly.llb'), join(dir, 'pretty.llb')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, 0);
  assert.equal(readFileSync(join(dir, 'ugly.llb'), 'utf8'), pretty);
  assert.equal(statSync(join(dir, 'ugly.llb')).mode & 0o777, 0o640);
  // A formatted file is not rewritten at all.
  assert.equal(statSync(join(dir, 'pretty.llb')).ino, prettyBefore.ino);
  assert.equal(statSync(join(dir, 'pretty.llb')).mtimeMs, prettyBefore.mtimeMs);
  assert.deepEqual(readdirSync(dir).sort(), ['pretty.llb', 'ugly.llb']);
  assert.equal(runCli(['fmt', '--check', join(dir, 'ugly.llb')]).code, 0);
});

test('--write replaces the file by renaming a complete copy over it (atomic)', () => {
  const dir = tempDir({ 'a.llb': ugly });
  const before = statSync(join(dir, 'a.llb')).ino;
  assert.equal(runCli(['fmt', '--write', join(dir, 'a.llb')]).code, 0);
  assert.notEqual(statSync(join(dir, 'a.llb')).ino, before, 'the file was written in place, not renamed over');
});

test('--write through a symbolic link rewrites the target and keeps the link', () => {
  const dir = tempDir({ 'real.llb': ugly });
  symlinkSync(join(dir, 'real.llb'), join(dir, 'link.llb'));
  const r = runCli(['fmt', '--write', join(dir, 'link.llb')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lstatSync(join(dir, 'link.llb')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'real.llb'), 'utf8'), pretty);
});

test('--write still rewrites the good files when one does not parse, and exits 2', () => {
  const dir = tempDir({ 'ugly.llb': ugly, 'bad.llb': broken });
  const r = runCli(['fmt', '--write', join(dir, 'ugly.llb'), join(dir, 'bad.llb')]);
  assert.equal(r.code, 2);
  assert.equal(readFileSync(join(dir, 'ugly.llb'), 'utf8'), pretty);
  assert.equal(readFileSync(join(dir, 'bad.llb'), 'utf8'), broken);
});

test('--write with standard input prints the result', () => {
  const r = runCli(['fmt', '--write', '-'], { stdin: ugly });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), pretty);
});

test('--diff prints a unified diff that turns the file into its formatted text; exit 1, or 0 and nothing', () => {
  const dir = join(fixturesDir, 'fmt');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.llb') && !n.endsWith('.expected.llb'))) {
    const path = join(dir, name);
    const r = runCli(['fmt', '--diff', path]);
    assert.equal(r.code, 1, `${name}: ${r.stderr}`);
    const diff = r.stdout.toString();
    assert.ok(diff.startsWith(`--- ${path}\n+++ ${path}\n@@ -`), diff);
    const expected = readFileSync(path.replace(/\.llb$/, '.expected.llb'), 'utf8');
    assert.equal(applyUnifiedDiff(readFileSync(path, 'utf8'), diff), expected, name);
    const clean = runCli(['fmt', '--diff', path.replace(/\.llb$/, '.expected.llb')]);
    assert.equal(clean.code, 0);
    assert.equal(clean.stdout.length, 0);
  }
});

test('--write, --check and --diff do not combine', () => {
  for (const pair of [['--write', '--check'], ['--write', '--diff'], ['--check', '--diff']]) {
    const r = runCli(['fmt', ...pair, '-'], { stdin: ugly });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot be used with/);
  }
});

test('a missing file is reported and exits 2', () => {
  const r = runCli(['fmt', join(tmpdir(), 'no-such-dir-llbc', 'x.llb')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read .*x\.llb: no such file/);
  assert.equal(r.stdout.length, 0);
});

test('fmt does not change what `llbc build` compiles from the formatted file', () => {
  const path = join(fixturesDir, 'fmt', 'continuations.llb');
  const original = runCli([path, '--no-debug-info']);
  const formatted = runCli(['fmt', path]).stdout;
  const recompiled = runCli(['-', '--no-debug-info'], { stdin: formatted });
  assert.equal(original.code, 0, original.stderr);
  assert.ok(recompiled.stdout.equals(original.stdout));
});

test('fmt chooses the mode as build does: --mode, then # mode=, then the file name', () => {
  const run = 'from alpine\nrun   echo   hi\n';
  const kept = 'FROM alpine\nRUN echo   hi\n';
  const dir = tempDir({ Dockerfile: run, 'a.llb': run, 'b.llb': `# mode=dockerfile\n${run}` });
  assert.equal(runCli(['fmt', join(dir, 'Dockerfile')]).stdout.toString(), kept);
  assert.equal(runCli(['fmt', join(dir, 'a.llb')]).stdout.toString(), pretty);
  assert.equal(runCli(['fmt', join(dir, 'b.llb')]).stdout.toString(), `# mode=dockerfile\n${kept}`);
  assert.equal(runCli(['fmt', '--mode', 'dockerfile', join(dir, 'a.llb')]).stdout.toString(), kept);
  assert.equal(runCli(['fmt', '--mode', 'llbc', join(dir, 'Dockerfile')]).stdout.toString(), pretty);
  assert.equal(runCli(['fmt', '--stdin-filepath', 'x/Dockerfile', '-'], { stdin: run }).stdout.toString(), kept);
  const bad = runCli(['fmt', '--mode', 'cobol', join(dir, 'a.llb')]);
  assert.equal(bad.code, 1, 'a usage error');
  assert.match(bad.stderr, /--mode "cobol": use dockerfile or llbc/);
  assert.equal(bad.stdout.length, 0);
});
