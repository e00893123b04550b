import { decodeSource, Diagnostic, rejectBinary, SourceFile } from './diagnostics.js';
import { Definition, marshal } from './llb/definition.js';
import { newConstraints } from './llb/constraints.js';
import type { Platform } from './llb/platform.js';
import { lower, type Lowered } from './lower/lower.js';
import { imageConfigJSON, type ImageConfig } from './lower/imageconfig.js';
import type { State } from './llb/state.js';
import { defaultCopyImage, defaultPlatform, fileMode, type CompileOptions } from './options.js';
import type { BuildFile } from './syntax/cst.js';
import { parse } from './syntax/parser.js';
import { encodeDefinitionPieces, type SourceInfo } from './wire/definition.js';

export interface Compiled {
  readonly bytes: Uint8Array;
  readonly warnings: readonly Diagnostic[];
}

// Defined apart so the CLI can start without loading the compiler; exported here too, with it.
export { decodeSource, defaultCopyImage, defaultPlatform, type CompileOptions };

/** Source text to marshalled pb.Definition: the whole pipeline, no I/O. Throws Diagnostic on bad input. */
export function compile(source: SourceFile, options: CompileOptions = {}): Compiled {
  const { pieces, warnings } = compileInPieces(source, options);
  return { bytes: Buffer.concat([...pieces]), warnings };
}

/** What a frontend needs besides the Definition: the target stage's image configuration. */
export interface CompiledTarget extends Compiled {
  /** The target stage's OCI image configuration (see Lowered.config; imageConfigJSON prints it). */
  readonly config: ImageConfig;
}

/**
 * `llbc config`: the target stage's OCI image configuration as JSON, in the field order of the
 * JSON BuildKit's Dockerfile frontend returns as `containerimage.config`. Base images' parts are
 * unknown offline (empty, as BuildKit's reference resolves every image to), unless
 * options.baseImage resolves them.
 */
export function compileConfig(source: SourceFile, options: CompileOptions = {}): { json: string; warnings: readonly Diagnostic[] } {
  rejectBinary(source);
  const { config, warnings } = lowerSource(source, options.platform ?? defaultPlatform, options, true);
  return { json: imageConfigJSON(config), warnings };
}

/**
 * compile(), for writing out: the same bytes, in pieces made as they are consumed. The build
 * file is lowered here, so any Diagnostic is thrown before the first piece; the op graph is
 * marshalled as the pieces are read, and each op's bytes written as soon as it is made, so
 * that a large Definition is never in memory whole.
 */
export function compileInPieces(source: SourceFile, options: CompileOptions = {}): { pieces: Iterable<Uint8Array>; warnings: readonly Diagnostic[] } {
  const { pieces, warnings } = piecesOf(source, options, false);
  return { pieces, warnings };
}

/** compileInPieces, for a frontend: with the target's image configuration, history included. */
export function compileTargetInPieces(source: SourceFile, options: CompileOptions = {}): { pieces: Iterable<Uint8Array> } & Omit<CompiledTarget, 'bytes'> {
  return piecesOf(source, options, true);
}

function piecesOf(source: SourceFile, options: CompileOptions, imageConfig: boolean): { pieces: Iterable<Uint8Array> } & Omit<CompiledTarget, 'bytes'> {
  rejectBinary(source);
  const platform = options.platform ?? defaultPlatform;
  const lowered = lowerSource(source, platform, options, imageConfig);
  return {
    pieces: heldBack(definitionPieces(lowered.state, platform, sourceInfos(source, options))),
    warnings: lowered.warnings,
    get config() {
      return lowered.config;
    },
  };
}

/** The state's graph as a pb.Definition, in pieces made as they are read (see encodeDefinitionPieces). */
export function definitionPieces(state: State, platform: Platform, sources: readonly SourceInfo[] = []): Iterable<Uint8Array> {
  const c = newConstraints({ platform, localUniqueID: 'llbc' });
  const def = new Definition(c);
  return encodeDefinitionPieces(marshal(state, c, def), def, sources);
}

/**
 * The pieces, none of them until the whole Definition or 4 MB of it is ready: a bug that
 * stops marshalling partway then writes nothing, for all but very large builds, which are
 * streamed so that they are never in memory whole.
 */
function* heldBack(pieces: Iterable<Uint8Array>, limit = 4 << 20): Generator<Uint8Array> {
  const it = pieces[Symbol.iterator]();
  const held: Uint8Array[] = [];
  let size = 0;
  for (let r = it.next(); !r.done; r = it.next()) {
    held.push(r.value);
    size += r.value.length;
    if (size >= limit) {
      yield* held;
      held.length = 0;
      yield* { [Symbol.iterator]: () => it };
      return;
    }
  }
  yield* held;
}

function sourceInfos(source: SourceFile, options: CompileOptions): SourceInfo[] {
  return options.debugInfo ? [{ filename: source.name, data: source.text, language: 'llb' }] : [];
}

// A function of its own, so that the syntax tree is garbage once lowering is done: for a
// 100,000-instruction file it weighs more than the output.
function lowerSource(source: SourceFile, platform: Platform, options: CompileOptions, imageConfig = false): Lowered {
  const file = parse(source);
  return lower(file, {
    mode: options.mode ?? fileMode(file),
    buildArgs: options.buildArgs ?? new Map(),
    target: options.target,
    platform,
    copyImage: options.copyImage ?? defaultCopyImage,
    copyMode: options.copyMode,
    debugInfo: options.debugInfo,
    contextSource: options.contextSource,
    baseImage: options.baseImage,
    imageConfig,
  });
}
