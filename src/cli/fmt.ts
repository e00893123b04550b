import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { Diagnostic, isDiagnostic, rejectBinary } from '../diagnostics.js';
import { ExitStatus, readSource, report, writeStdout } from './io.js';
import { modeFlag } from './flags.js';
import { fileMode } from '../options.js';

interface FmtFlags {
  mode?: string;
  write?: boolean;
  check?: boolean;
  diff?: boolean;
  stdinFilepath?: string;
}

interface Checked {
  readonly path: string;
  readonly name: string;
  readonly original: string;
  readonly formatted: string;
}

/**
 * `llbc fmt`: exit status 0 when all went well, 1 when --check or --diff found a file that is
 * not formatted, 2 when a file could not be read or parsed (it is then left alone, and nothing
 * is written to standard output).
 */
export function fmtCommand(program: Command): void {
  program
    .command('fmt')
    .description('format build files in the canonical style (see the README)')
    .argument('[files...]', 'build files; none, or -, reads standard input')
    .addOption(new Option('-w, --write', 'rewrite the files in place instead of printing them').conflicts(['check', 'diff']))
    .addOption(new Option('-c, --check', 'print the names of files that are not formatted (exit status 1 if any)').conflicts('diff'))
    .option('--diff', 'print a unified diff of what formatting would change (exit status 1 if anything)')
    .option('--stdin-filepath <path>', 'the name standard input goes by in messages (and whose name decides the mode)')
    .option('--mode <mode>', 'the language of the files: dockerfile or llbc (default: as for build, a `# mode=` directive, else the file name)')
    .action(async (files: string[], flags: FmtFlags) => {
      // Loaded here so that `llbc build` does not load the formatter.
      const [{ format }, { parse }] = await Promise.all([import('../syntax/format.js'), import('../syntax/parser.js')]);
      const mode = modeFlag(flags.mode);
      const paths = files.length === 0 ? ['-'] : files;
      const done: Checked[] = [];
      let failed = false;
      for (const path of paths) {
        try {
          const source = await readSource(path, path === '-' ? flags.stdinFilepath : undefined);
          rejectBinary(source);
          const file = parse(source);
          done.push({ path, name: source.name, original: source.text, formatted: format(file, { mode: mode ?? fileMode(file) }) });
        } catch (e) {
          if (!isDiagnostic(e)) throw e;
          report(e);
          failed = true;
        }
      }

      let unformatted = false;
      if (flags.write) {
        let out = '';
        for (const f of done) {
          if (f.path === '-') out += f.formatted;
          else if (f.formatted !== f.original) failed = !(await rewrite(f)) || failed;
        }
        if (out !== '' && !failed) await writeStdout(out);
      } else if (!failed) {
        let out = '';
        for (const f of done) {
          const changed = f.formatted !== f.original;
          unformatted ||= changed;
          if (flags.check) out += changed ? `${f.name}\n` : '';
          else if (flags.diff) out += await diffOf(f);
          else out += f.formatted;
        }
        await writeStdout(out);
      }
      if (failed) throw new ExitStatus(2);
      if (unformatted && (flags.check || flags.diff)) throw new ExitStatus(1);
    });
}

async function diffOf(f: Checked): Promise<string> {
  const { unifiedDiff } = await import('./unified-diff.js');
  return unifiedDiff(f.original, f.formatted, f.name, f.name);
}

/**
 * Replaces the file in one step: the text goes to a temporary file beside it (same file system,
 * same permissions), which is then renamed over the original, so an editor or a crash never sees
 * half a file. A symbolic link is followed, and the file it points to is replaced.
 */
async function rewrite(f: Checked): Promise<boolean> {
  let tmp: string | undefined;
  try {
    const target = await realpath(f.path);
    const mode = (await stat(target)).mode & 0o7777;
    tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.llbc-fmt`);
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(f.formatted);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
    return true;
  } catch (e) {
    if (tmp) await rm(tmp, { force: true });
    report(new Diagnostic(undefined, 0, `cannot write ${f.name}: ${(e as Error).message}`));
    return false;
  }
}
