import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAs, methods, returnedMetadata, runFrontend, type FakeRun } from './fake-gateway.js';

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

/** The ops of the build's Definition (not the build file's transfer): by default, of the ref returned. */
function buildOps(run: FakeRun, ref = (run.returned?.result as { ref?: { id: string } } | undefined)?.ref?.id ?? '') {
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
  assert.deepEqual(methods(run), ['Ping', 'Solve', 'ReadFile', 'ResolveImageConfig', 'Solve', 'Return']);
  // The build file comes from the `dockerfile` local of the client's session, only the file.
  const locals = [...run.solved.values()].map((ops) => ops[0].source as { identifier: string; attrs: Record<string, string> } | undefined);
  const local = locals.find((l) => l?.identifier === 'local://dockerfile')!;
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
  // The image source is pinned to the resolved digest (as written, as reference.WithDigest pins it),
  // and the RUN sees the base's Env, WorkingDir and User.
  const ops = buildOps(run);
  const image = ops.find((op) => op.source)!.source as { identifier: string };
  assert.equal(image.identifier, `docker-image://docker.io/library/alpine@${alpineDigest}`);
  const meta = (ops.find((op) => op.exec)!.exec as { meta: { env: string[]; cwd: string; user: string } }).meta;
  assert.deepEqual(meta.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP=1', 'BASEVAR=changed']);
  assert.equal(meta.cwd, '/home/app');
  assert.equal(meta.user, 'nobody');
  // The result: the solved ref, and the configuration.
  const result = run.returned!.result as { ref: { id: string } };
  // The solve of the build (the last of three: the build file's and the .dockerignore's transfers came first).
  assert.equal(result.ref.id, 'ref-2');
  const c = config(run);
  assert.equal(c.architecture, 'arm64');
  assert.equal(c.created, undefined);
  assert.deepEqual(c.config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'BASEVAR=changed', 'APP=1']);
  assert.equal(c.config.WorkingDir, '/home/app');
  assert.equal(c.config.User, 'nobody');
  assert.deepEqual(c.config.Cmd, ['sh']);
  assert.deepEqual(c.config.Entrypoint, ['/entry']);
  assert.deepEqual(c.config.Labels, { from: 'base' });
  // The base's history, then the stage's instructions' (the exporter adds the layers' entries it lacks).
  assert.deepEqual(c.history[0], { created_by: 'base layer' });
  assert.ok(c.history.some((h) => (h as { created_by?: string }).created_by === 'ENV APP=1 BASEVAR=changed'), JSON.stringify(c.history));
});

test('a file named Dockerfile compiles in Dockerfile mode, its configuration by Dockerfile\'s rules from the base\'s', async () => {
  const text = [
    'FROM alpine',
    'ARG V=1',
    'LABEL version=$V',
    'EXPOSE 80 53/udp',
    'VOLUME /data',
    'STOPSIGNAL SIGINT',
    'HEALTHCHECK --interval=5s CMD ["check"]',
    'SHELL ["/bin/ash", "-c"]',
    'ENTRYPOINT exec server',
    'ONBUILD RUN echo child',
    'RUN echo hi',
    '',
  ].join('\n');
  const run = await runFrontend({ files: { Dockerfile: text }, images, opts: ['filename=Dockerfile', 'platform=linux/amd64'] });
  assert.equal(run.code, 0, run.stderr);
  // Dockerfile mode: ARG in the RUN's environment, shell form through SHELL.
  const exec = buildOps(run).find((op) => op.exec)!;
  const meta = (exec.exec as { meta: { env: string[]; args: string[] } }).meta;
  assert.ok(meta.env.includes('V=1'), meta.env.join(' '));
  assert.deepEqual(meta.args, ['/bin/ash', '-c', 'echo hi']);
  const image = buildOps(run).find((op) => op.source)!.source as { identifier: string };
  assert.equal(image.identifier, `docker-image://docker.io/library/alpine@${alpineDigest}`);
  const c = config(run).config;
  // ENTRYPOINT resets the base's Cmd (no CMD came before it in the stage); shell form through SHELL.
  assert.deepEqual(c.Entrypoint, ['/bin/ash', '-c', 'exec server']);
  assert.equal(c.Cmd, undefined);
  assert.deepEqual(c.Labels, { from: 'base', version: '1' });
  assert.deepEqual(c.ExposedPorts, { '53/udp': {}, '80/tcp': {} });
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.Healthcheck, { Test: ['CMD', 'check'], Interval: 5e9 });
  assert.deepEqual(c.Shell, ['/bin/ash', '-c']);
  assert.deepEqual(c.OnBuild, ['RUN echo child']);
  assert.deepEqual([c.WorkingDir, c.User], ['/home', 'nobody']);
  assert.deepEqual(c.Env, alpine.config.config.Env);
});

test('a base image\'s CMD stays unless the stage sets ENTRYPOINT; a CMD before ENTRYPOINT in the stage stays', async () => {
  const opts = ['filename=Dockerfile'];
  const kept = await runFrontend({ files: { Dockerfile: 'FROM alpine\nENV A=1\n' }, images, opts });
  assert.equal(kept.code, 0, kept.stderr);
  assert.deepEqual([config(kept).config.Entrypoint, config(kept).config.Cmd], [['/entry'], ['sh']]);
  // A tag written stays in the pinned reference.
  const tagged = await runFrontend({ files: { Dockerfile: 'FROM alpine:latest\n' }, images, opts });
  assert.equal((buildOps(tagged).find((op) => op.source)!.source as { identifier: string }).identifier, `docker-image://docker.io/library/alpine:latest@${alpineDigest}`);
  const both = await runFrontend({ files: { Dockerfile: 'FROM alpine\nCMD ["a"]\nENTRYPOINT ["b"]\n' }, images, opts });
  assert.equal(both.code, 0, both.stderr);
  assert.deepEqual([config(both).config.Entrypoint, config(both).config.Cmd], [['b'], ['a']]);
});

test('a compile error is returned with the file, line and column, and the source for clients to show', async () => {
  const text = 'FROM alpine\nENV A=1\nRUNN echo hi\n';
  const run = await runFrontend({ files: { 'build.llb': text }, images });
  assert.equal(run.code, 1);
  assert.equal(run.calls.at(-1)!.method, 'Return');
  const error = run.returned!.error as { code: number; message: string; details: { type_url: string; value: Uint8Array }[] };
  assert.match(error.message, /^build\.llb:3:1: unknown instruction "RUNN"/);
  assert.notEqual(error.code, 0);
  assert.equal(error.details[0].type_url, 'github.com/moby/buildkit/errdefs.Source+json');
  const source = JSON.parse(Buffer.from(error.details[0].value).toString('utf8')) as { info: { filename: string; data: string }; ranges: { start: { line: number } }[] };
  assert.equal(source.info.filename, 'build.llb');
  assert.equal(Buffer.from(source.info.data, 'base64').toString('utf8'), text);
  assert.equal(source.ranges[0].start.line, 3);
  assert.equal(run.returned!.result, undefined);
});

test('several platforms give a ref and a configuration per platform, and the platform list', async () => {
  const run = await runFrontend({
    files: { 'build.llb': 'FROM alpine\nENV X=1\n' },
    images,
    opts: ['platform=linux/amd64,linux/arm64'],
  });
  assert.equal(run.code, 0, run.stderr);
  const asked = run.calls.filter((c) => c.method === 'ResolveImageConfig').map((c) => (c.request.Platform as { Architecture: string }).Architecture);
  assert.deepEqual(asked.sort(), ['amd64', 'arm64']);
  const result = run.returned!.result as { refs: { refs: Record<string, { id: string }> } };
  assert.deepEqual(Object.keys(result.refs.refs).sort(), ['linux/amd64', 'linux/arm64']);
  for (const [platform, ref] of Object.entries(result.refs.refs)) {
    const c = config(run, `containerimage.config/${platform}`);
    assert.equal(`${c.os}/${c.architecture}`, platform);
    assert.deepEqual(c.config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'BASEVAR=base', 'X=1']);
    // Each platform's ref is the solve of a Definition for that platform.
    const image = buildOps(run, ref.id).find((op) => op.source)!;
    assert.equal((image.platform as { Architecture: string }).Architecture, platform.split('/')[1]);
  }
  const platforms = JSON.parse(returnedMetadata(run)['refs.platforms']) as { Platforms: { ID: string; Platform: { os: string; architecture: string } }[] };
  assert.deepEqual(platforms.Platforms.map((p) => [p.ID, `${p.Platform.os}/${p.Platform.architecture}`]), [
    ['linux/amd64', 'linux/amd64'],
    ['linux/arm64', 'linux/arm64'],
  ]);
});

test('build arguments, the target stage and the file name are the options of BuildKit\'s Dockerfile frontend', async () => {
  const text = 'FROM alpine AS first\nARG NAME=default\nENV FIRST=$NAME\nRUN true\n\nFROM scratch AS second\nENV SECOND=1\n';
  const run = await runFrontend({ files: { 'other.llb': text }, images, opts: ['filename=other.llb', 'build-arg:NAME=given', 'target=first', 'platform=linux/amd64'] });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.calls.find((c) => c.method === 'ReadFile')!.request.FilePath, 'other.llb');
  const exec = buildOps(run).find((op) => op.exec)!.exec as { meta: { env: string[] } };
  assert.ok(exec.meta.env.includes('FIRST=given'), exec.meta.env.join(' '));
  assert.equal(config(run).config.User, 'nobody');
});

test('a stage FROM scratch gets the configuration Dockerfile gives one', async () => {
  const run = await runFrontend({ files: { 'build.llb': 'FROM scratch\nENV A=1\n' }, opts: ['platform=linux/arm/v7'] });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.calls.filter((c) => c.method === 'ResolveImageConfig').length, 0);
  const c = config(run) as { architecture: string; variant?: string; config: Record<string, unknown> };
  assert.deepEqual([c.architecture, c.variant], ['arm', 'v7']);
  assert.deepEqual(c.config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1']);
  assert.equal(c.config.WorkingDir, '/');
});

test('forwarded by a # syntax= line, the file read is the Dockerfile', async () => {
  const run = await runFrontend({ files: { Dockerfile: '# syntax=example/llbc\nFROM scratch\n' }, opts: ['cmdline=', 'source=example/llbc'] });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.calls.find((c) => c.method === 'ReadFile')!.request.FilePath, 'Dockerfile');
});

test('a missing build file, an unknown base image and a failed solve are returned as errors', async () => {
  const missing = await runFrontend({ files: {} });
  assert.equal(missing.code, 1);
  assert.match((missing.returned!.error as { message: string }).message, /failed to read build\.llb from the dockerfile local: open build\.llb: no such file/);

  const unknown = await runFrontend({ files: { 'build.llb': 'FROM nothere\n' } });
  assert.equal(unknown.code, 1);
  assert.match((unknown.returned!.error as { message: string }).message, /docker\.io\/library\/nothere:latest: not found/);

  const broken = await runFrontend({ files: { 'build.llb': 'FROM broken\n' }, images: { 'docker.io/library/broken:latest': { digest: alpineDigest, config: 'not an image' } } });
  assert.equal(broken.code, 1);
  assert.deepEqual(broken.returned!.error, { code: 2, message: 'docker.io/library/broken:latest: image config is not a JSON object', details: [] });

  const failed = await runFrontend({ files: { 'build.llb': 'FROM alpine\nRUN false\n' }, images, solveError: { code: 2, message: 'process "false" did not complete successfully: exit code: 1' } });
  assert.equal(failed.code, 1);
  assert.deepEqual(failed.returned!.error, { code: 2, message: 'process "false" did not complete successfully: exit code: 1', details: [] });
});

test('the platform defaults to the first worker\'s, as BUILDKIT_WORKERS gives it', async () => {
  const run = await runFrontend({ files: { 'build.llb': 'FROM alpine\n' }, images, workers: JSON.stringify([{ ID: 'w', Platforms: [{ os: 'linux', architecture: 's390x' }] }]) });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(config(run).architecture, 's390x');
});

test('the build file is asked for without waiting for the Ping\'s answer', async () => {
  const run = await runFrontend({ files: { 'build.llb': 'FROM alpine\n' }, images, holdPing: true });
  assert.equal(run.code, 0, run.stderr);
  // The Solves of the build file's local and of the .dockerignore came while the Ping was unanswered (not after 5 s of waiting).
  assert.deepEqual(run.beforePong, ['Solve']);
  assert.deepEqual(methods(run), ['Ping', 'Solve', 'ReadFile', 'ResolveImageConfig', 'Solve', 'Return']);
});

test('the context\'s .dockerignore is read beside the build file, and its patterns leave files out of the context', async () => {
  const text = 'FROM alpine\nCOPY . /src\n';
  const run = await runFrontend({ files: { Dockerfile: text }, context: { '.dockerignore': '# not these\nsecret\n*.md\n' }, images, opts: ['filename=Dockerfile'] });
  assert.equal(run.code, 0, run.stderr);
  const read = run.calls.filter((c) => c.ignoreFile).map((c) => c.method);
  assert.deepEqual(read, ['Solve', 'ReadFile']);
  const context = buildOps(run).find((op) => (op.source as { identifier?: string } | undefined)?.identifier === 'local://context')!.source as { attrs: Record<string, string> };
  assert.equal(context.attrs['local.excludepatterns'], '["secret","*.md"]');
  // Without one, the context has no exclude patterns.
  const none = await runFrontend({ files: { Dockerfile: text }, images, opts: ['filename=Dockerfile'] });
  assert.equal(none.code, 0, none.stderr);
  const plain = buildOps(none).find((op) => (op.source as { identifier?: string } | undefined)?.identifier === 'local://context')!.source as { attrs: Record<string, string> };
  assert.equal(plain.attrs['local.excludepatterns'], undefined);
});
