import type { Command } from 'commander';
import { compileFlags, type DumpFlags } from './flags.js';

export function dumpCommand(program: Command): void {
  const dump = program
    .command('dump')
    .description('print a Definition one op per line as `buildctl debug dump-llb` does (compiling a build file first)')
    .argument('[file]', 'a build file, a Definition or a dump, told apart by their content; - or nothing for standard input', '-')
    .option('--dot', 'print a Graphviz graph of the ops instead');
  compileFlags(dump).action(async (file: string, flags: DumpFlags) => {
    const { runDump } = await import('./inspect.js');
    await runDump(file, flags);
  });
}
