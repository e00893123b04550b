// npm run e2e -- --bench: the time of a fully cached `buildctl build` through llbc as a
// frontend (gateway.v0) against the same build through BuildKit's own Dockerfile frontend
// (dockerfile.v0, built into buildkitd), each the median of several runs after a first, uncached
// one. Both build files are the same text, which both languages read alike (FROM, ENV, WORKDIR,
// COPY, RUN in exec form): the same steps, compiled by each frontend. `# copy=file` (a comment to
// Dockerfile) makes llbc's COPY a FileOp, as Dockerfile's is: llbc's default COPY runs `cp` with
// the context mounted read-write, which BuildKit never caches across sessions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRONTEND_REF } from './frontend.mjs';
import { run } from './procs.mjs';

export const BENCH_FILE = `# copy=file
FROM alpine
ENV APP=bench
WORKDIR /app
COPY a.txt .
RUN ["sh", "-c", "cat a.txt > b.txt"]
`;

const RUNS = Number(process.env.LLBC_BENCH_RUNS) || 9;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(ctx, args) {
  const start = process.hrtime.bigint();
  const r = await run(ctx.buildctl, ['--addr', ctx.addr, 'build', '--progress', 'plain', ...args]);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.code !== 0) throw new Error(`buildctl build ${args.join(' ')} failed:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`);
  return ms;
}

/** Runs the benchmark against a started harness (with the frontend image pushed); prints its table. */
export async function benchFrontend(ctx, out = process.stdout) {
  const dir = join(ctx.tmp, 'bench');
  mkdirSync(join(dir, 'context'), { recursive: true });
  writeFileSync(join(dir, 'context', 'a.txt'), 'a\n');
  writeFileSync(join(dir, 'build.llb'), BENCH_FILE);
  writeFileSync(join(dir, 'Dockerfile'), BENCH_FILE);
  const common = ['--local', `context=${join(dir, 'context')}`, '--local', `dockerfile=${dir}`];
  const ways = [
    ['llbc frontend (gateway.v0, source=llbc image)', [...common, '--frontend', 'gateway.v0', '--opt', `source=${FRONTEND_REF}`, '--opt', 'filename=build.llb']],
    ["BuildKit's dockerfile.v0 (built in)", [...common, '--frontend', 'dockerfile.v0', '--opt', 'filename=Dockerfile']],
  ];
  // Uncached first: the image pulls, the steps run; the runs after it are what is measured.
  const first = [];
  for (const [, args] of ways) first.push(await timed(ctx, args));
  const times = ways.map(() => []);
  // Interleaved, so that whatever else the machine does weighs on both alike.
  for (let i = 0; i < RUNS; i++) for (const [w, [, args]] of ways.entries()) times[w].push(await timed(ctx, args));
  out.write(`\nfully cached buildctl build, median of ${RUNS} (min-max), the first uncached run beside it:\n`);
  for (const [w, [name]] of ways.entries()) {
    const t = times[w];
    out.write(`  ${name.padEnd(48)} ${median(t).toFixed(0).padStart(5)} ms  (${Math.min(...t).toFixed(0)}-${Math.max(...t).toFixed(0)})  first ${first[w].toFixed(0)} ms\n`);
  }
  const ratio = median(times[0]) / median(times[1]);
  out.write(`  llbc/dockerfile.v0: ${ratio.toFixed(2)}x\n`);
}
