import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvList } from '../../src/llb/env.js';
import { State } from '../../src/llb/state.js';

test('setting a key again moves it last, as Go\'s EnvList.AddOrReplace does', () => {
  const env = EnvList.empty.addOrReplace('A', '1').addOrReplace('B', '2').addOrReplace('A', '3');
  assert.deepEqual(env.toArray(), ['B=2', 'A=3']);
  assert.deepEqual(env.keys(), ['B', 'A']);
  assert.equal(env.get('A'), '3');
  assert.equal(env.get('C'), undefined);
  assert.deepEqual(EnvList.empty.toArray(), []);
});

test('lists are values: an older list, and a branch from it, never see later settings', () => {
  const base = EnvList.empty.addOrReplace('A', '1');
  const left = base.addOrReplace('B', 'left');
  const right = base.addOrReplace('B', 'right').addOrReplace('A', '2');
  const leftMore = left.addOrReplace('C', '3');
  assert.deepEqual(base.toArray(), ['A=1']);
  assert.deepEqual(left.toArray(), ['A=1', 'B=left']);
  assert.deepEqual(right.toArray(), ['B=right', 'A=2']);
  assert.deepEqual(leftMore.toArray(), ['A=1', 'B=left', 'C=3']);
  assert.equal(left.get('C'), undefined);
  assert.equal(EnvList.empty.get('A'), undefined);
});

test('states carry env, dir, user and platform as values (Go\'s meta.go)', () => {
  const a = State.scratch().addEnv('PATH', '/bin').dir('/app');
  const b = a.dir('src').user('nobody').platform({ os: 'linux', architecture: 'arm64' });
  const c = a.dir('/abs').addEnv('PATH', '/usr/bin');
  assert.equal(a.getDir(), '/app');
  assert.equal(b.getDir(), '/app/src', 'a relative dir joins the current one');
  assert.equal(c.getDir(), '/abs');
  assert.equal(a.meta.user, undefined);
  assert.equal(b.meta.user, 'nobody');
  assert.deepEqual(b.getPlatform(), { os: 'linux', architecture: 'arm64' });
  assert.equal(a.getPlatform(), undefined);
  assert.deepEqual(a.getEnv().toArray(), ['PATH=/bin']);
  assert.deepEqual(c.getEnv().toArray(), ['PATH=/usr/bin']);
  assert.equal(State.scratch().dir('rel').getDir(), '/rel');
  assert.equal(State.scratch().getDir(), '');
});
