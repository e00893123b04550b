import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers.js';

test('llbc config prints the target stage\'s image configuration; --target and --build-arg apply', () => {
  const file = 'ARG PORT=80\nFROM alpine AS base\nARG PORT\nEXPOSE $PORT\nCMD ["base"]\nFROM base\nENTRYPOINT ["/e"]\n';
  const r = runCli(['config', '-', '--build-arg', 'PORT=8080'], { stdin: file });
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout.toString()) as { config: Record<string, unknown> };
  assert.deepEqual(c.config.ExposedPorts, { '8080/tcp': {} });
  assert.deepEqual(c.config.Entrypoint, ['/e']);
  assert.equal(c.config.Cmd, undefined);
  const base = runCli(['config', '-', '--target', 'base'], { stdin: file });
  assert.deepEqual((JSON.parse(base.stdout.toString()) as { config: Record<string, unknown> }).config.Cmd, ['base']);
});

test('llbc config reports bad input with its location, nothing on stdout', () => {
  const r = runCli(['config', '-'], { stdin: 'FROM alpine\nEXPOSE abc\n' });
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /:2:8: error: invalid port "abc"/);
});
