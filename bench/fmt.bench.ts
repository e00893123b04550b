// `llbc fmt` speed: in-process formatting of generated files of 1k, 10k and 100k lines (each
// size in its own process, so its peak memory is its own; parse and format are the best of
// several runs, after a first, cold one), and the wall time of the real CLI formatting
// fixtures/buildkit0.llb, start-up included, which is what an editor waits for on save.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SourceFile } from '../src/diagnostics.js';
import { format } from '../src/syntax/format.js';
import { parse } from '../src/syntax/parser.js';
import { repoRoot, wallMs } from './wall.js';

const sizes = [1_000, 10_000, 100_000];

interface Measured {
  lines: number;
  bytes: number;
  /** The first parse + format in a fresh process: what one `llbc fmt` run pays. */
  coldMs: number;
  /** The best of several more, once the JIT has compiled the code. */
  parseMs: number;
  formatMs: number;
  peakRssMb: number;
}

/** A messy but valid build file of about `lines` lines: every formatter rule has work to do. */
export function generate(lines: number): string {
  // mulberry32: a fixed seed, so every run formats the same text.
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const out: string[] = ['#COPY = file', 'arg  VERSION=1.0'];
  let stage = 0;
  while (out.length < lines) {
    out.push('', '', `# stage ${stage}`, `from   alpine:3.18   as s${stage}`);
    for (let i = 0; i < 40 && out.length < lines; i++) {
      switch (rand(8)) {
        case 0:
          out.push(`run   --network=none  --mount=type=cache,target=/c${i}   echo   "step  ${i}"  $VERSION`);
          break;
        case 1:
          out.push(`RUN apk add --no-cache \\`, `      curl \\`, `  # tools`, `\tgit \\`, `        make`);
          break;
        case 2:
          out.push(`Copy  --chmod=0755 --from=s${Math.max(0, stage - 1)}  /bin/tool${i}   /usr/local/bin/   `);
          break;
        case 3:
          out.push(`env  K${i}=v${i}   PATH="/opt/bin:$PATH"`);
          break;
        case 4:
          out.push(`RUN [ "sh","-c" ,  "echo ${i} && ls -l /" ]`);
          break;
        case 5:
          out.push(`workdir   /src/app${i}`, '');
          break;
        case 6:
          out.push(`# a comment about step ${i}   `);
          break;
        default:
          out.push(`RUN printf '%s\\n' 'a   b'   c\\ d   \${VERSION:-x  y}`);
      }
    }
    stage++;
  }
  return `${out.slice(0, lines).join('\n')}\n`;
}

function measure(lines: number): Measured {
  const text = generate(lines);
  const time = () => {
    const t0 = performance.now();
    const tree = parse(new SourceFile('bench.llb', text));
    const t1 = performance.now();
    if (format(tree).length === 0) throw new Error('nothing formatted');
    return { parse: t1 - t0, format: performance.now() - t1 };
  };
  const cold = time();
  let best = { parse: Infinity, format: Infinity };
  for (let i = 0; i < (lines >= 100_000 ? 3 : 10); i++) {
    const t = time();
    if (t.parse + t.format < best.parse + best.format) best = t;
  }
  return {
    lines,
    bytes: Buffer.byteLength(text),
    coldMs: cold.parse + cold.format,
    parseMs: best.parse,
    formatMs: best.format,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

export default async function (): Promise<void> {
  process.stdout.write('| lines | bytes | first run ms | parse ms | format ms | lines/s | peak RSS MB |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n');
  for (const lines of sizes) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), String(lines)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`fmt bench for ${lines} lines failed: ${child.stderr}`);
    const m = JSON.parse(child.stdout) as Measured;
    const warm = m.parseMs + m.formatMs;
    process.stdout.write(
      `| ${m.lines} | ${m.bytes} | ${m.coldMs.toFixed(1)} | ${m.parseMs.toFixed(1)} | ${m.formatMs.toFixed(1)} | ${Math.round((m.lines / warm) * 1000)} | ${m.peakRssMb.toFixed(0)} |\n`,
    );
  }
  const runs = 15;
  const llbc = join(repoRoot, 'bin', 'llbc');
  const fmt = wallMs([llbc, 'fmt', 'fixtures/buildkit0.llb'], runs);
  const version = wallMs([llbc, '--version'], runs);
  process.stdout.write(`\n\`bin/llbc fmt fixtures/buildkit0.llb\`: ${fmt.toFixed(0)} ms wall (median of ${runs}); \`bin/llbc --version\`: ${version.toFixed(0)} ms\n`);
}

// Run as a script (by the default export above), measure one size and report it as JSON.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(JSON.stringify(measure(Number(process.argv[2]))));
}
