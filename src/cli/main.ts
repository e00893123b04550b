import { Command, CommanderError } from 'commander';
import { isDiagnostic } from '../diagnostics.js';
import { buildCommand } from './build.js';
import { configCommand } from './config.js';
import { diffCommand } from './diff.js';
import { dumpCommand } from './dump.js';
import { fmtCommand } from './fmt.js';
import { frontendCommand } from './frontend.js';
import { lspCommand } from './lsp.js';
import { ExitStatus, report } from './io.js';

/**
 * The CLI, which bin/llbc runs from the bundle. Nothing runs on import, so that the build can
 * also load the bundle to train its code cache (scripts/code-cache.cjs).
 *
 * Exit codes: 0 success, 1 bad input (or a difference, for commands that compare), 2 internal
 * error (for diff: trouble).
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('llbc')
    .description('Compile a Dockerfile-like build language to BuildKit LLB')
    .version('0.1.0')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (s, write) => write(`llbc: ${s.replace(/^error: /, 'error: ')}`) });
  buildCommand(program);
  configCommand(program);
  dumpCommand(program);
  diffCommand(program);
  fmtCommand(program);
  frontendCommand(program);
  lspCommand(program);
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitStatus) return e.code;
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (isDiagnostic(e)) {
      report(e);
      return 1;
    }
    const err = e as Error;
    process.stderr.write(`llbc: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env.LLBC_DEBUG) process.stderr.write(`${err?.stack}\n`);
    process.stderr.write('This is a bug in llbc; please report it with the build file.\n');
    return 2;
  }
}

