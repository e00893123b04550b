import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modeOfName } from '../src/options.js';
import { compileOptionsFor, modeOf } from '../src/lsp/mode.js';
import { compileText, runCli } from './helpers.js';
import { decodeDefinition } from './lower/ops.js';

// How a build file's language is chosen (README "Coming from Dockerfiles"): --mode, else a
// `# mode=` directive, else the file's name; the compiler, the CLI and the language server agree.

const text = 'FROM alpine\nRUN echo a && echo b > /x\n';

/** The args of the file's one exec. */
function runArgs(source: string, name: string, mode?: 'llbc' | 'dockerfile'): string[] {
  const { ops } = decodeDefinition(compileText(source, mode ? { mode } : {}, name));
  return ops.find((o) => o.op.exec)!.op.exec.meta.args as string[];
}

const shellForm = ['/bin/sh', '-c', 'echo a && echo b > /x'];
const splitForm = ['echo', 'a', '&&', 'echo', 'b', '>', '/x'];

test('a file named Dockerfile, *.Dockerfile or Dockerfile.* is Dockerfile mode; others are llbc mode', () => {
  for (const name of ['Dockerfile', 'dir/Dockerfile', 'app.Dockerfile', 'Dockerfile.dev', 'dockerfile', 'x/APP.DOCKERFILE']) {
    assert.equal(modeOfName(name), 'dockerfile', name);
    assert.deepEqual(runArgs(text, name), shellForm, name);
  }
  for (const name of ['build.llb', 'Dockerfile.d/build.llb', 'Dockerfiles', 'mydockerfile', '<stdin>']) {
    assert.equal(modeOfName(name), 'llbc', name);
    assert.deepEqual(runArgs(text, name), splitForm, name);
  }
});

test('the # mode= directive wins over the name, and --mode over both', () => {
  assert.deepEqual(runArgs(`# mode=dockerfile\n${text}`, 'build.llb'), shellForm);
  assert.deepEqual(runArgs(`# mode=llbc\n${text}`, 'Dockerfile'), splitForm);
  assert.deepEqual(runArgs(`# mode=llbc\n${text}`, 'build.llb', 'dockerfile'), shellForm);
  assert.deepEqual(runArgs(`# mode=dockerfile\n${text}`, 'Dockerfile', 'llbc'), splitForm);
});

test('an unknown mode is a clear error, in the directive and on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llbc-mode-'));
  const file = join(dir, 'build.llb');
  writeFileSync(file, `# mode=docker\n${text}`);
  const directive = runCli(['dump', file]);
  assert.equal(directive.code, 1);
  assert.equal(directive.stdout.length, 0);
  assert.match(directive.stderr, /build\.llb:1:\d+: error: unknown mode "docker" in directive: use mode=dockerfile or mode=llbc/);
  writeFileSync(file, text);
  const flag = runCli(['dump', '--mode', 'make', file]);
  assert.equal(flag.code, 1);
  assert.equal(flag.stdout.length, 0);
  assert.match(flag.stderr, /--mode "make": use dockerfile or llbc/);
  const ok = runCli(['dump', '--mode', 'dockerfile', file]);
  assert.equal(ok.code, 0, ok.stderr);
  const ops = ok.stdout.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(ops.find((o) => o.Op.Op?.exec).Op.Op.exec.meta.args, shellForm);
});

test('the language server picks the same mode and compiles in it', () => {
  assert.equal(modeOf('file:///src/Dockerfile.prod', 'FROM alpine\n'), 'dockerfile');
  assert.equal(modeOf('file:///src/build.llb', '# mode=dockerfile\nFROM alpine\n'), 'dockerfile');
  assert.equal(modeOf('file:///src/Dockerfile', '# mode=llbc\nFROM alpine\n'), 'llb');
  assert.equal(modeOf('file:///src/build.llb', 'FROM alpine\n'), 'llb');
  // An editor's `dockerfile` document (a Containerfile, say) is a Dockerfile unless its directive says not.
  assert.equal(modeOf('file:///src/Containerfile', 'FROM alpine\n', 'dockerfile'), 'dockerfile');
  assert.equal(modeOf('file:///src/Containerfile', '# mode=llbc\nFROM alpine\n', 'dockerfile'), 'llb');
  assert.equal(modeOf('file:///src/Containerfile', 'FROM alpine\n', 'llbc'), 'llb');
  assert.deepEqual(compileOptionsFor('dockerfile'), { mode: 'dockerfile' });
  assert.deepEqual(compileOptionsFor('llb'), { mode: 'llbc' });
});
