import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newConstraints } from '../../src/llb/constraints.js';
import { Definition, marshal } from '../../src/llb/definition.js';
import { image, local } from '../../src/llb/source.js';
import type { State } from '../../src/llb/state.js';
import { decodeDefinition } from '../../src/wire/decode.js';
import { goJSON } from '../../src/wire/json.js';
import { encodeDefinitionPieces } from '../../src/wire/definition.js';

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
