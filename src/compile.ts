import { decodeSource, Diagnostic, rejectBinary, SourceFile } from './diagnostics.js';
import { marshal, type Definition } from './llb/definition.js';
import { newConstraints } from './llb/constraints.js';
import type { Platform } from './llb/platform.js';
import { lower, type Lowered } from './lower/lower.js';
import { defaultCopyImage, defaultPlatform, type CompileOptions } from './options.js';
import { parse } from './syntax/parser.js';
import { encodeDefinition, encodeDefinitionPieces, type SourceInfo } from './wire/definition.js';

export interface Compiled {
  readonly bytes: Uint8Array;
  readonly warnings: readonly Diagnostic[];
}

// Defined apart so the CLI can start without loading the compiler; exported here too, with it.
export { decodeSource, defaultCopyImage, defaultPlatform, type CompileOptions };

/** Source text to marshalled pb.Definition: the whole pipeline, no I/O. Throws Diagnostic on bad input. */
export function compile(source: SourceFile, options: CompileOptions = {}): Compiled {
  rejectBinary(source);
  const { def, warnings } = definitionOf(source, options);
  return { bytes: encodeDefinition(def, sourceInfos(source, options)), warnings };
}

/**
 * compile(), for writing out: the same bytes, in pieces made as they are consumed, so that a
 * large Definition is never in memory twice (see encodeDefinitionPieces).
 */
export function compileInPieces(source: SourceFile, options: CompileOptions = {}): { pieces: Iterable<Uint8Array>; warnings: readonly Diagnostic[] } {
  rejectBinary(source);
  const { def, warnings } = definitionOf(source, options);
  return { pieces: encodeDefinitionPieces(def, sourceInfos(source, options)), warnings };
}

function sourceInfos(source: SourceFile, options: CompileOptions): SourceInfo[] {
  return options.debugInfo ? [{ filename: source.name, data: Buffer.from(source.text, 'utf8'), language: 'llb' }] : [];
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
