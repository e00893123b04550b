import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceFile } from '../src/diagnostics.js';
import { compile, type CompileOptions } from '../src/compile.js';

/** The repository root (tests run from dist/test/...). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = join(repoRoot, 'fixtures');
export const llbcBin = join(repoRoot, 'bin', 'llbc');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs bin/llbc as a user would, with NO_COLOR so output is plain. */
export function runCli(args: readonly string[], options: { stdin?: string | Buffer; cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [llbcBin, ...args], {
    input: options.stdin ?? '',
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

export interface ConformanceCase {
  readonly set: string;
  readonly name: string;
  readonly llbPath: string;
  readonly text: string;
  readonly args: string[];
  readonly pb: Buffer;
  readonly json: string;
}

/** The conformance cases copied from the Go reference into fixtures/conformance. */
export function conformanceCases(): ConformanceCase[] {
  const base = join(fixturesDir, 'conformance');
  const out: ConformanceCase[] = [];
  for (const set of readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const f of readdirSync(join(base, set)).filter((n) => n.endsWith('.llb')).sort()) {
      const stem = join(base, set, f.slice(0, -4));
      out.push({
        set,
        name: f.slice(0, -4),
        llbPath: `${stem}.llb`,
        text: readFileSync(`${stem}.llb`, 'utf8'),
        args: existsSync(`${stem}.args`) ? readFileSync(`${stem}.args`, 'utf8').trim().split(/\s+/).filter(Boolean) : [],
        pb: readFileSync(`${stem}.pb`),
        json: readFileSync(`${stem}.json`, 'utf8'),
      });
    }
  }
  return out;
}

/** Compiles text in-process; conformance options (no debug info) unless told otherwise. */
export function compileText(text: string, options: CompileOptions = {}, name = 'build.llb'): Buffer {
  return Buffer.from(compile(new SourceFile(name, text), { debugInfo: false, ...options }).bytes);
}
