import { Diagnostic, SourceFile } from './diagnostics.js';
import { marshal, type Definition } from './llb/definition.js';
import { newConstraints } from './llb/constraints.js';
import type { Platform } from './llb/platform.js';
import { lower, type CopyMode, type Lowered } from './lower/lower.js';
import { parse } from './syntax/parser.js';
import { encodeDefinition } from './wire/definition.js';

export interface CompileOptions {
  readonly buildArgs?: ReadonlyMap<string, string>;
  readonly target?: string;
  readonly platform?: Platform;
  readonly copyImage?: string;
  readonly copyMode?: CopyMode;
  readonly debugInfo?: boolean;
}

export interface Compiled {
  readonly bytes: Uint8Array;
  readonly warnings: readonly Diagnostic[];
}

export const defaultPlatform: Platform = { os: 'linux', architecture: 'amd64' };
export const defaultCopyImage = 'docker.io/library/alpine:latest';

/** Source text to marshalled pb.Definition: the whole pipeline, no I/O. Throws Diagnostic on bad input. */
export function compile(source: SourceFile, options: CompileOptions = {}): Compiled {
  checkText(source);
  const { def, warnings } = definitionOf(source, options);
  const sources = options.debugInfo ? [{ filename: source.name, data: Buffer.from(source.text, 'utf8'), language: 'llb' }] : [];
  return { bytes: encodeDefinition(def, sources), warnings };
}

// One function per phase, so that each phase's input is garbage once the phase is done: for a
// 100,000-instruction file the syntax tree and the op graph each weigh more than the output.
function definitionOf(source: SourceFile, options: CompileOptions): { def: Definition; warnings: readonly Diagnostic[] } {
  const platform = options.platform ?? defaultPlatform;
  const { state, warnings } = lowerSource(source, platform, options);
  return { def: marshal(state, newConstraints({ platform, localUniqueID: 'llbc' })), warnings };
}

function lowerSource(source: SourceFile, platform: Platform, options: CompileOptions): Lowered {
  return lower(parse(source), {
    buildArgs: options.buildArgs ?? new Map(),
    target: options.target,
    platform,
    copyImage: options.copyImage ?? defaultCopyImage,
    copyMode: options.copyMode,
    debugInfo: options.debugInfo,
  });
}

/** NUL bytes mean the input is not a text file; say so instead of reporting odd syntax. */
function checkText(source: SourceFile): void {
  const nul = source.text.indexOf('\0');
  if (nul >= 0) throw new Diagnostic(source, nul, 'the build file contains a NUL byte; is it a text file?');
}

/** Decodes file bytes as UTF-8, rejecting invalid sequences with their position. */
export function decodeSource(name: string, bytes: Uint8Array): SourceFile {
  try {
    return new SourceFile(name, new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const at = lossy.indexOf('\uFFFD');
    throw new Diagnostic(new SourceFile(name, lossy), Math.max(0, at), 'the build file is not valid UTF-8');
  }
}
