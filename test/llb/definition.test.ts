import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SourceFile } from '../../src/diagnostics.js';
import { compileInPieces } from '../../src/compile.js';
import { newConstraints } from '../../src/llb/constraints.js';
import { Definition, marshal } from '../../src/llb/definition.js';
import { run } from '../../src/llb/exec.js';
import { file, FileAction } from '../../src/llb/fileop.js';
import { image, local } from '../../src/llb/source.js';
import { State } from '../../src/llb/state.js';
import { encodeDefinitionPieces } from '../../src/wire/definition.js';
import { decodeDefinition, decodeMessage } from '../../src/wire/decode.js';
import { encodeAny, encodeMessage } from '../../src/wire/encode.js';
import { goJSON } from '../../src/wire/json.js';
import { fixturesDir } from '../helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { amd64, definitionOf } from './marshal.js';

const busybox = () => image('docker.io/library/busybox:latest');

/** A diamond: two execs over one base, joined by a copy. */
function diamond(arg = 'a'): State {
  const base = busybox();
  const left = run(base, { args: ['echo', arg] }).root();
  const right = run(base, { args: ['echo', 'b'] }).root();
  return file(left, FileAction.copy(right, '/out', '/in'));
}

test('ops come in dependency order, each once, then a terminal op reading the result', () => {
  const { ops } = definitionOf(diamond());
  assert.equal(ops.length, 5, 'image, two execs, the copy, the terminal op');
  const seen = new Set<string>();
  for (const op of ops) {
    for (const input of op.inputs) assert.ok(seen.has(input.digest), 'an input is written before the op reading it');
    assert.ok(!seen.has(op.digest), 'each op once');
    seen.add(op.digest);
  }
  const terminal = ops[4];
  assert.deepEqual(terminal.op, null);
  assert.deepEqual(terminal.inputs, [{ digest: ops[3].digest, index: 0 }]);
  assert.deepEqual(terminal.caps, { constraints: true, platform: true });
  // Post-order, inputs in the order the op lists them: the left exec before the right.
  assert.deepEqual(ops[1].op.exec.meta.args, ['echo', 'a']);
  assert.deepEqual(ops[2].op.exec.meta.args, ['echo', 'b']);
  assert.deepEqual(ops[3].inputs.map((i) => i.digest), [ops[1].digest, ops[2].digest]);
});

test('digests: the sha256 of the op\'s bytes, stable across marshals, changed by any change below', () => {
  const a = definitionOf(diamond());
  const again = definitionOf(diamond());
  assert.deepEqual(again.bytes, a.bytes, 'same graph, same bytes');
  const raw = decodeMessage('Definition', a.bytes).def as Uint8Array[];
  raw.forEach((bytes, i) => assert.equal(a.ops[i].digest, `sha256:${createHash('sha256').update(bytes).digest('hex')}`));
  const b = definitionOf(diamond('z'));
  assert.equal(b.ops[0].digest, a.ops[0].digest, 'the image is unchanged');
  assert.notEqual(b.ops[1].digest, a.ops[1].digest);
  assert.equal(b.ops[2].digest, a.ops[2].digest, 'the other branch is unchanged');
  assert.notEqual(b.ops[3].digest, a.ops[3].digest, 'the copy reads a changed input');
  assert.notEqual(b.ops[4].digest, a.ops[4].digest);
});

test('metadata: every op has an entry by digest; names and caps merge for an op reached twice; descriptions add a terminal cap', () => {
  const named = (name: string) => ({ constraints: { metadata: { caps: {}, description: { 'llb.customname': name } } } });
  const base = image('docker.io/library/busybox:latest', named('from'));
  // The same image op, named apart: one op, metadata merged (the later name wins).
  const other = image('docker.io/library/busybox:latest', named('again'));
  const st = file(run(base, { args: ['true'], ...named('run') }).root(), FileAction.copy(other, '/a', '/b'));
  const { ops } = definitionOf(st);
  assert.equal(ops.length, 4);
  assert.deepEqual(ops[0].description, { 'llb.customname': 'again' });
  assert.deepEqual(ops[0].caps, { 'source.image': true });
  assert.deepEqual(ops[1].description, { 'llb.customname': 'run' });
  assert.equal(ops[2].description, undefined);
  assert.deepEqual(ops[3].caps, { constraints: true, platform: true, 'meta.description': true });
});

test('a local source carries the marshal-wide unique id; the platform comes from the constraints', () => {
  const { ops } = definitionOf(local('context'), newConstraints({ platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, localUniqueID: 'u1' }));
  assert.deepEqual(ops[0].op.source, { identifier: 'local://context', attrs: { 'local.unique': 'u1' } });
  assert.deepEqual(ops[0].caps, { 'source.local': true, 'source.local.unique': true });
  // BuildKit drops the platform of sources other than images.
  assert.equal(ops[0].platform, undefined);
  const exec = definitionOf(run(local('context'), { args: ['true'] }).root(), newConstraints({ platform: { os: 'linux', architecture: 'arm', variant: 'v7' } })).ops[1];
  assert.deepEqual(exec.platform, { Architecture: 'arm', OS: 'linux', Variant: 'v7' });
  assert.deepEqual(definitionOf(busybox()).ops[0].platform, { Architecture: amd64.architecture, OS: amd64.os });
});

test('scratch marshals to a Definition of no ops', () => {
  assert.deepEqual(definitionOf(State.scratch()).ops, []);
});

test('the streamed Definition with debug info is the one-shot encoding of the same Definition', () => {
  const name = 'buildkit0.llb';
  const text = readFileSync(join(fixturesDir, name), 'utf8');
  const streamed = Buffer.concat([...compileInPieces(new SourceFile(name, text), { debugInfo: true }).pieces]);
  const decoded = decodeMessage('Definition', streamed);
  assert.ok(decoded.Source, 'debug info is there');

  // One shot, from the llb Definition itself: all its fields in one message, encoded whole.
  const c = newConstraints({ platform: amd64, localUniqueID: 'test' });
  const def = new Definition(c);
  const st = file(run(busybox().dir('/w'), { args: ['make'], constraints: { metadata: { caps: {}, description: { 'llb.customname': 'RUN make' } }, sourceLocations: [{ sourceIndex: 0, ranges: [{ start: 2, end: 3 }] }] } }).root(), FileAction.mkdir('/x', 0o755));
  const ops = [...marshal(st, c, def)];
  const sources = [{ filename: 'b.llb', data: 'FROM busybox\nRUN \\\n  make\n', language: 'llb' }];
  const pieces = Buffer.concat([...encodeDefinitionPieces(ops, def, sources)]);
  const entries = [...def.sortedEntries()];
  const oneShot = Buffer.from(
    encodeMessage('Definition', {
      def: ops,
      metadata: entries.map((e) => ({ key: def.digest(e), value: def.metadata(e) })),
      Source: {
        locations: entries.flatMap((e) => {
          const locs = def.locations(e);
          return locs ? [{ key: def.digest(e), value: { locations: locs.map((l) => ({ sourceIndex: l.sourceIndex, ranges: l.ranges.map((r) => ({ start: { line: r.start }, end: { line: r.end } })) })) } }] : [];
        }),
        infos: sources.map((s) => ({ filename: s.filename, data: Buffer.from(s.data), language: s.language })),
      },
    }),
  );
  assert.ok(pieces.equals(oneShot));
  assert.equal(goJSON('Source', decodeMessage('Definition', pieces).Source as never), goJSON('Source', decodeMessage('Definition', oneShot).Source as never));
  assert.match(goJSON('Source', decodeMessage('Definition', pieces).Source as never), /"ranges":\[\{"start":\{"line":2\},"end":\{"line":3\}\}\]/);

  // And the compiled fixture, decoded and written again in one piece by the whole-message encoder.
  const again = Buffer.from(encodeAny('Definition', decoded));
  assert.ok(again.equals(streamed), 'the fixture\'s streamed Definition, re-encoded in one shot');
  const a = decodeDefinition(streamed);
  const b = decodeDefinition(again);
  assert.deepEqual(b.ops, a.ops);
  assert.deepEqual(b.metadata, a.metadata);
  assert.deepEqual(b.source, a.source);
});
