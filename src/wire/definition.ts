import type { Definition } from '../llb/definition.js';
import { encodeMessage, LazyMap } from './encode.js';

export interface SourceInfo {
  readonly filename: string;
  readonly data: Uint8Array;
  readonly language: string;
}

/** Go's Definition.ToPB().Marshal(): what `llb.WriteTo` writes. */
export function encodeDefinition(def: Definition, sources: readonly SourceInfo[] = []): Uint8Array {
  return encodeMessage('Definition', { def: def.def, metadata: def.metadata, Source: source(def, sources) }, encodedSize(def, sources));
}

/**
 * The same bytes as encodeDefinition, in pieces made as they are consumed: the ops (most of a
 * large Definition) are copied into small blocks one at a time instead of into one buffer
 * beside the ops' own, which halves what writing a large Definition costs in memory. All the
 * rest is encoded before the first piece, so nothing can fail halfway through.
 */
export function encodeDefinitionPieces(def: Definition, sources: readonly SourceInfo[] = []): Iterable<Uint8Array> {
  // Fields 2 and 3 encoded alone are the encoding's tail: a message is its fields, in order.
  const tail = encodeMessage('Definition', { metadata: def.metadata, Source: source(def, sources) }, encodedSize({ ...def, def: [] }, sources));
  return (function* () {
    const blockSize = 1 << 16;
    let block = Buffer.allocUnsafe(blockSize);
    let used = 0;
    for (const op of def.def) {
      const header = fieldHeader(op.length);
      if (used + header.length + op.length > blockSize && used > 0) {
        yield block.subarray(0, used);
        block = Buffer.allocUnsafe(blockSize);
        used = 0;
      }
      if (header.length + op.length > blockSize) {
        yield header;
        yield op;
        continue;
      }
      used += header.copy(block, used);
      block.set(op, used);
      used += op.length;
    }
    if (used > 0) yield block.subarray(0, used);
    yield tail;
  })();
}

/** The key and length of field 1 (def) holding n bytes. */
function fieldHeader(n: number): Buffer {
  const out = [0x0a];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

function source(def: Definition, sources: readonly SourceInfo[]): object {
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
  return { locations, infos: sources };
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
