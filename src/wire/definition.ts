import type { Definition } from '../llb/definition.js';
import { encodeMessage, LazyMap } from './encode.js';

export interface SourceInfo {
  readonly filename: string;
  readonly data: Uint8Array;
  readonly language: string;
}

/** Go's Definition.ToPB().Marshal(): what `llb.WriteTo` writes. */
export function encodeDefinition(def: Definition, sources: readonly SourceInfo[] = []): Uint8Array {
  // Go's source map collector gives every op an entry, so Source is written even when empty.
  const none = { locations: [] };
  const locations = new LazyMap(
    () => def.locations.keys(),
    (digest) => {
      const locs = def.locations.get(digest)!;
      if (locs.length === 0) return none;
      return {
        locations: locs.map((l) => ({
          sourceIndex: l.sourceIndex,
          ranges: l.ranges.map((r) => ({ start: { line: r.start }, end: { line: r.end } })),
        })),
      };
    },
  );
  return encodeMessage('Definition', { def: def.def, metadata: def.metadata, Source: { locations, infos: sources } }, encodedSize(def, sources));
}

/**
 * The encoded size, give or take a few bytes (zero fields are counted), so that a large
 * Definition is written into one buffer allocated once.
 */
function encodedSize(def: Definition, sources: readonly SourceInfo[]): number {
  let size = 0;
  for (const op of def.def) size += field(op.length);
  for (const [digest, md] of def.metadata) {
    let entry = 0;
    for (const cap in md.caps) entry += field(field(cap.length) + 2);
    for (const key in md.description ?? {}) entry += field(field(key.length) + field(Buffer.byteLength(md.description![key])));
    size += field(field(digest.length) + field(entry));
  }
  let source = 0;
  for (const [digest, locs] of def.locations) {
    let entry = 0;
    for (const l of locs) entry += field(11 + l.ranges.length * field(2 * field(11)));
    source += field(field(digest.length) + field(entry));
  }
  for (const info of sources) source += field(field(info.data.length) + field(Buffer.byteLength(info.filename)) + field(info.language.length));
  // Slack for the writer, which wants room for a whole varint before writing one.
  return size + field(source) + 64;
}

/** A length-delimited field of n bytes: its key (field numbers are below 16), length and contents. */
function field(n: number): number {
  let width = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) width++;
  return 1 + width + n;
}
