import type { Command } from 'commander';
import { Diagnostic } from '../diagnostics.js';
import { compileFlags, compileOptions, forBuildFile, type CompileFlags } from './flags.js';
import { readSource, report, writeFilePieces, writeStdoutPieces } from './io.js';

interface BuildFlags extends CompileFlags {
  output?: string;
  check?: string;
  update?: boolean;
}

export function buildCommand(program: Command): void {
  const build = program
    .command('build', { isDefault: true })
    .description('compile a build file to a pb.Definition (pipe it into `buildctl build`)')
    .argument('<file>', 'the build file, or - for standard input')
    .option('-o, --output <file>', 'write the Definition to a file instead of standard output')
    .option('--check <golden>', 'compare with a golden .pb or dump (.json); print the differences and exit 1 if any')
    .option('--update', 'with --check: rewrite the golden file instead of failing');
  compileFlags(build).action(async (file: string, flags: BuildFlags) => {
    if (flags.update && !flags.check) throw new Diagnostic(undefined, 0, '--update needs --check GOLDEN');
    if (flags.check) {
      const { runCheck } = await import('./inspect.js');
      return runCheck(file, flags.check, { update: flags.update === true, output: flags.output }, compileOptions(flags));
    }
    if (!flags.output && process.stdout.isTTY) {
      throw new Diagnostic(undefined, 0, 'refusing to write a binary Definition to a terminal: pipe it into `buildctl build` or use -o FILE');
    }
    const options = forBuildFile(compileOptions(flags), file);
    // Loaded here, so that the other commands and --help do not load the compiler.
    const [{ compileInPieces }, source] = await Promise.all([import('../compile.js'), readSource(file)]);
    const { pieces, warnings } = compileInPieces(source, options);
    for (const w of warnings) report(w);
    if (flags.output) await writeFilePieces(flags.output, pieces);
    else await writeStdoutPieces(pieces);
  });
}
