import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { encodeAny, encodeBytesInBlocks, encodeInBlocks, encodeMessage, fieldHeader } from '../../src/wire/encode.js';
import { repoRoot } from '../helpers.js';

// llbc encodes with protobufjs, generating only the encoders and making values canonical first.
// Stock protobufjs, on a schema of its own, given values that are already canonical (map keys
// sorted, no unpaired surrogates, no bigints), is the reference; where canonicalization is the
// point, the expected bytes are written out.

const shipped = JSON.parse(readFileSync(join(repoRoot, 'dist', 'src', 'wire', 'llb.json'), 'utf8'));
const reference = protobuf.Root.fromJSON(shipped);

function same(typeName: string, value: object): void {
  const ours = Buffer.from(encodeAny(typeName, value));
  const theirs = Buffer.from(reference.lookupType(`pb.${typeName}`).encode(value).finish());
  assert.equal(ours.toString('hex'), theirs.toString('hex'), `${typeName} ${JSON.stringify(value)}`);
}

function hex(typeName: string, value: object): string {
  return Buffer.from(encodeAny(typeName, value)).toString('hex');
}

test('messages are typed: a misspelled field or a wrong enum value does not compile', () => {
  // Were these accepted, the encoder would leave the unknown field out, silently: the ExecOp's
  // network below would be the default, sandbox.
  const misspelled = () =>
    encodeMessage('Op', {
      // @ts-expect-error: pb.Op has `exec`, not `exce`.
      exce: { network: 1 },
    });
  assert.equal(misspelled().length, 0);
  // @ts-expect-error: pb.NetMode is 0, 1 or 2.
  const badEnum = () => encodeMessage('ExecOp', { network: 7 });
  assert.equal(hex('ExecOp', { network: 7 }), Buffer.from(badEnum()).toString('hex'));
  // @ts-expect-error: no message type pb.Exec.
  assert.throws(() => encodeMessage('Exec', {}), /no message type pb\.Exec/);
  assert.equal(Buffer.from(encodeMessage('Op', { exec: { network: 1 } })).toString('hex'), '12021801');
});

test('the schema the build ships is llb.proto, parsed', () => {
  const parsed = protobuf.parse(readFileSync(join(repoRoot, 'src', 'wire', 'llb.proto'), 'utf8'), { keepCase: true }).root.toJSON();
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(parsed)));
});

test('scalars: zero values are left out, negative int32 and int64 take ten bytes', () => {
  same('Mount', { input: -1, selector: '', dest: '/', output: 0, readonly: false, mountType: 0 });
  same('Mount', { input: 3, dest: '/x', output: -1, readonly: true, mountType: 4, TmpfsOpt: { size: 2 ** 40 } });
  same('FileActionMkDir', { path: '/a', mode: -1, makeParents: true, timestamp: -1 });
  same('SecretOpt', { ID: 's', uid: 0xffffffff, gid: 0, mode: 0o400, optional: true });
  same('Input', { digest: 'sha256:00', index: 2 ** 52 });
  assert.equal(hex('Mount', { input: 0, selector: '', output: 0, readonly: false, mountType: 0, dest: undefined, resultID: null }), '');
});

test('64-bit integers may be bigints', () => {
  assert.equal(hex('FileActionMkDir', { mode: -1, timestamp: 2n ** 60n + 1n }), '10ffffffffffffffffff0128818080808080808010');
  assert.equal(hex('FileActionMkDir', { timestamp: -(2n ** 62n) - 1n }), '28ffffffffffffffffbf01');
  assert.equal(hex('FileActionMkDir', { timestamp: 0n }), '');
  assert.equal(hex('Input', { index: 2n ** 40n }), hex('Input', { index: 2 ** 40 }));
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

test('map entries are written in key order, given as objects, Maps or lists of entries', () => {
  assert.equal(hex('OpMetadata', { caps: { b: true, a: false }, description: {} }), '2a050a016110002a050a01621001');
  same('OpMetadata', { caps: { a: true, b: true } });
  assert.equal(hex('OpMetadata', { caps: new Map([['b', true], ['a', true]]) }), hex('OpMetadata', { caps: { a: true, b: true } }));
  const entries = [
    { key: 'b', value: true },
    { key: 'a', value: false },
  ];
  assert.equal(hex('OpMetadata', { caps: entries }), hex('OpMetadata', { caps: { a: false, b: true } }));
  assert.deepEqual(entries.map((e) => e.key), ['b', 'a'], 'a list given is not sorted in place');
});

test('integer-like map keys are sorted as strings, not listed first as JavaScript does', () => {
  // "1a" < "9" < "a" < "b", by bytes.
  assert.equal(hex('SourceOp', { attrs: { b: '1', 10: 'x', 9: 'y', a: '2', '1a': 'z' } }), '12070a02313012017812070a02316112017a12060a013912017912060a016112013212060a0162120131');
  assert.equal(hex('SourceOp', { attrs: new Map([['2', 'two'], ['10', 'ten'], ['', 'empty']]) }), '12090a001205656d70747912090a023130120374656e12080a0132120374776f');
});

test('map keys are in the order of their UTF-8 bytes, as Go sorts them, not of their UTF-16 code units', () => {
  // U+FFFD is EF BF BD, U+1F600 F0 9F 98 80; in UTF-16 the emoji (D83D DE00) comes first.
  const entry = (k: string, v: string) => hex('SourceOp', { attrs: { [k]: v } });
  assert.equal(hex('SourceOp', { attrs: { '😀': 'b', '\uFFFD': 'a' } }), entry('\uFFFD', 'a') + entry('😀', 'b'));
  assert.equal(hex('SourceOp', { attrs: new Map([['😀', 'b'], ['\uE000', 'a']]) }), entry('\uE000', 'a') + entry('😀', 'b'));
});

test('keys that differ only in unpaired surrogates are one key, the last given', () => {
  assert.equal(hex('SourceOp', { attrs: new Map([['\uD800', 'first'], ['\uFFFD', 'second']]) }), hex('SourceOp', { attrs: { '\uFFFD': 'second' } }));
});

test('unpaired surrogates are written as U+FFFD, like any UTF-8 encoder', () => {
  assert.equal(hex('Meta', { cwd: 'a\uD800b' }), hex('Meta', { cwd: 'a\uFFFDb' }));
  // Long strings take another path in protobufjs.
  assert.equal(hex('Meta', { args: ['\uDC41x'.repeat(50)] }), hex('Meta', { args: ['\uFFFDx'.repeat(50)] }));
  assert.equal(hex('SourceOp', { attrs: { '\uD800': 'v\uDFFF' } }), hex('SourceOp', { attrs: { '\uFFFD': 'v\uFFFD' } }));
});

test('blocks of fields put together are the whole message', () => {
  const ops = Array.from({ length: 3000 }, (_, i) => Buffer.alloc(i % 300, i));
  const blocks = [...encodeInBlocks('Definition', ops.map((op) => ({ def: [op] })), 4096)];
  assert.ok(blocks.length > 10 && blocks.every((b) => b.length < 4096 + 310));
  assert.deepEqual(Buffer.concat(blocks), Buffer.from(encodeMessage('Definition', { def: ops })));
});

test('a repeated bytes field in blocks is the field as protobufjs writes it', () => {
  const ops = Array.from({ length: 3000 }, (_, i) => Buffer.alloc(i % 300, i));
  const blocks = [...encodeBytesInBlocks('Definition', 'def', ops, 4096)];
  assert.ok(blocks.length > 10 && blocks.every((b) => b.length < 4096 + 310));
  assert.deepEqual(Buffer.concat(blocks), Buffer.from(reference.lookupType('pb.Definition').encode({ def: ops }).finish()));
  assert.throws(() => [...encodeBytesInBlocks('Definition', 'metadata', ops)], /not a repeated bytes field/);
});

test('a field header and the fields after it are the field', () => {
  const fields = encodeMessage('Source', { infos: [{ filename: 'f', data: Buffer.alloc(300) }] });
  assert.deepEqual(
    Buffer.concat([fieldHeader('Definition', 'Source', fields.length), fields]),
    Buffer.from(encodeMessage('Definition', { Source: { infos: [{ filename: 'f', data: Buffer.alloc(300) }] } })),
  );
});
