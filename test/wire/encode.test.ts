import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { encodeMessage, LazyMap } from '../../src/wire/encode.js';
import { messageType } from '../../src/wire/schema.js';
import { repoRoot } from '../helpers.js';

// llbc encodes with its own small schema interpreter; protobufjs, given the same values, is the
// reference. (Map keys are given in sorted order, which protobufjs keeps and llbc enforces.)

function same(typeName: string, value: object): void {
  const ours = Buffer.from(encodeMessage(typeName, value));
  const theirs = Buffer.from(messageType(typeName).encode(value).finish());
  assert.equal(ours.toString('hex'), theirs.toString('hex'), `${typeName} ${JSON.stringify(value)}`);
}

test('the schema the build ships is llb.proto, parsed', () => {
  const shipped = JSON.parse(readFileSync(join(repoRoot, 'dist', 'src', 'wire', 'llb.json'), 'utf8'));
  const parsed = protobuf.parse(readFileSync(join(repoRoot, 'src', 'wire', 'llb.proto'), 'utf8'), { keepCase: true }).root.toJSON();
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(parsed)));
});

test('scalars: zero values are left out, negative int32 and int64 take ten bytes', () => {
  same('Mount', { input: -1, selector: '', dest: '/', output: 0, readonly: false, mountType: 0 });
  same('Mount', { input: 3, dest: '/x', output: -1, readonly: true, mountType: 4, TmpfsOpt: { size: 2 ** 40 } });
  same('FileActionMkDir', { path: '/a', mode: -1, makeParents: true, timestamp: -1 });
  same('SecretOpt', { ID: 's', uid: 0xffffffff, gid: 0, mode: 0o400, optional: true });
  same('Input', { digest: 'sha256:00', index: 2 ** 52 });
});

test('oneof members are written even when zero, sub-messages even when empty', () => {
  same('UserOpt', { byID: 0 });
  same('UserOpt', { byName: { name: 'app', input: 0 } });
  same('Op', { inputs: [{ digest: 'd', index: 0 }], exec: { meta: {} }, constraints: {} });
  same('Op', { file: { actions: [] }, platform: { Architecture: 'arm64', OS: 'linux', Variant: '' } });
});

test('repeated fields and maps', () => {
  same('Meta', { args: ['sh', '', '-c', 'échø 😀'], env: [], cwd: '/' });
  same('OpMetadata', { caps: { 'exec.meta.base': true, 'source.image': false }, description: { 'llb.customname': 'x' } });
  same('SourceOp', { identifier: 'docker-image://alpine', attrs: { a: '', b: 'c' } });
  same('Source', { locations: { d1: { locations: [] }, d2: { locations: [{ sourceIndex: 0, ranges: [{ start: { line: 1 }, end: { line: 3 } }] }] } } });
});

test('lengths of one, two and three bytes', () => {
  for (const n of [0, 127, 128, 16383, 16384, 200_000]) {
    same('Meta', { args: ['a'.repeat(n)], cwd: 'é'.repeat(n >> 1) });
    same('Definition', { def: [Buffer.alloc(n, 7)], Source: { infos: [{ filename: 'f', data: Buffer.alloc(n, 1), language: 'llb' }] } });
  }
});

test('maps may be given as Maps, unsorted, or made entry by entry', () => {
  const ours = encodeMessage('OpMetadata', { caps: new Map([['b', true], ['a', true]]) });
  assert.deepEqual(Buffer.from(ours), Buffer.from(messageType('OpMetadata').encode({ caps: { a: true, b: true } }).finish()));
  const lazy = encodeMessage('SourceOp', { attrs: new LazyMap(() => ['y', 'x'], (k) => k.toUpperCase()) });
  assert.deepEqual(Buffer.from(lazy), Buffer.from(messageType('SourceOp').encode({ attrs: { x: 'X', y: 'Y' } }).finish()));
});

test('unpaired surrogates are written as U+FFFD, like any UTF-8 encoder', () => {
  const bytes = encodeMessage('Meta', { cwd: 'a\uD800b' });
  assert.deepEqual(Buffer.from(bytes), Buffer.from(messageType('Meta').encode({ cwd: 'a\uFFFDb' }).finish()));
});
