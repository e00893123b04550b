import type { Command } from 'commander';
import { compileFlags, type CompileFlags } from './flags.js';
import { ExitStatus } from './io.js';

export function diffCommand(program: Command): void {
  const diff = program
    .command('diff')
    .description('compare two Definitions op by op, matched by their place in the graph; exit 0 if equal, 1 if not, 2 on trouble')
    .argument('<a>', 'a build file, a Definition or a dump, told apart by their content; - for standard input')
    .argument('<b>', 'the same, to compare with the first');
  compileFlags(diff).action(async (a: string, b: string, flags: CompileFlags) => {
    const { runDiff } = await import('./inspect.js');
    await runDiff(a, b, flags);
  });
  // Like diff(1), a usage error is trouble (2), not a difference (1). main() gives every
  // command the default exit override after registration, so this one is set when the
  // command is about to run.
  program.hook('preSubcommand', (_program, sub) => {
    if (sub !== diff) return;
    diff.exitOverride((e) => {
      throw e.exitCode === 0 ? e : new ExitStatus(2);
    });
  });
}

