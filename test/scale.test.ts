import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compile, type CompileOptions } from '../src/compile.js';
import { SourceFile } from '../src/diagnostics.js';
import { messageType } from '../src/wire/schema.js';
import { generated, type Shape } from '../bench/programs.js';
import { repoRoot } from './helpers.js';

// Large, machine-generated build files: no recursion limit, memory within bounds, time linear.

function ops(text: string, options: CompileOptions = {}): number {
  const bytes = compile(new SourceFile('big.llb', text), options).bytes;
  return (messageType('Definition').decode(bytes) as unknown as { def: unknown[] }).def.length;
}

const deep = 10_000;

test(`a chain of ${deep} RUN steps`, () => {
  assert.equal(ops(generated('run', deep)), deep + 2);
});

test(`a chain of ${deep} ENV lines (each a new variable), then a RUN`, () => {
  assert.equal(ops(generated('env', deep)), 3);
});

test(`a chain of ${deep} COPY steps, with the cp helper and as file ops`, () => {
  // Each exec-mode COPY is a mkdir and a cp exec; the context, helper image and base are shared.
  assert.equal(ops(generated('copy', deep)), 2 * deep + 4);
  assert.equal(ops(generated('copy', deep), { copyMode: 'file' }), deep + 3);
});

test(`${deep} stages, each copying from the one before`, () => {
  assert.ok(ops(generated('stages', deep), { copyMode: 'file' }) > deep);
});

test(`${deep} stages, each built on the one before`, () => {
  const text = ['FROM alpine AS s0', ...Array.from({ length: deep - 1 }, (_, i) => `FROM s${i} AS s${i + 1}\nRUN echo ${i}`)].join('\n');
  assert.equal(ops(text), deep + 1);
});

test(`${deep} nested WORKDIRs and USERs`, () => {
  const text = ['FROM alpine', ...Array.from({ length: deep }, (_, i) => `WORKDIR d${i}\nUSER u${i}`), 'RUN pwd'].join('\n');
  assert.equal(ops(text), 3);
});

/**
 * Compiles a generated file in a fresh node the way the CLI writes it out (in pieces), with
 * compile()'s default options (no debug info); its peak memory.
 */
function inChild(shape: Shape, n: number): { maxRSSMB: number } {
  const script = `
    const { compileInPieces } = await import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'compile.js'))});
    const { SourceFile } = await import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'diagnostics.js'))});
    const { generated } = await import(${JSON.stringify(join(repoRoot, 'dist', 'bench', 'programs.js'))});
    const text = generated(${JSON.stringify(shape)}, ${n});
    let size = 0;
    for (const piece of compileInPieces(new SourceFile('big.llb', text)).pieces) size += piece.length;
    if (size === 0) throw new Error('no output');
    console.log(JSON.stringify({ maxRSSMB: process.resourceUsage().maxRSS / 1024 }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// No timings are asserted (the benchmark shows growth); the timeout only stops a regression to
// quadratic growth, which at this size takes minutes instead of seconds, from hanging the suite.
test('100,000 instructions compile in under 300 MB', { timeout: 180_000 }, () => {
  for (const shape of ['mixed', 'run', 'env', 'envrun'] as const) {
    const { maxRSSMB } = inChild(shape, 100_000);
    assert.ok(maxRSSMB < 300, `${shape}: peak RSS ${Math.round(maxRSSMB)} MB`);
  }
});
