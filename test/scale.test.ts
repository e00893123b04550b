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
 * compile()'s default options (no debug info); its time and peak memory.
 */
function inChild(shape: Shape, n: number): { ms: number; maxRSSMB: number } {
  const script = `
    const { compileInPieces } = await import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'compile.js'))});
    const { SourceFile } = await import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'diagnostics.js'))});
    const { generated } = await import(${JSON.stringify(join(repoRoot, 'dist', 'bench', 'programs.js'))});
    const text = generated(${JSON.stringify(shape)}, ${n});
    const started = performance.now();
    let size = 0;
    for (const piece of compileInPieces(new SourceFile('big.llb', text)).pieces) size += piece.length;
    const ms = performance.now() - started;
    if (size === 0) throw new Error('no output');
    console.log(JSON.stringify({ ms, maxRSSMB: process.resourceUsage().maxRSS / 1024 }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('100,000 instructions compile in under 300 MB', () => {
  for (const shape of ['mixed', 'run'] as const) {
    const { maxRSSMB } = inChild(shape, 100_000);
    assert.ok(maxRSSMB < 300, `${shape}: peak RSS ${Math.round(maxRSSMB)} MB`);
  }
});

/** The best of two timed compiles, after a warm-up: the least disturbed by the machine's other work. */
function timed(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    compile(new SourceFile('big.llb', text));
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

test('time grows linearly with the number of instructions', () => {
  // Quadratic growth would make 4x the instructions cost 16x; allow for noise.
  for (const shape of ['env', 'envrun', 'stages', 'copy', 'mixed'] as const) {
    timed(generated(shape, 1_000));
    const small = timed(generated(shape, 3_000));
    const large = timed(generated(shape, 12_000));
    assert.ok(large < 8 * small + 50, `${shape}: 3,000 took ${Math.round(small)} ms, 12,000 took ${Math.round(large)} ms`);
  }
});
