// npm run e2e -- --bench: the time of a fully cached `buildctl build` through llbc as a
// frontend (gateway.v0) against the same build through BuildKit's own Dockerfile frontend
// (dockerfile.v0, built into buildkitd), each the median of several runs after a first, uncached
// one. Both read the same file, named Dockerfile, which llbc compiles in Dockerfile mode: the same
// graph, compiled by each frontend, with the same image configuration.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { FRONTEND_REF } from './frontend.mjs';
import { run } from './procs.mjs';

export const BENCH_FILE = `FROM alpine
ARG GREETING=hello
LABEL org.example.bench=true
ENV APP=bench
WORKDIR /app
COPY a.txt .
RUN cat a.txt > b.txt && echo "$GREETING" >> b.txt
EXPOSE 8080
USER user
ENTRYPOINT ["cat"]
CMD ["b.txt"]
`;

const RUNS = Number(process.env.LLBC_BENCH_RUNS) || 9;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One build: its time in ms, and its progress (buildctl's plain output). */
async function timed(ctx, args) {
  const start = process.hrtime.bigint();
  const r = await run(ctx.buildctl, ['--addr', ctx.addr, 'build', '--progress', 'plain', ...args]);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.code !== 0) throw new Error(`buildctl build ${args.join(' ')} failed:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`);
  return { ms, progress: r.stderr };
}

/**
 * A build's steps from buildctl's plain progress (`#N name` lines, then `#N CACHED` for a step
 * whose op BuildKit had run before): name -> cached, without the `[internal]` ones each frontend
 * makes its own way (the build file's transfer, the image metadata).
 */
function stepsOf(progress) {
  const names = new Map();
  const cached = new Set();
  for (const line of progress.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line);
    if (!m) continue;
    if (m[2] === 'CACHED') cached.add(m[1]);
    else if (!names.has(m[1]) && m[2].startsWith('[') && !m[2].startsWith('[internal]')) names.set(m[1], m[2]);
  }
  return new Map([...names].map(([n, name]) => [name, cached.has(n)]));
}

/**
 * How llbc's build, run right after dockerfile.v0's of the same file, differs from it: steps of
 * other names (the FROM step's names the pinned image), and steps not found in the cache that
 * dockerfile.v0's build filled (a source op, the FROM, is never reported cached). None if both
 * compiled the same graph.
 */
function graphDifferences(llbc, go) {
  const out = [];
  for (const [name, cached] of llbc) {
    if (!go.has(name)) out.push(`only llbc's: ${name}`);
    else if (!cached && !/^\[[^\]]*\] FROM /.test(name)) out.push(`not in dockerfile.v0's cache: ${name}`);
  }
  for (const name of go.keys()) if (!llbc.has(name)) out.push(`only dockerfile.v0's: ${name}`);
  return out;
}

/** Runs the benchmark against a started harness (with the frontend image pushed); prints its table. */
export async function benchFrontend(ctx, out = process.stdout) {
  const dir = join(ctx.tmp, 'bench');
  mkdirSync(join(dir, 'context'), { recursive: true });
  writeFileSync(join(dir, 'context', 'a.txt'), 'a\n');
  writeFileSync(join(dir, 'Dockerfile'), BENCH_FILE);
  const common = ['--local', `context=${join(dir, 'context')}`, '--local', `dockerfile=${dir}`, '--opt', 'filename=Dockerfile'];
  const ways = [
    ['llbc frontend (gateway.v0, source=llbc image)', [...common, '--frontend', 'gateway.v0', '--opt', `source=${FRONTEND_REF}`]],
    ["BuildKit's dockerfile.v0 (built in)", [...common, '--frontend', 'dockerfile.v0']],
  ];
  // Uncached first: the image pulls, the steps run; the runs after it are what is measured.
  // dockerfile.v0 first: llbc's build then finds every step in its cache if it compiled the same ops.
  const first = [];
  for (const [, args] of [...ways].reverse()) first.unshift(await timed(ctx, args));
  const differ = graphDifferences(stepsOf(first[0].progress), stepsOf(first[1].progress));
  const times = ways.map(() => []);
  // Interleaved, so that whatever else the machine does weighs on both alike.
  for (let i = 0; i < RUNS; i++) for (const [w, [, args]] of ways.entries()) times[w].push((await timed(ctx, args)).ms);
  const steps = stepsOf(first[0].progress).size;
  out.write(`\nthe same graph: ${differ.length ? `no\n${differ.map((d) => `  ${d}\n`).join('')}` : `yes (${steps} steps of the same names, found in the cache dockerfile.v0's build filled)`}\n`);
  if (process.env.LLBC_BENCH_PROGRESS) out.write(first.map((f) => f.progress).join('\n----\n'));
  out.write(`fully cached buildctl build, median of ${RUNS} (min-max), the first uncached run beside it (load average ${loadavg()[0].toFixed(1)}):\n`);
  for (const [w, [name]] of ways.entries()) {
    const t = times[w];
    out.write(`  ${name.padEnd(48)} ${median(t).toFixed(0).padStart(5)} ms  (${Math.min(...t).toFixed(0)}-${Math.max(...t).toFixed(0)})  first ${first[w].ms.toFixed(0)} ms\n`);
  }
  const ratio = median(times[0]) / median(times[1]);
  out.write(`  llbc/dockerfile.v0: ${ratio.toFixed(2)}x\n`);
}
