// `llbc build` speed. Generated files of each shape and size are compiled each in a process of
// its own, so that the time is what one run of the CLI pays (cold code included) and the peak
// memory is that size's alone; time per instruction shows whether growth is linear. Then the
// real CLI, start-up included: the seed program (what a person waits for) and 10,000
// instructions of several shapes, each the median of several runs, beside a bare `node -e 0`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileInPieces } from '../src/compile.js';
import { SourceFile } from '../src/diagnostics.js';
import { repoRoot, wallMs } from './wall.js';
import { generated, shapes, type Shape } from './programs.js';

const cases: [Shape, number[]][] = [
  ['run', [1_000, 10_000, 100_000]],
  ['envrun', [1_000, 10_000, 100_000]],
  ['env', [1_000, 10_000, 100_000]],
  ['copy', [1_000, 10_000, 100_000]],
  ['stages', [1_000, 10_000, 100_000]],
  ['cross', [1_000, 10_000]],
  ['mixed', [10_000, 100_000]],
];

interface Measured {
  ms: number;
  bytes: number;
  peakRssMb: number;
}

/** One compile in this process, as the CLI does it (the Definition made and written in pieces). */
function measure(shape: Shape, n: number, debugInfo: boolean): Measured {
  const source = new SourceFile('bench.llb', generated(shape, n));
  const started = performance.now();
  let bytes = 0;
  for (const piece of compileInPieces(source, { debugInfo }).pieces) bytes += piece.length;
  return { ms: performance.now() - started, bytes, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

// The V8 flags bin/llbc runs with, so that the compiler is measured as the CLI runs it.
const { v8Flags } = createRequire(import.meta.url)(join(repoRoot, 'bin', 'llbc')) as { v8Flags: string[] };

function inChild(shape: Shape, n: number, debugInfo: boolean): Measured {
  const args = [...v8Flags, fileURLToPath(import.meta.url), shape, String(n), String(debugInfo)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`compile bench for ${n} ${shape} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Measured;
}

export default async function (): Promise<void> {
  process.stdout.write(
    '| shape | instructions | output bytes | compile ms | µs per instruction | peak RSS MB | peak RSS MB, --no-debug-info |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n',
  );
  for (const [shape, sizes] of cases) {
    for (const n of sizes) {
      const debug = inChild(shape, n, true);
      const plain = inChild(shape, n, false);
      process.stdout.write(
        `| ${shapes[shape]} | ${n} | ${debug.bytes} | ${debug.ms.toFixed(0)} | ${((debug.ms * 1000) / n).toFixed(1)} | ${debug.peakRssMb.toFixed(0)} | ${plain.peakRssMb.toFixed(0)} |\n`,
      );
    }
  }

  const llbc = join(repoRoot, 'bin', 'llbc');
  const dir = mkdtempSync(join(tmpdir(), 'llbc-bench-'));
  try {
    const wallRuns = 15;
    const node = wallMs(['-e', '0'], wallRuns);
    const seed = wallMs([llbc, 'fixtures/buildkit0.llb', '-o', join(dir, 'seed.pb')], wallRuns);
    process.stdout.write(
      `\nWall time from process start, median of ${wallRuns} runs: \`node -e 0\` ${node.toFixed(0)} ms; ` +
        `\`bin/llbc fixtures/buildkit0.llb -o FILE\` ${seed.toFixed(0)} ms.\n\n` +
        '| 10,000 instructions of | lines (stages: with their FROM lines) | CLI wall from process start, median of 5 |\n| --- | ---: | ---: |\n',
    );
    for (const shape of ['run', 'copy', 'stages', 'mixed'] as const satisfies readonly Shape[]) {
      const file = join(dir, `${shape}.llb`);
      const text = generated(shape, 10_000);
      writeFileSync(file, text);
      const lines = text.split('\n').filter((l) => l.trim() !== '').length;
      process.stdout.write(`| ${shapes[shape]} | ${lines} | ${wallMs([llbc, file, '-o', join(dir, `${shape}.pb`)], 5).toFixed(0)} ms |\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run as a script (by the default export above), measure one case and report it as JSON.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(JSON.stringify(measure(process.argv[2] as Shape, Number(process.argv[3]), process.argv[4] === 'true')));
}
