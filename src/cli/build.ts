import type { Command } from 'commander';
import { Diagnostic } from '../diagnostics.js';
import { defaultCopyImage, type CompileOptions } from '../options.js';
import { parsePlatform, PlatformError } from '../llb/platform.js';
import { readSource, report, writeFilePieces, writeStdoutPieces } from './io.js';

/** The flags of every command that compiles a build file. */
export interface CompileFlags {
  platform?: string;
  target?: string;
  buildArg: string[];
  copyImage: string;
  copy?: string;
  debugInfo: boolean;
}

interface BuildFlags extends CompileFlags {
  output?: string;
  check?: string;
  update?: boolean;
}

export function compileFlags(command: Command): Command {
  return command
    .option('--platform <os/arch[/variant]>', 'the platform to build for', 'linux/amd64')
    .option('--target <stage>', 'build this stage instead of the last one')
    .option('--build-arg <name=value>', 'set a build argument (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--copy-image <ref>', 'the image COPY runs cp in', defaultCopyImage)
    .option('--copy <mode>', 'how COPY copies: exec (cp in a helper image) or file (a FileOp); overrides the # copy= directive')
    .option('--no-debug-info', 'leave out step names and source maps');
}

export function compileOptions(flags: CompileFlags): CompileOptions {
  return {
    buildArgs: parseBuildArgs(flags.buildArg),
    target: flags.target,
    platform: platformFlag(flags.platform ?? 'linux/amd64'),
    copyImage: flags.copyImage,
    copyMode: copyModeFlag(flags.copy),
    debugInfo: flags.debugInfo,
  };
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
    const options = compileOptions(flags);
    // Loaded here, so that the other commands and --help do not load the compiler.
    const [{ compileInPieces }, source] = await Promise.all([import('../compile.js'), readSource(file)]);
    const { pieces, warnings } = compileInPieces(source, options);
    for (const w of warnings) report(w);
    if (flags.output) await writeFilePieces(flags.output, pieces);
    else await writeStdoutPieces(pieces);
  });
}

function parseBuildArgs(values: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf('=');
    const name = eq < 0 ? v : v.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Diagnostic(undefined, 0, `--build-arg ${JSON.stringify(v)}: expected NAME=VALUE`);
    // `--build-arg NAME` takes the value from the environment, as docker build does.
    const value = eq < 0 ? process.env[name] : v.slice(eq + 1);
    if (value !== undefined) out.set(name, value);
  }
  return out;
}

function platformFlag(spec: string) {
  try {
    return parsePlatform(spec);
  } catch (e) {
    if (e instanceof PlatformError) throw new Diagnostic(undefined, 0, `--platform ${JSON.stringify(spec)}: ${e.message}`);
    throw e;
  }
}

function copyModeFlag(mode: string | undefined): 'exec' | 'file' | undefined {
  if (mode === undefined || mode === 'exec' || mode === 'file') return mode;
  throw new Diagnostic(undefined, 0, `--copy ${JSON.stringify(mode)}: use exec or file`);
}
