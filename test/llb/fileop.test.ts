import { test } from 'node:test';
import assert from 'node:assert/strict';
import { file, FileAction, parseChown } from '../../src/llb/fileop.js';
import { image, local } from '../../src/llb/source.js';
import { State } from '../../src/llb/state.js';
import { definitionOf, lastOp } from './marshal.js';

// A new image op each time: an op marshalled into one Definition is released (see vertex.ts).
const image_ = () => image('docker.io/library/busybox:latest');

test('chained actions: the first reads the base, each later one the result of the one before', () => {
  const ctx = local('context');
  const st = file(image_(), FileAction.mkdir('/a', 0o755).mkdir('/a/b', 0o700, { makeParents: true }).copy(ctx, 'src', '/a/b/'));
  const op = lastOp(st);
  const actions = op.op.file.actions;
  // Inputs: the base, then each copy's source; an action's input past them is an earlier action's result.
  assert.equal(op.inputs.length, 2);
  assert.deepEqual(
    actions.map((a: { input: number; secondaryInput: number; output: number }) => [a.input, a.secondaryInput, a.output]),
    [[0, -1, -1], [2, -1, -1], [3, 1, 0]],
  );
  assert.deepEqual(actions[0].Action.mkdir, { path: '/a', mode: 0o755, timestamp: -1 });
  assert.deepEqual(actions[1].Action.mkdir, { path: '/a/b', mode: 0o700, makeParents: true, timestamp: -1 });
  assert.equal(actions[2].Action.copy.src, '/src');
  assert.equal(actions[2].Action.copy.dest, '/a/b/', 'a trailing slash is kept on the destination');
  assert.deepEqual(op.caps, { 'file.base': true });
});

test('paths: relative ones join the state\'s dir (the copy source the source state\'s); the mode keeps permission bits', () => {
  const src = () => local('context').dir('/in');
  const op = lastOp(file(image_().dir('/work'), FileAction.copy(src(), 'a/../b', 'out/.', { mode: 0o10644 }).mkdir('d', 0o170755)));
  const [copy, mkdir] = op.op.file.actions.map((a: { Action: Record<string, unknown> }) => a.Action);
  assert.equal(copy.copy.src, '/in/b');
  assert.equal(copy.copy.dest, '/work/out/.');
  assert.equal(copy.copy.mode, 0o10644, 'a copy mode is written as given');
  assert.equal(mkdir.mkdir.path, '/work/d');
  assert.equal(mkdir.mkdir.mode, 0o755);
  // No mode: -1, which BuildKit reads as "keep the source's".
  assert.equal(lastOp(file(image_(), FileAction.copy(src(), 'x', '/y'))).op.file.actions[0].Action.copy.mode, -1);
});

test('copy options are written as given, and left out when unset', () => {
  const src = () => local('context');
  const opts = { followSymlinks: true, copyDirContentsOnly: true, attemptUnpack: true, createDestPath: true, allowWildcard: true, allowEmptyWildcard: true };
  const copy = lastOp(file(image_(), FileAction.copy(src(), '*.go', '/src/', opts))).op.file.actions[0].Action.copy;
  assert.deepEqual(copy, {
    src: '/*.go',
    dest: '/src/',
    mode: -1,
    followSymlink: true,
    dirCopyContents: true,
    attemptUnpackDockerCompatibility: true,
    createDestPath: true,
    allowWildcard: true,
    allowEmptyWildcard: true,
    timestamp: -1,
  });
  const bare = lastOp(file(image_(), FileAction.copy(src(), 'a', '/b'))).op.file.actions[0].Action.copy;
  assert.deepEqual(Object.keys(bare).sort(), ['dest', 'mode', 'src', 'timestamp']);
});

test('owners: ids, root, and names looked up in the base (its input number)', () => {
  assert.deepEqual(parseChown('1000:1000'), { user: { id: 1000 }, group: { id: 1000 } });
  assert.deepEqual(parseChown('root'), { user: { id: 0 }, group: undefined });
  assert.deepEqual(parseChown('app:-1'), { user: { name: 'app' }, group: { id: 0xffffffff } });
  const src = local('context');
  const op = lastOp(file(image_(), FileAction.copy(src, 'a', '/b', { chown: parseChown('app:0') })));
  assert.deepEqual(op.op.file.actions[0].Action.copy.owner, { user: { User: { byName: { name: 'app', input: 0 } } }, group: { User: {} } }, 'Go prints the oneof of id 0 so');
  // Over scratch there is no base to look a name up in: input -1.
  const scratch = lastOp(file(State.scratch(), FileAction.mkdir('/d', 0o755, { chown: parseChown('app') })));
  assert.equal(scratch.op.file.actions[0].input, -1);
  assert.deepEqual(scratch.op.file.actions[0].Action.mkdir.owner, { user: { User: { byName: { name: 'app', input: -1 } } } });
});

test('a copy from the state it copies into reads it once', () => {
  const op = lastOp(file(image_(), FileAction.copy(image_(), '/etc/passwd', '/p')));
  assert.equal(op.inputs.length, 1);
  assert.equal(op.op.file.actions[0].input, 0);
  assert.equal(op.op.file.actions[0].secondaryInput, 0);
  // Scratch as both: no input at all.
  const none = lastOp(file(State.scratch(), FileAction.copy(State.scratch(), '/', '/')));
  assert.deepEqual([none.inputs.length, none.op.file.actions[0].input, none.op.file.actions[0].secondaryInput], [0, -1, -1]);
  assert.equal(definitionOf(file(image_(), FileAction.copy(image_(), 'a', 'b'))).ops.length, 3);
});
