import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newConstraints } from '../../src/llb/constraints.js';
import { Definition, marshal } from '../../src/llb/definition.js';
import { image, imageOf, imageSpec, local } from '../../src/llb/source.js';
import type { State } from '../../src/llb/state.js';
import { decodeDefinition } from '../../src/wire/decode.js';
import { goJSON } from '../../src/wire/json.js';
import { encodeDefinitionPieces } from '../../src/wire/definition.js';
import { file, FileAction } from '../../src/llb/fileop.js';
import { definitionOf } from './marshal.js';

const alpine = 'docker.io/library/alpine:latest';

/** The image sources of each state, marshalled one after another under the same constraints. */
function sources(states: State[]): { digest: string; platform: unknown }[] {
  const c = newConstraints({ platform: { os: 'linux', architecture: 'amd64' }, localUniqueID: 'test' });
  return states.map((st) => {
    const def = new Definition(c);
    const decoded = decodeDefinition(Buffer.concat([...encodeDefinitionPieces(marshal(st, c, def), def)]));
    const op = decoded.ops[0];
    return { digest: op.digest, platform: (JSON.parse(goJSON('Op', op.op)) as { platform: unknown }).platform };
  });
}

test('image sources of one image, named apart, are one op; another platform is another', () => {
  const named = (name: string) => ({ constraints: { metadata: { caps: {}, description: { 'llb.customname': name } } } });
  const [a, b, arm, c] = sources([
    image(alpine, named('a')),
    image(alpine, named('b')),
    // The same image reference and options but for the platform, given as a constraint.
    image(alpine, { constraints: { ...named('arm'), platform: { os: 'linux', architecture: 'arm64' } } }),
    image(alpine, named('c')),
  ]);
  assert.equal(a.digest, b.digest);
  assert.equal(a.digest, c.digest);
  assert.notEqual(arm.digest, a.digest);
  assert.notDeepEqual(arm.platform, a.platform);
});

test('sources of one image spec share its encoding only under the same constraints and platform', () => {
  // As a compilation makes them: one spec for the stages that start from one image.
  const spec = imageSpec(alpine);
  const named = (name: string) => ({ constraints: { metadata: { caps: {}, description: { 'llb.customname': name } } } });
  const arm64 = (name: string) => ({ constraints: { ...named(name), platform: { os: 'linux', architecture: 'arm64' } } });
  const shared = sources([imageOf(spec, named('a')), imageOf(spec, named('b')), imageOf(spec, arm64('arm')), imageOf(spec, named('c'))]);
  // The same as of a spec each: the digests and platforms (the bytes) of each are equal.
  assert.deepEqual(shared, sources([image(alpine, named('a')), image(alpine, named('b')), image(alpine, arm64('arm')), image(alpine, named('c'))]));
  const [a, , arm, c] = shared;
  assert.notEqual(arm.digest, a.digest);
  assert.equal(c.digest, a.digest);
});

test('a local source carries the options a frontend gives it as Go\'s llb.Local writes them', () => {
  const st = local('context', { sessionID: 's1', sharedKeyHint: 'context', followPaths: ['a<b'], excludePatterns: ['*.log'] });
  const c = newConstraints({ platform: { os: 'linux', architecture: 'amd64' }, localUniqueID: 'test' });
  const def = new Definition(c);
  const decoded = decodeDefinition(Buffer.concat([...encodeDefinitionPieces(marshal(st, c, def), def)]));
  const op = JSON.parse(goJSON('Op', decoded.ops[0].op)) as { Op: { source: { identifier: string; attrs: Record<string, string> } } };
  assert.deepEqual(op.Op.source.attrs, {
    'local.excludepatterns': '["*.log"]',
    'local.followpaths': '["a\\u003cb"]',
    'local.session': 's1',
    'local.sharedkeyhint': 'context',
    'local.unique': 'test',
  });
  const metadata = decoded.metadata.get(decoded.ops[0].digest) as { caps: Map<string, boolean> };
  const caps = [...metadata.caps.keys()].sort();
  assert.deepEqual(caps, ['source.local', 'source.local.excludepatterns', 'source.local.followpaths', 'source.local.sessionid', 'source.local.sharedkeyhint', 'source.local.unique']);
});

test('a spec marshalled under other constraints (another Definition) is encoded again, with that Definition\'s digest', () => {
  const spec = imageSpec(alpine);
  const first = definitionOf(imageOf(spec)).ops[0].digest;
  // Under new constraints busybox is marshalled first: alpine's number in the first
  // Definition's table would name busybox's digest in this one.
  const ops = definitionOf(file(image('docker.io/library/busybox:latest'), FileAction.copy(imageOf(spec), '/a', '/b'))).ops;
  assert.ok(ops.some((op) => op.digest === first && op.op.source?.identifier === `docker-image://${alpine}`));
});
