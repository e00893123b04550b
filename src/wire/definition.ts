import type { SourceLocation } from '../llb/constraints.js';
import type { Definition } from '../llb/definition.js';
import { encodeInBlocks, encodeMessage, fieldHeader } from './encode.js';

export interface SourceInfo {
  readonly filename: string;
  readonly data: Uint8Array;
  readonly language: string;
}

/** Go's Definition.ToPB().Marshal(): what `llb.WriteTo` writes. */
export function encodeDefinition(def: Definition, sources: readonly SourceInfo[] = []): Uint8Array {
  const locations = new Map([...def.locations].map(([digest, locs]) => [digest, pbLocations(locs)]));
  // Go's source map collector gives every op an entry, so Source is written even when empty.
  return encodeMessage('Definition', { def: def.def, metadata: def.metadata, Source: { locations, infos: sources } });
}

/**
 * The same bytes as encodeDefinition, in pieces made as they are consumed: the ops (most of a
 * large Definition) are copied into small blocks a few at a time instead of into one buffer
 * beside the ops' own, which halves what writing a large Definition costs in memory. All the
 * rest is encoded before the first piece, so nothing can fail halfway through, and its large
 * maps a part at a time, so that they are never converted for the encoder as a whole.
 */
export function encodeDefinitionPieces(def: Definition, sources: readonly SourceInfo[] = []): Iterable<Uint8Array> {
  const metadata = [...encodeInBlocks('Definition', parts(def.metadata, (md) => md, (part) => ({ metadata: part })))];
  // Source is one field, a message holding a large map: its fields are encoded in blocks too,
  // to follow its key and length.
  const source = [
    ...encodeInBlocks('Source', (function* () {
      yield* parts(def.locations, pbLocations, (part) => ({ locations: part }));
      yield { infos: sources };
    })()),
  ];
  const sourceHeader = fieldHeader('Definition', 'Source', source.reduce((n, block) => n + block.length, 0));
  return (function* () {
    yield* encodeInBlocks('Definition', (function* () {
      for (const op of def.def) yield { def: [op] };
    })());
    yield* metadata;
    yield sourceHeader;
    yield* source;
  })();
}

/**
 * A map in parts of consecutive keys, in Go's order (the keys are digests: ASCII), each made
 * into a message that holds it: put one after another, they are the whole map.
 */
function* parts<V>(map: ReadonlyMap<string, V>, value: (v: V) => object, message: (part: Record<string, object>) => object): Generator<object> {
  const keys = [...map.keys()].sort();
  for (let i = 0; i < keys.length; i += 1024) {
    // A hash table from the start, as many different keys would make one anyway.
    const part: Record<string, object> = Object.create(null);
    for (const k of keys.slice(i, i + 1024)) part[k] = value(map.get(k)!);
    yield message(part);
  }
}

function pbLocations(locs: readonly SourceLocation[]): object {
  return {
    locations: locs.map((l) => ({
      sourceIndex: l.sourceIndex,
      ranges: l.ranges.map((r) => ({ start: { line: r.start }, end: { line: r.end } })),
    })),
  };
}
