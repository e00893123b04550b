// npm run e2e [-- CASE...]: builds every case of fixtures/e2e with a real buildkitd, then stops it.
// npm run e2e -- --bench: instead, times cached builds through llbc as a frontend (bench.mjs).
import { join } from 'node:path';
import { benchFrontend } from './bench.mjs';
import { loadCases, usesFrontend } from './cases.mjs';
import { pushFrontendImage } from './frontend.mjs';
import { createHarness, REPO } from './harness.mjs';
import { ensureHost, findBuildKit, SetupError } from './host.mjs';
import { runCase } from './run-case.mjs';

const CASES = join(REPO, 'fixtures', 'e2e');
const log = (msg) => process.stderr.write(`e2e: ${msg}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * One case at a time: llbc writes its build context as the same source op in every Definition
 * (`local://context`, `local.unique=llbc`), and buildkitd shares an op between the builds it runs
 * at once, so that two concurrent builds from different folders can read one folder's files.
 */
async function runAll(ctx, cases) {
  const results = [];
  for (const c of cases) {
    const start = Date.now();
    let problems;
    try {
      problems = await runCase(ctx, c);
    } catch (e) {
      problems = [`harness error: ${e.message}`];
    }
    // Interrupted: what the stopped build says is not the case's fault.
    if (ctx.stopped) break;
    results.push({ name: c.name, problems });
    const line = `${problems.length ? 'FAIL' : 'ok  '} ${c.name} (${seconds(Date.now() - start)})`;
    process.stdout.write(`${[line, ...problems.map((p) => `  ${c.name}: ${p}`)].join('\n')}\n`);
  }
  return results;
}

async function main() {
  const started = Date.now();
  const args = process.argv.slice(2);
  const bench = args.includes('--bench');
  const cases = bench ? [] : loadCases(CASES, args);
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
    if (bench || cases.some(usesFrontend)) {
      log('building the llbc frontend image');
      await pushFrontendImage(ctx);
    }
    if (bench) {
      log(`ready in ${seconds(Date.now() - started)}; benchmarking the frontend`);
      await benchFrontend(ctx);
      return 0;
    }
    log(`ready in ${seconds(Date.now() - started)}; building ${cases.length} case(s)`);
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
