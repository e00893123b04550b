import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformanceCases, fixturesDir, runCli } from '../helpers.js';

const before = readFileSync(join(fixturesDir, 'diff', 'env-a.llb'), 'utf8');
const after = readFileSync(join(fixturesDir, 'diff', 'env-b.llb'), 'utf8');

function workdir(text = before): string {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-check-'));
  writeFileSync(join(dir, 'build.llb'), text);
  return dir;
}

for (const golden of ['golden.pb', 'golden.json', 'golden.jsonl']) {
  test(`--check ${golden}: missing, created with --update, passing, failing with a diff, updated`, () => {
    const dir = workdir();
    const check = (...extra: string[]) => runCli(['build', 'build.llb', '--check', golden, ...extra], { cwd: dir });

    const missing = check();
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`cannot read ${golden.replace('.', '\\.')}: no such file \\(run with --update to create it\\)`));

    const created = check('--update');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.length, 0);
    assert.equal(created.stderr, `llbc: created ${golden}\n`);
    const expected = golden.endsWith('.pb') ? runCli(['build.llb'], { cwd: dir }).stdout : runCli(['dump', 'build.llb'], { cwd: dir }).stdout;
    assert.ok(readFileSync(join(dir, golden)).equals(expected), 'the golden file is in its own format');

    const pass = check();
    assert.equal(pass.code, 0, pass.stderr);
    assert.equal(pass.stdout.length, 0);
    assert.equal(pass.stderr, '');

    writeFileSync(join(dir, 'build.llb'), after);
    const fail = check();
    assert.equal(fail.code, 1);
    assert.equal(fail.stderr, '');
    assert.equal(
      fail.stdout.toString(),
      [
        `--- ${golden}`,
        '+++ build.llb (compiled)',
        "~ exec sh -c 'echo $MODE $LEVEL > /config' (sha256:9b50ab1e8183 -> sha256:8a621309e97b)",
        '    exec.meta.env[0]: "MODE=debug" -> "MODE=release"',
        '~ exec cat /config (sha256:6b9ac7444e5a -> sha256:09197576bb8b)',
        '    exec.meta.env[0]: "MODE=debug" -> "MODE=release"',
        '2 changed, 0 added, 0 removed',
        '',
      ].join('\n'),
    );

    const updated = check('--update');
    assert.equal(updated.code, 0);
    assert.equal(updated.stdout.toString(), fail.stdout.toString(), '--update shows what it changes');
    assert.equal(updated.stderr, `llbc: updated ${golden}\n`);
    assert.equal(check().code, 0);
  });
}

test('a comment-only edit passes a dump golden but not a .pb golden (the .pb holds the source map)', () => {
  const dir = workdir();
  const check = (golden: string, ...extra: string[]) => runCli(['build', 'build.llb', '--check', golden, ...extra], { cwd: dir });
  assert.equal(check('golden.pb', '--update').code, 0);
  assert.equal(check('golden.json', '--update').code, 0);
  writeFileSync(join(dir, 'build.llb'), `# a new comment line\n${before}`);
  assert.equal(check('golden.json').code, 0);
  const pb = check('golden.pb');
  assert.equal(pb.code, 1);
  assert.equal(
    pb.stdout.toString(),
    '--- golden.pb\n+++ build.llb (compiled)\nthe ops and their metadata are the same; the source maps differ (the build file text or its lines)\n',
  );
});

test('a golden .pb compiled with --no-debug-info holds exactly the conformance bytes', () => {
  const c = conformanceCases().find((x) => x.name === 'buildkit0')!;
  const dir = workdir(c.text);
  const r = runCli(['build', 'build.llb', '--no-debug-info', '--check', 'golden.pb', '--update'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(join(dir, 'golden.pb')).equals(c.pb));
  assert.equal(runCli(['build', 'build.llb', '--no-debug-info', '--check', join(c.llbPath.replace(/\.llb$/, '.pb'))], { cwd: dir }).code, 0);
  assert.equal(runCli(['build', 'build.llb', '--no-debug-info', '--check', join(c.llbPath.replace(/\.llb$/, '.json'))], { cwd: dir }).code, 0);
  // With debug info the same file differs from the golden by its step names only.
  const named = runCli(['build', 'build.llb', '--check', join(c.llbPath.replace(/\.llb$/, '.json'))], { cwd: dir });
  assert.equal(named.code, 1);
  const fields = named.stdout.toString().split('\n').filter((l) => l.startsWith('    '));
  assert.ok(fields.length > 0 && fields.every((l) => /^ {4}metadata\.(description\["llb\.customname"\]|caps\["meta\.description"\]): /.test(l)), fields.join('\n'));
});

test('a reformatted dump golden is a difference, and is said to be one', () => {
  const dir = workdir();
  assert.equal(runCli(['build', 'build.llb', '--check', 'golden.json', '--update'], { cwd: dir }).code, 0);
  writeFileSync(join(dir, 'golden.json'), readFileSync(join(dir, 'golden.json'), 'utf8').replace(/\n/g, '\n\n'));
  const r = runCli(['build', 'build.llb', '--check', 'golden.json'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stdout.toString(), /the golden dump has the same ops but not as `llbc dump` prints them/);
});

test('--check with -o also writes the Definition; other names go by their content', () => {
  const dir = workdir();
  assert.equal(runCli(['build', 'build.llb', '--check', 'golden.pb', '--update'], { cwd: dir }).code, 0);
  writeFileSync(join(dir, 'golden.bin'), readFileSync(join(dir, 'golden.pb')));
  const r = runCli(['build', 'build.llb', '--check', 'golden.bin', '-o', 'out.pb'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(join(dir, 'out.pb')).equals(readFileSync(join(dir, 'golden.pb'))));
});

test('mistakes: --update alone, an unnamed new golden file, a build file as golden, a bad build file', () => {
  const dir = workdir();
  const alone = runCli(['build', 'build.llb', '--update'], { cwd: dir });
  assert.equal(alone.code, 1);
  assert.match(alone.stderr, /--update needs --check GOLDEN/);
  const unnamed = runCli(['build', 'build.llb', '--check', 'golden', '--update'], { cwd: dir });
  assert.equal(unnamed.code, 1);
  assert.match(unnamed.stderr, /cannot tell the golden file's format from "golden": name it \.pb, \.json or \.jsonl/);
  assert.equal(existsSync(join(dir, 'golden')), false);
  const llb = runCli(['build', 'build.llb', '--check', 'build.llb'], { cwd: dir });
  assert.equal(llb.code, 1);
  assert.match(llb.stderr, /build\.llb is a build file, not a golden \.pb or dump/);
  writeFileSync(join(dir, 'broken.llb'), 'FROM alpine\nRUNN x\n');
  const broken = runCli(['build', 'broken.llb', '--check', 'golden.pb', '--update'], { cwd: dir });
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^broken\.llb:2:1: error: unknown instruction "RUNN"/);
  assert.equal(existsSync(join(dir, 'golden.pb')), false);
});
