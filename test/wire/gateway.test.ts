import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { decodeGatewayMessage, encodeGatewayMessage, sourceDetail } from '../../src/wire/gateway.js';
import { repoRoot } from '../helpers.js';

// The field numbers of BuildKit v0.11.6's gateway messages that llbc reads or writes, as its
// file descriptors (compiled into buildkitd) declare them: the .proto files must not drift.
const upstream: Record<string, Record<string, number>> = {
  'moby.buildkit.v1.frontend.Result': { ref: 3, refs: 4, metadata: 10 },
  'moby.buildkit.v1.frontend.Ref': { id: 1, def: 2 },
  'moby.buildkit.v1.frontend.RefMap': { refs: 1 },
  'moby.buildkit.v1.frontend.ReturnRequest': { result: 1, error: 2 },
  'moby.buildkit.v1.frontend.ResolveImageConfigRequest': { Ref: 1, Platform: 2, ResolveMode: 3, LogName: 4, ResolverType: 5, SessionID: 6, StoreID: 7 },
  'moby.buildkit.v1.frontend.ResolveImageConfigResponse': { Digest: 1, Config: 2 },
  'moby.buildkit.v1.frontend.SolveRequest': { Definition: 1, Frontend: 2, FrontendOpt: 3, allowResultReturn: 5, allowResultArrayRef: 6, Final: 10, ExporterAttr: 11, FrontendInputs: 13, Evaluate: 14 },
  'moby.buildkit.v1.frontend.SolveResponse': { ref: 1, result: 3 },
  'moby.buildkit.v1.frontend.ReadFileRequest': { Ref: 1, FilePath: 2, Range: 3 },
  'moby.buildkit.v1.frontend.ReadFileResponse': { Data: 1 },
  'moby.buildkit.v1.frontend.PongResponse': { FrontendAPICaps: 1, LLBCaps: 2, Workers: 3 },
  'moby.buildkit.v1.apicaps.APICap': { ID: 1, Enabled: 2, Deprecated: 3, DisabledReason: 4, DisabledReasonMsg: 5, DisabledAlternative: 6 },
  'moby.buildkit.v1.types.WorkerRecord': { ID: 1, Labels: 2, platforms: 3, BuildkitVersion: 5 },
  'google.rpc.Status': { code: 1, message: 2, details: 3 },
  'google.protobuf.Any': { type_url: 1, value: 2 },
  'fsutil.types.Stat': { path: 1, mode: 2, uid: 3, gid: 4, size: 5, modTime: 6, linkname: 7, devmajor: 8, devminor: 9, xattrs: 10 },
};

test('the gateway schema has upstream\'s field numbers', () => {
  const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(join(repoRoot, 'dist', 'gateway.json'), 'utf8')) as protobuf.INamespace);
  for (const [type, fields] of Object.entries(upstream)) {
    const t = root.lookupType(type);
    assert.deepEqual(Object.fromEntries(Object.keys(fields).map((f) => [f, t.fields[f]?.id])), fields, type);
  }
  const service = root.lookupService('moby.buildkit.v1.frontend.LLBBridge');
  assert.equal(service.methods.ResolveImageConfig.requestType, 'ResolveImageConfigRequest');
});

test('a Return of refs by platform and metadata encodes and decodes', () => {
  const value = { result: { refs: { refs: { 'linux/amd64': { id: 'r1' } } }, metadata: { 'containerimage.config': Buffer.from('{}') } } };
  const back = decodeGatewayMessage<{ result: { refs: { refs: Record<string, { id: string }> }; metadata: Record<string, Uint8Array> } }>(
    'moby.buildkit.v1.frontend.ReturnRequest',
    encodeGatewayMessage('moby.buildkit.v1.frontend.ReturnRequest', value),
  );
  assert.equal(back.result.refs.refs['linux/amd64'].id, 'r1');
  assert.equal(Buffer.from(back.result.metadata['containerimage.config']).toString(), '{}');
});

test('a source detail is errdefs.Source as Go\'s encoding/json writes it', () => {
  const d = sourceDetail('build.llb', Buffer.from('FROM a\n'), [{ start: { line: 1, character: 0 }, end: { line: 1, character: 4 } }]);
  assert.equal(d.type_url, 'github.com/moby/buildkit/errdefs.Source+json');
  assert.deepEqual(JSON.parse(Buffer.from(d.value).toString()), {
    info: { filename: 'build.llb', data: Buffer.from('FROM a\n').toString('base64') },
    ranges: [{ start: { line: 1 }, end: { line: 1, character: 4 } }],
  });
});
