import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/compile.js';
import { SourceFile } from '../../src/diagnostics.js';
import { compileText, runCli } from '../helpers.js';
import { execs } from './ops.js';

const dir = mkdtempSync(join(tmpdir(), 'llbc-shellform-'));

function warnings(text: string, name = 'build.llb') {
  return compile(new SourceFile(name, text), { debugInfo: false }).warnings.map((w) => ({ at: w.file!.position(w.offset), length: w.length, message: w.message }));
}

test('llbc mode: a RUN with a shell operator warns at the operator, file:line:column and a caret, and says what happens', () => {
  const path = join(dir, 'ops.llb');
  writeFileSync(path, 'FROM alpine\nRUN make && make install > /log\n');
  const r = runCli(['build', path, '-o', join(dir, 'ops.pb')]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n');
  assert.match(lines[0], new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:10: warning: "&&" is not a shell operator here`));
  // What llbc does, and the three ways to a shell.
  assert.match(lines[0], /without a shell and passes it to the program as \(part of\) an argument/);
  assert.match(lines[0], /sh -c '\.\.\.'/);
  assert.match(lines[0], /SHELL \["\/bin\/sh", "-c"\]/);
  assert.match(lines[0], /Dockerfile mode/);
  assert.equal(lines[1], '  RUN make && make install > /log');
  assert.equal(lines[2], '           ^~');
});

test('the warning points at the first operator, on a continuation line too, for every kind of operator', () => {
  assert.deepEqual(warnings('FROM alpine\nRUN apk add git \\\n    curl | tee /x\n'), [
    { at: { line: 3, column: 10 }, length: 1, message: warnings('FROM a\nRUN a | b\n')[0].message },
  ]);
  for (const [cmd, op] of [
    ['a || b', '||'],
    ['a; b', ';'],
    ['wc < /x', '<'],
    ['echo "$(date)"', '$('],
    ['echo `date`', '`'],
  ]) {
    const found = warnings(`FROM alpine\nRUN ${cmd}\n`);
    assert.equal(found.length, 1, cmd);
    assert.equal(found[0].at.column, 5 + cmd.indexOf(op), cmd);
    assert.equal(found[0].length, op.length, cmd);
    assert.ok(found[0].message.startsWith(`"${op}" is not a shell operator`), found[0].message);
  }
});

test('no warning where nothing is lost: quoted operators, the JSON form, sh -c, a SHELL in the stage, Dockerfile mode', () => {
  for (const quiet of [
    'FROM alpine\nRUN echo "a && b" \'c | d\'\n',
    'FROM alpine\nRUN ["sh", "-c", "a && b"]\n',
    "FROM alpine\nRUN sh -c 'a && b'\n",
    'FROM alpine\nSHELL ["/bin/sh", "-c"]\nRUN a && b\n',
    'FROM alpine AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\nRUN a && b\n',
  ]) {
    assert.deepEqual(warnings(quiet), [], quiet);
  }
  assert.deepEqual(warnings('FROM alpine\nRUN a && b\n', 'Dockerfile'), []);
  assert.deepEqual(warnings('# mode=dockerfile\nFROM alpine\nRUN a && b\n'), []);
});

test('the warning changes nothing: the operator reaches the program as an argument, as the JSON form would pass it', () => {
  const shell = compileText('FROM alpine\nARG V=1\nRUN echo $V && ls > /x\n');
  const json = compileText('FROM alpine\nARG V=1\nRUN ["echo", "1", "&&", "ls", ">", "/x"]\n');
  assert.deepEqual(shell, json);
  assert.deepEqual(execs('FROM alpine\nARG V=1\nRUN echo $V && ls > /x\n').map((e) => e.meta.args), [['echo', '1', '&&', 'ls', '>', '/x']]);
});

test('after SHELL, llbc mode runs the shell form through that shell, unexpanded, as a Dockerfile does', () => {
  const text = 'FROM alpine\nARG V=1\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nRUN echo $V && ls > /x\n';
  assert.deepEqual(execs(text).map((e) => e.meta.args), [['/bin/bash', '-eo', 'pipefail', '-c', 'echo $V && ls > /x']]);
});
