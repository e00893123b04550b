import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { Diagnostic } from '../diagnostics.js';
import { buildModes, defaultCopyImage, type BuildMode, type CompileOptions } from '../options.js';
import { readDockerignore } from '../lower/dockerignore.js';
import { parsePlatform, PlatformError } from '../llb/platform.js';

// The flags the commands share, apart from the commands: build, dump, diff and the inspect
// functions they load all read them, and none of those imports another for them.

/** The flags of every command that compiles a build file. */
export interface CompileFlags {
  platform?: string;
  target?: string;
  buildArg: string[];
  copyImage: string;
  copy?: string;
  debugInfo: boolean;
  mode?: string;
}

/** `dump`'s flags. */
export interface DumpFlags extends CompileFlags {
  dot?: boolean;
}

export function compileFlags(command: Command): Command {
  return command
    .option('--platform <os/arch[/variant]>', 'the platform to build for', 'linux/amd64')
    .option('--target <stage>', 'build this stage instead of the last one')
    .option('--build-arg <name=value>', 'set a build argument (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--copy-image <ref>', 'the image COPY runs cp in', defaultCopyImage)
    .option('--copy <mode>', 'how COPY copies: exec (cp in a helper image) or file (a FileOp); overrides the # copy= directive')
    .option('--mode <mode>', 'the language of the build file: dockerfile or llbc (default: a `# mode=` directive, else dockerfile for files named Dockerfile, *.Dockerfile or Dockerfile.*, else llbc)')
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
    mode: modeFlag(flags.mode),
  };
}

export function modeFlag(mode: string | undefined): BuildMode | undefined {
  if (mode === undefined || (buildModes as readonly string[]).includes(mode)) return mode as BuildMode | undefined;
  throw new Diagnostic(undefined, 0, `--mode ${JSON.stringify(mode)}: use dockerfile or llbc`);
}

/**
 * The options for compiling one build file: with the exclude patterns of the ignore file beside
 * it, `FILE.dockerignore` else `.dockerignore`, as BuildKit's Dockerfile frontend reads them
 * (the build file's directory stands for the context).
 */
export function forBuildFile(options: CompileOptions, file: string): CompileOptions {
  if (file === '-') return options;
  for (const path of [`${file}.dockerignore`, join(dirname(file), '.dockerignore')]) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const excludePatterns = readDockerignore(text);
    return excludePatterns.length > 0 ? { ...options, contextSource: { ...options.contextSource, excludePatterns } } : options;
  }
  return options;
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
