import type { Command } from 'commander';
import { compileFlags, compileOptions, type CompileFlags } from './flags.js';
import { readSource, report } from './io.js';

export function configCommand(program: Command): void {
  const config = program
    .command('config')
    .description("print the target stage's OCI image configuration as JSON (base images' parts are unknown offline)")
    .argument('<file>', 'the build file, or - for standard input');
  compileFlags(config).action(async (file: string, flags: CompileFlags) => {
    const options = compileOptions(flags);
    // Loaded here, so that the other commands and --help do not load the compiler.
    const [{ compileConfig }, source] = await Promise.all([import('../compile.js'), readSource(file)]);
    const { json, warnings } = compileConfig(source, options);
    for (const w of warnings) report(w);
    process.stdout.write(`${json}\n`);
  });
}
