import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/llb/exec.js';
import { image, local } from '../../src/llb/source.js';
import { State } from '../../src/llb/state.js';
import { definitionOf, lastOp } from './marshal.js';

// A new image op each time: an op marshalled into one Definition is released (see vertex.ts).
const image_ = () => image('docker.io/library/busybox:latest');

test('an exec gets the state\'s env, dir and user, and the caps of what it uses', () => {
  const st = () => image_().addEnv('A', '1').addEnv('B', '2').addEnv('A', '3').dir('/work').dir('sub').user('nobody');
  const op = lastOp(run(st(), { args: ['sh', '-c', 'true'] }).root());
  assert.deepEqual(op.op.exec.meta, { args: ['sh', '-c', 'true'], env: ['B=2', 'A=3'], cwd: '/work/sub', user: 'nobody', removeMountStubsRecursive: true });
  assert.deepEqual(op.caps, { 'exec.meta.base': true, 'exec.mount.bind': true });
  // Go's ExecOp: no network or security field when they are sandboxed (proto3 zero).
  assert.equal(op.op.exec.network, undefined);
  const host = lastOp(run(st(), { args: ['true'], network: 'host', security: 'insecure' }).root());
  assert.equal(host.op.exec.network, 1);
  assert.equal(host.op.exec.security, 1);
  assert.ok(host.caps['exec.meta.network'] && host.caps['exec.meta.security']);
  // An empty dir is the root, as Go's llb defaults it.
  assert.equal(lastOp(run(image_(), { args: ['true'] }).root()).op.exec.meta.cwd, '/');
});

test('mounts are ordered by destination, writable ones numbered as outputs in that order', () => {
  const ctx = local('context');
  const base = image_();
  const es = run(base, { args: ['true'] });
  const z = es.addMount('/z', ctx);
  const a = es.addMount('/a', ctx);
  const ro = es.addMount('/m', base, { readonly: true });
  // The state of a mount is that output of the exec; a read-only mount's is its source, unchanged.
  assert.deepEqual([es.root().output!.index(), a.output!.index(), z.output!.index()], [0, 1, 2]);
  assert.equal(ro.output, base.output);
  const { ops } = definitionOf(z);
  const exec = ops.find((o) => o.op.exec)!;
  assert.deepEqual(
    exec.op.exec.mounts.map((m: { dest: string; output: number; input: number }) => [m.dest, m.input, m.output]),
    // The rootfs and the read-only mount read the image (input 0), the others the context (input 1), once.
    [['/', 0, 0], ['/a', 1, 1], ['/m', 0, -1], ['/z', 1, 2]],
  );
  assert.equal(exec.inputs.length, 2);
  assert.equal(exec.op.exec.mounts[2].readonly, true);
  assert.deepEqual(ops[ops.length - 1].inputs, [{ digest: exec.digest, index: 2 }]);
});

test('cache and tmpfs mounts have no output and no input; their options and caps are written', () => {
  const es = run(image_(), { args: ['true'] });
  es.addMount('/cache', State.scratch(), { cache: { id: 'go-build', sharing: 'locked' } });
  es.addMount('/tmp', State.scratch(), { tmpfs: { size: 1 << 20 } });
  const op = lastOp(es.root());
  const [, cache, tmp] = op.op.exec.mounts;
  assert.deepEqual(cache, { input: -1, dest: '/cache', output: -1, mountType: 3, cacheOpt: { ID: 'go-build', sharing: 2 } });
  assert.deepEqual(tmp, { input: -1, dest: '/tmp', output: -1, mountType: 4, TmpfsOpt: { size: 1 << 20 } });
  for (const cap of ['exec.mount.cache', 'exec.mount.cache.sharing', 'exec.mount.tmpfs', 'exec.mount.tmpfs.size']) assert.equal(op.caps[cap], true, cap);
  const noSize = run(image_(), { args: ['true'] });
  noSize.addMount('/tmp', State.scratch(), { tmpfs: { size: 0 } });
  assert.equal(lastOp(noSize.root()).caps['exec.mount.tmpfs.size'], undefined);
});

test('secrets are mounts or environment variables; ssh sockets set SSH_AUTH_SOCK', () => {
  const es = run(image_(), {
    args: ['true'],
    secrets: [
      { id: 'npmrc', target: '/root/.npmrc', optional: false, mode: 0o400 },
      { id: 'token', target: 'TOKEN', env: true, optional: true, mode: 0o400 },
    ],
    ssh: [{ optional: false, mode: 0o600 }],
  });
  const op = lastOp(es.root());
  const mounts = op.op.exec.mounts;
  // Go's JSON prints a mount's input and output even when unset (0), as dump-llb does.
  assert.deepEqual(mounts[1], { input: 0, dest: '/root/.npmrc', output: 0, mountType: 1, secretOpt: { ID: 'npmrc', mode: 0o400 } });
  assert.deepEqual(mounts[2], { input: 0, dest: '/run/buildkit/ssh_agent.0', output: 0, mountType: 2, SSHOpt: { mode: 0o600 } });
  assert.deepEqual(op.op.exec.secretenv, [{ ID: 'token', name: 'TOKEN', optional: true }]);
  assert.deepEqual(op.op.exec.meta.env, ['SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0']);
  for (const cap of ['exec.mount.secret', 'exec.secretenv', 'exec.mount.ssh']) assert.equal(op.caps[cap], true, cap);
  // A socket path the state already sets is kept.
  const own = lastOp(run(image_().addEnv('SSH_AUTH_SOCK', '/s'), { args: ['true'], ssh: [{ optional: false, mode: 0o600 }] }).root());
  assert.deepEqual(own.op.exec.meta.env, ['SSH_AUTH_SOCK=/s']);
});

test('an exec over scratch has a root mount with no input', () => {
  const op = lastOp(run(State.scratch(), { args: ['/bin/true'] }).root());
  assert.deepEqual(op.inputs, []);
  assert.deepEqual(op.op.exec.mounts, [{ input: -1, dest: '/', output: 0 }]);
});
