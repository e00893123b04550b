import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { llbcBin, runCli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'llbc-errors-'));

function compileFile(name: string, text: string, extra: string[] = []) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, ...runCli([path, ...extra]) };
}

/** Bad input: exit 1, nothing on stdout, `file:line:col: error: message`, the line, a caret, no stack. */
function assertDiagnostic(r: ReturnType<typeof compileFile>, line: number, col: number, message: RegExp, sourceLine: string) {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout.length, 0);
  const lines = r.stderr.split('\n');
  assert.equal(lines[0].startsWith(`${r.path}:${line}:${col}: error: `), true, lines[0]);
  assert.match(lines[0], message);
  assert.equal(lines[1], `  ${sourceLine}`);
  assert.equal(lines[2].indexOf('^'), 2 + col - 1, `caret under column ${col}: ${JSON.stringify(lines[2])}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test('unknown instruction points at the keyword', () => {
  const r = compileFile('unknown.llb', 'FROM alpine\nRUNN echo hi\n');
  assertDiagnostic(r, 2, 1, /unknown instruction "RUNN"/, 'RUNN echo hi');
});

test('an image-config instruction\'s bad value points at the value', () => {
  const r = compileFile('stopsignal.llb', 'FROM alpine\nSTOPSIGNAL SIGFOO\n');
  assertDiagnostic(r, 2, 12, /Invalid signal: SIGFOO/, 'STOPSIGNAL SIGFOO');
  const p = compileFile('expose.llb', 'FROM alpine\nEXPOSE 80 http\n');
  assertDiagnostic(p, 2, 11, /invalid port "http"/, 'EXPOSE 80 http');
});

test('an unknown flag points at the flag', () => {
  const r = compileFile('flag.llb', 'FROM alpine\nCOPY --frm=x a b\n');
  assertDiagnostic(r, 2, 6, /unknown flag --frm for COPY/, 'COPY --frm=x a b');
});

test('a flag without a value is refused', () => {
  const r = compileFile('flagvalue.llb', 'FROM alpine\nRUN --network echo\n');
  assertDiagnostic(r, 2, 5, /flag --network needs a value/, 'RUN --network echo');
});

test('an unterminated quote points at the opening quote', () => {
  const r = compileFile('quote.llb', 'FROM alpine\nRUN echo "hi there\n');
  assertDiagnostic(r, 2, 10, /unterminated/, 'RUN echo "hi there');
});

test('an unterminated quote on a continuation line points into that line', () => {
  const r = compileFile('quote2.llb', 'FROM alpine\nRUN echo a \\\n    \'b c\n');
  assertDiagnostic(r, 3, 5, /unterminated/, "    'b c");
});

test('an undefined stage index is refused', () => {
  const r = compileFile('index.llb', 'FROM alpine\nCOPY --from=3 /x /y\n');
  assertDiagnostic(r, 2, 13, /undefined stage 3/, 'COPY --from=3 /x /y');
});

test('an undefined --target is refused without output', () => {
  const r = compileFile('target.llb', 'FROM alpine AS a\nRUN true\n', ['--target', 'nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /target stage "nope" not found; stages are: a/);
});

test('a stage cycle is reported at the reference that closes it', () => {
  const r = compileFile('cycle.llb', 'FROM alpine AS a\nCOPY --from=b /x /x\nFROM a AS b\nRUN true\n');
  assertDiagnostic(r, 2, 13, /stage cycle: b -> a -> b/, 'COPY --from=b /x /x');
});

test('a stage name given twice is refused in llbc mode (Dockerfile mode reuses it, as BuildKit does)', () => {
  const text = 'FROM alpine AS a\nRUN true\nFROM busybox AS a\nRUN true\n';
  assertDiagnostic(compileFile('twice.llb', text), 3, 17, /duplicate stage name "a"/, 'FROM busybox AS a');
  const r = compileFile('Dockerfile.twice', text, ['--mode', 'dockerfile']);
  assert.equal(r.code, 0, r.stderr);
});

test('a stage copying from itself is refused', () => {
  const r = compileFile('self.llb', 'FROM alpine AS a\nCOPY --from=a /x /y\n');
  assertDiagnostic(r, 2, 13, /cannot use itself/, 'COPY --from=a /x /y');
});

test('an invalid image reference is refused', () => {
  const r = compileFile('ref.llb', 'FROM Alpine:3\n');
  assertDiagnostic(r, 1, 6, /invalid image reference "Alpine:3".*lowercase/, 'FROM Alpine:3');
  const r2 = compileFile('ref2.llb', 'FROM alpine:\n');
  assertDiagnostic(r2, 1, 6, /invalid image reference "alpine:"/, 'FROM alpine:');
});

test('an invalid image reference in COPY --from is refused', () => {
  const r = compileFile('ref3.llb', 'FROM alpine\nCOPY --from=Bad:Ref /x /y\n');
  assertDiagnostic(r, 2, 13, /invalid image reference "Bad:Ref"/, 'COPY --from=Bad:Ref /x /y');
});

test('a missing file is reported with its name', () => {
  const r = runCli([join(dir, 'does-not-exist.llb')]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /cannot read .*does-not-exist\.llb: no such file/);
});

test('a bad command-line option exits 1 with a message', () => {
  const r = runCli(['--bogus', 'x.llb']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /unknown option '--bogus'/);
});

test('an invalid --platform is refused', () => {
  const r = compileFile('plat.llb', 'FROM alpine\n', ['--platform', 'linux']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /--platform "linux"/);
});

test('instructions before the first FROM other than ARG are refused', () => {
  const r = compileFile('nofrom.llb', 'RUN echo hi\n');
  assertDiagnostic(r, 1, 5, /before the first FROM/, 'RUN echo hi');
});

test('a file without FROM is refused', () => {
  const r = compileFile('empty.llb', '# nothing here\n');
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /no build stage/);
});

test('NUL bytes and invalid UTF-8 are refused cleanly', () => {
  const nul = compileFile('nul.llb', 'FROM alpine\nRUN echo \0\n');
  assert.equal(nul.code, 1);
  assert.equal(nul.stdout.length, 0);
  assert.match(nul.stderr, /:2:10: error: .*NUL byte/);
  const path = join(dir, 'utf8.llb');
  writeFileSync(path, Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xff, 0x0a]));
  const bad = runCli([path]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout.length, 0);
  assert.match(bad.stderr, /:1:6: error: the build file is not valid UTF-8/);
});

test('colors appear only on a terminal, never with NO_COLOR', () => {
  const r = compileFile('color.llb', 'FROM alpine\nRUNN x\n');
  assert.doesNotMatch(r.stderr, /\x1b\[/);
});

test('binary output to a terminal is refused', { skip: spawnSync('script', ['--version']).error !== undefined }, () => {
  // `script` gives the child a real pseudo-terminal as stdout.
  const r = spawnSync('script', ['-qec', `${process.execPath} ${llbcBin} ${join(dir, 'color.llb')}`, '/dev/null'], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 1);
  assert.match(r.stdout.toString(), /refusing to write a binary Definition to a terminal: pipe it into `buildctl build` or use -o FILE/);
});

test('stdin is read with -', () => {
  const r = runCli(['-', '--no-debug-info'], { stdin: 'FROM alpine\n' });
  assert.equal(r.code, 0);
  assert.ok(r.stdout.length > 0);
});

test('an unused --build-arg gets a warning on stderr but still compiles', () => {
  const r = compileFile('warn.llb', 'ARG USED=1\nFROM alpine\n', ['--build-arg', 'USED=2', '--build-arg', 'UNUSED=3']);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.length > 0);
  assert.match(r.stderr, /warning: build-arg UNUSED was not consumed/);
  assert.doesNotMatch(r.stderr, /build-arg USED was not/);
});

test('an -o file that cannot be written is a clear error, not an internal one', () => {
  const src = join(dir, 'ok.llb');
  writeFileSync(src, 'FROM alpine\nRUN true\n');
  for (const [output, why] of [
    [join(dir, 'no-such-dir', 'out.pb'), 'no such directory'],
    [dir, 'is a directory'],
  ]) {
    const r = runCli(['build', src, '-o', output]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout.length, 0);
    assert.equal(r.stderr, `llbc: error: cannot write ${output}: ${why}\n`);
  }
});
