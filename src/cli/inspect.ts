import { readFile } from 'node:fs/promises';
import { Diagnostic, isDiagnostic } from '../diagnostics.js';
import { compile, type CompileOptions } from '../compile.js';
import { diffGraphs, renderDiff } from '../debug/diff.js';
import { toDot } from '../debug/dot.js';
import { dumpPieces } from '../debug/dump.js';
import { buildGraph } from '../debug/graph.js';
import { detectFormat, load, loadDetected, type Loaded } from '../debug/load.js';
import { decodeDefinition } from '../wire/decode.js';
import { goJSON } from '../wire/json.js';
import { newMsg } from '../wire/reflect.js';
import { compileOptions, forBuildFile, type CompileFlags, type DumpFlags } from './flags.js';
import { ExitStatus, readBytes, readSource, report, stdoutColors, writeFilePieces, writeStdout, writeStdoutPieces } from './io.js';

async function loadInput(path: string, options: CompileOptions): Promise<Loaded> {
  const name = path === '-' ? '<stdin>' : path;
  const bytes = await readBytes(path, name);
  return loadDetected(name, path, bytes, forBuildFile(options, path), report);
}

export async function runDump(file: string, flags: DumpFlags): Promise<void> {
  const loaded = await loadInput(file, compileOptions(flags));
  if (flags.dot) await writeStdout(toDot(buildGraph(loaded.def)));
  else await writeStdoutPieces(dumpPieces(loaded.def));
}

/** Exit 0 when equal, 1 when not, 2 when an input cannot be read or compiled (said on stderr). */
export async function runDiff(a: string, b: string, flags: CompileFlags): Promise<void> {
  let left: Loaded;
  let right: Loaded;
  try {
    if (a === '-' && b === '-') throw new Diagnostic(undefined, 0, 'only one of the inputs can be standard input');
    const options = compileOptions(flags);
    left = await loadInput(a, options);
    right = await loadInput(b, options);
  } catch (e) {
    if (!isDiagnostic(e)) throw e;
    report(e);
    throw new ExitStatus(2);
  }
  const entries = diffGraphs(buildGraph(left.def), buildGraph(right.def));
  await writeStdout(renderDiff(entries, { a: left.name, b: right.name }, stdoutColors()));
  if (entries.length > 0) throw new ExitStatus(1);
}

export interface CheckFlags {
  readonly update: boolean;
  readonly output?: string;
}

/**
 * `build --check GOLDEN`: the golden file is a Definition (.pb) or a dump (.json, .jsonl;
 * other names go by their content), compared byte for byte in its own form. A difference
 * is shown op by op and exits 1; with --update the golden file is rewritten instead.
 */
export async function runCheck(file: string, golden: string, flags: CheckFlags, options: CompileOptions): Promise<void> {
  const { bytes, warnings } = compile(await readSource(file), forBuildFile(options, file));
  for (const w of warnings) report(w);
  if (flags.output) await writeFilePieces(flags.output, [bytes]);
  const old = await readGolden(golden, flags.update);
  const format = goldenFormat(golden, old);
  const compiled = decodeDefinition(bytes);
  const current = format === 'pb' ? bytes : Buffer.concat([...dumpPieces(compiled)]);
  if (old && Buffer.compare(old, current) === 0) return;
  if (old) {
    const before = load(golden, old, format, options, report);
    const after: Loaded = { name: `${file === '-' ? '<stdin>' : file} (compiled)`, def: compiled };
    const entries = diffGraphs(buildGraph(before.def), buildGraph(after.def));
    const color = stdoutColors();
    let text = renderDiff(entries, { a: golden, b: after.name }, color);
    if (entries.length === 0) {
      const why =
        format === 'dump'
          ? 'the golden dump has the same ops but not as `llbc dump` prints them'
          : goJSON('Source', before.def.source ?? newMsg()) !== goJSON('Source', after.def.source ?? newMsg())
            ? 'the ops and their metadata are the same; the source maps differ (the build file text or its lines)'
            : 'the ops and their metadata are the same, but not the bytes';
      text = `${color.bold(`--- ${golden}`)}\n${color.bold(`+++ ${after.name}`)}\n${why}\n`;
    }
    await writeStdout(text);
  }
  if (flags.update) {
    await writeFilePieces(golden, [current]);
    process.stderr.write(`llbc: ${old ? 'updated' : 'created'} ${golden}\n`);
    return;
  }
  throw new ExitStatus(1);
}

async function readGolden(path: string, update: boolean): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // readBytes words any other failure (a directory, no permission) as a diagnostic.
    if (err.code !== 'ENOENT') return readBytes(path);
    if (update) return undefined;
    throw new Diagnostic(undefined, 0, `cannot read ${path}: no such file (run with --update to create it)`);
  }
}

function goldenFormat(path: string, bytes: Uint8Array | undefined): 'pb' | 'dump' {
  const format = detectFormat(path, bytes ?? new Uint8Array(0));
  if (format === 'llb') {
    if (bytes && bytes.length > 0) throw new Diagnostic(undefined, 0, `${path} is a build file, not a golden .pb or dump`);
    throw new Diagnostic(undefined, 0, `cannot tell the golden file's format from ${JSON.stringify(path)}: name it .pb, .json or .jsonl`);
  }
  return format;
}
