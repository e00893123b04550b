import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { llbcBin, repoRoot, runCli } from '../helpers.js';

// bin/llbc starts from a V8 code cache made by the build. A missing, stale or foreign cache
// must cost only time, never give different output.

const buildFile = join(repoRoot, 'fixtures', 'buildkit0.llb');
const expected = runCli(['build', buildFile]).stdout;

/** A copy of the installed CLI (bin/ and dist/), so its cache can be tampered with. */
function install(): { root: string; cache: string; bundle: string } {
  const root = mkdtempSync(join(tmpdir(), 'llbc-install-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist'));
  for (const f of ['bin/llbc', 'bin/package.json', 'dist/llbc.cjs', 'dist/llb.json']) copyFileSync(join(repoRoot, f), join(root, f));
  return { root, cache: join(root, 'dist', 'llbc.cjs.cache'), bundle: join(root, 'dist', 'llbc.cjs') };
}

function runInstalled(root: string): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'llbc'), 'build', buildFile], { env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** The installed copy compiles the same bytes as the repository's CLI. */
function assertCompilesSame(root: string): void {
  const r = runInstalled(root);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout, expected);
}

/** What bin/llbc's loader made of the cache, run in a fresh node as the CLI is. */
function cached(bin: string): string {
  const r = spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(bin)}).load().cached)`]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

test('the build leaves a code cache that V8 accepts', () => {
  assert.ok(statSync(join(repoRoot, 'dist', 'llbc.cjs.cache')).size > 0);
  assert.equal(cached(llbcBin), 'used');
});

test('without a code cache the CLI compiles the same bytes', (t) => {
  const { root } = install();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.equal(cached(join(root, 'bin', 'llbc')), 'none');
  assertCompilesSame(root);
});

test('a cache made for another bundle is not used', (t) => {
  const { root, cache } = install();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // The real cache, but for a bundle of another size and time: V8 alone would accept it if the
  // lengths matched, and run code compiled from other source.
  const real = readFileSync(join(repoRoot, 'dist', 'llbc.cjs.cache'));
  writeFileSync(cache, Buffer.concat([Buffer.from('1 2\n'), real.subarray(real.indexOf(10) + 1)]));
  assert.equal(cached(join(root, 'bin', 'llbc')), 'none');
  assertCompilesSame(root);
});

test('a corrupt cache for this bundle is rejected by V8, and the CLI still works', (t) => {
  const { root, cache, bundle } = install();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const { size, mtimeNs } = statSync(bundle, { bigint: true });
  writeFileSync(cache, Buffer.concat([Buffer.from(`${size} ${mtimeNs}\n`), Buffer.alloc(4096, 0x5a)]));
  assert.equal(cached(join(root, 'bin', 'llbc')), 'rejected');
  assertCompilesSame(root);
});

test('a missing bundle is reported, not a stack trace', (t) => {
  const { root, bundle } = install();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  rmSync(bundle);
  const r = runInstalled(root);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /llbc\.cjs is missing: run `npm ci`/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(r.stdout.length, 0);
});
