import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAs, returnedMetadata, runFrontend, type FakeRun } from './fake-gateway.js';

// `llbc frontend` as buildkitd runs it, against a fake LLBBridge server on its stdin and
// stdout (see fake-gateway.ts): the calls it makes and what it returns.

const alpineDigest = `sha256:${'a'.repeat(64)}`;
const alpine = {
  digest: alpineDigest,
  config: {
    architecture: 'amd64',
    os: 'linux',
    created: '2020-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'BASEVAR=base'], WorkingDir: '/home', User: 'nobody', Cmd: ['sh'], Entrypoint: ['/entry'], Labels: { from: 'base' } },
    rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`] },
    history: [{ created_by: 'base layer' }],
  },
};
const images = { 'docker.io/library/alpine:latest': alpine };

function config(run: FakeRun, key = 'containerimage.config') {
  return JSON.parse(returnedMetadata(run)[key]) as { architecture: string; os: string; config: Record<string, unknown>; created?: string; history: unknown[] };
}

/** The ops of the build's Definition (not the build file's transfer), by kind. */
function buildOps(run: FakeRun, ref = 'ref-1') {
  const ops = run.solved.get(ref);
  assert.ok(ops, `no solve answered ${ref}`);
  return ops;
}

test('a build returns its ref with the image configuration inherited from its base', async () => {
  const run = await runFrontend({
    files: { 'build.llb': 'FROM alpine\nENV APP=1 BASEVAR=changed\nWORKDIR app\nRUN echo hi\n' },
    images,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.calls.map((c) => c.method), ['Ping', 'Solve', 'ReadFile', 'ResolveImageConfig', 'Solve', 'Return']);
  // The build file comes from the `dockerfile` local of the client's session, only the file.
  const local = run.solved.get('ref-0')![0].source as { identifier: string; attrs: Record<string, string> };
  assert.equal(local.identifier, 'local://dockerfile');
  assert.equal(local.attrs['local.session'], 'fake-session');
  assert.equal(local.attrs['local.sharedkeyhint'], 'dockerfile');
  assert.equal(local.attrs['local.followpaths'], '["build.llb"]');
  // The base image is resolved for the worker's platform (the fake's is linux/arm64).
  const resolve = run.calls.find((c) => c.method === 'ResolveImageConfig')!.request;
  assert.equal(resolve.Ref, 'docker.io/library/alpine:latest');
  const platform = resolve.Platform as { OS: string; Architecture: string };
  assert.deepEqual([platform.OS, platform.Architecture], ['linux', 'arm64']);
  assert.equal(resolve.SessionID, 'fake-session');
  // The image source is pinned to the resolved digest, and the RUN sees the base's Env, WorkingDir and User.
  const ops = buildOps(run);
  const image = ops.find((op) => op.source)!.source as { identifier: string };
  assert.equal(image.identifier, `docker-image://docker.io/library/alpine:latest@${alpineDigest}`);
  const meta = (ops.find((op) => op.exec)!.exec as { meta: { env: string[]; cwd: string; user: string } }).meta;
  assert.deepEqual(meta.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP=1', 'BASEVAR=changed']);
  assert.equal(meta.cwd, '/home/app');
  assert.equal(meta.user, 'nobody');
  // The result: the solved ref, and the configuration.
  const result = run.returned!.result as { ref: { id: string } };
  assert.equal(result.ref.id, 'ref-1');
  const c = config(run);
  assert.equal(c.architecture, 'arm64');
  assert.equal(c.created, undefined);
  assert.deepEqual(c.config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'BASEVAR=changed', 'APP=1']);
  assert.equal(c.config.WorkingDir, '/home/app');
  assert.equal(c.config.User, 'nobody');
  assert.deepEqual(c.config.Cmd, ['sh']);
  assert.deepEqual(c.config.Entrypoint, ['/entry']);
  assert.deepEqual(c.config.Labels, { from: 'base' });
  assert.deepEqual(c.history, [{ created_by: 'base layer' }]);
});
