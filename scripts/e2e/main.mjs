// npm run e2e [-- CASE...]: builds every case of fixtures/e2e with a real buildkitd, then stops it.
import { join } from 'node:path';
import { loadCases } from './cases.mjs';
import { createHarness, REPO } from './harness.mjs';
import { ensureHost, findBuildKit, SetupError } from './host.mjs';
import { runCase } from './run-case.mjs';

const CASES = join(REPO, 'fixtures', 'e2e');
// Two builds at a time keep both cores busy: a build waits on its processes as much as it runs.
const JOBS = Number(process.env.LLBC_E2E_JOBS) || 2;

const log = (msg) => process.stderr.write(`e2e: ${msg}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function runAll(ctx, cases) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const start = Date.now();
      let problems;
      try {
        problems = await runCase(ctx, c);
      } catch (e) {
        problems = [`harness error: ${e.message}`];
      }
      const r = { name: c.name, problems, ms: Date.now() - start };
      results.push(r);
      const line = `${problems.length ? 'FAIL' : 'ok  '} ${c.name} (${seconds(r.ms)})`;
      process.stdout.write(`${[line, ...problems.map((p) => `  ${c.name}: ${p}`)].join('\n')}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(JOBS, cases.length) }, worker));
  return results;
}

async function main() {
  const started = Date.now();
  const cases = loadCases(CASES, process.argv.slice(2));
  const buildkit = await findBuildKit();
  await ensureHost(log);
  const ctx = createHarness(buildkit);
  let interrupted = false;
  const onSignal = (sig) => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: stopping everything`);
    ctx.stop().then(() => process.exit(130));
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, onSignal);
  let results;
  try {
    await ctx.start(log);
    log(`ready in ${seconds(Date.now() - started)}; building ${cases.length} case(s), ${JOBS} at a time`);
    results = await runAll(ctx, cases);
  } finally {
    const { detached, stillMounted } = await ctx.stop();
    if (detached.length) log(`detached ${detached.length} mount(s) left by buildkitd`);
    if (stillMounted.length) log(`still mounted, ${ctx.tmp} kept: ${stillMounted.join(', ')}`);
  }
  const failed = results.filter((r) => r.problems.length);
  const total = seconds(Date.now() - started);
  process.stdout.write(`e2e: ${results.length - failed.length} passed, ${failed.length} failed${failed.length ? ` (${failed.map((r) => r.name).join(', ')})` : ''} in ${total}\n`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(e instanceof SetupError ? e.message : e.stack ?? String(e));
    process.exit(e instanceof SetupError ? 2 : 1);
  },
);
