import { encodeBytesInBlocks, encodeInBlocks, encodeMessage, fieldHeader } from './encode.js';
import type * as pb from './messages.generated.js';

// What this reads of a Definition, declared here because wire is below llb: src/llb's
// Definition and SourceLocation are these shapes.

/** An op's place in its source files, as pb.Location holds it. */
export interface SourceLocation {
  readonly sourceIndex: number;
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
}

/** The entries of a Definition (one an op), and what pb.Definition holds of each beside its bytes. */
export interface Definition {
  /** The entries, in the digest order pb.Definition's maps are written in. */
  sortedEntries(): Int32Array;
  digest(entry: number): string;
  /** The entry's pb.OpMetadata. */
  metadata(entry: number): object;
  locations(entry: number): readonly SourceLocation[] | undefined;
}

export interface SourceInfo {
  readonly filename: string;
  /** The file: its bytes, or its text, which is written as UTF-8 a piece at a time. */
  readonly data: Uint8Array | string;
  readonly language: string;
}

/**
 * Go's Definition.ToPB().Marshal(), what `llb.WriteTo` writes, from the ops' bytes in order
 * and the Definition that holds the rest once they have all been read. It comes in pieces
 * made as they are consumed: the ops as they come (which, from marshal(), is as they are
 * made), then the rest, so that neither the ops nor all of the encoded metadata are ever in
 * memory at once.
 *
 * A message is its fields in order, and gogo writes a map as one field per entry, in key
 * order: so pb.Definition is written field by field, and its maps an entry at a time, each
 * encoded as a Definition (or Source) holding just that entry. Not in batches: a batch is
 * hundreds of like objects alive at once, and when V8's first young collection after the
 * code making them starts finds them so, it has that code allocate in the old generation from
 * then on (pretenuring), where, dead, they keep the young objects they point to alive: the peak
 * of a large compile then rose sharply, in one run of several.
 */
export function encodeDefinitionPieces(ops: Iterable<Uint8Array>, def: Definition, sources: readonly SourceInfo[] = []): Iterable<Uint8Array> {
  return (function* () {
    yield* encodeBytesInBlocks('Definition', 'def', ops);
    const entries = def.sortedEntries();
    // An entry at a time: see above.
    yield* encodeInBlocks('Definition', (function* (): Generator<pb.Definition> {
      for (const e of entries) yield { metadata: [{ key: def.digest(e), value: def.metadata(e) }] };
    })());
    // Source is one sub-message, whose length comes before it: its parts are counted first,
    // rather than kept.
    const infos = sources.map(sourceInfoParts);
    yield fieldHeader('Definition', 'Source', sourceLength(def, entries) + infos.reduce((n, info) => n + info.length, 0));
    yield* locationParts(def, entries);
    for (const info of infos) yield* info.parts();
  })();
}

/**
 * A Source.infos entry, its length first, then its parts. The file's contents are written as
 * they are, between the fields around them, rather than copied into the entry's encoding:
 * a large build file would otherwise be in memory three times at the end of its compilation,
 * as its text, as bytes, and in the encoding.
 */
function sourceInfoParts(info: SourceInfo): { length: number; parts: () => Iterable<Uint8Array> } {
  const before = encodeMessage('SourceInfo', { filename: info.filename });
  const after = encodeMessage('SourceInfo', { language: info.language });
  const dataLength = typeof info.data === 'string' ? Buffer.byteLength(info.data, 'utf8') : info.data.length;
  // protobuf leaves out empty bytes, as encodeMessage would.
  const dataHeader = dataLength > 0 ? fieldHeader('SourceInfo', 'data', dataLength) : new Uint8Array(0);
  const contentLength = before.length + dataHeader.length + dataLength + after.length;
  const header = fieldHeader('Source', 'infos', contentLength);
  return {
    length: header.length + contentLength,
    *parts() {
      yield header;
      yield before;
      yield dataHeader;
      yield* typeof info.data === 'string' ? utf8Pieces(info.data) : [info.data];
      yield after;
    },
  };
}

/** The text as UTF-8, 64K UTF-16 units at a time, never splitting a surrogate pair. */
function* utf8Pieces(text: string, size = 1 << 16): Generator<Uint8Array> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield Buffer.from(text.slice(at, end), 'utf8');
    at = end;
  }
}

/**
 * The length of locationParts(). A map entry's length depends only on how long its key is
 * (digests all are) and on which of its numbers are zero and how many bytes each of the
 * others takes: an entry of one line range is measured once for each such shape, others
 * each time.
 */
function sourceLength(def: Definition, entries: Int32Array): number {
  const shapes = new Map<number, number>();
  let length = 0;
  for (const e of entries) {
    const locs = def.locations(e);
    if (!locs) continue;
    const range = locs.length === 1 && locs[0].sourceIndex === 0 && locs[0].ranges.length === 1 ? locs[0].ranges[0] : undefined;
    if (locs.length > 0 && !range) {
      length += entryLength(locs);
      continue;
    }
    const shape = range ? varintWidth(range.start) * 16 + varintWidth(range.end) : -1;
    let size = shapes.get(shape);
    if (size === undefined) shapes.set(shape, (size = entryLength(locs)));
    length += size;
  }
  return length;
}

/** The encoded length of a source map entry of these locations. */
function entryLength(locs: readonly SourceLocation[]): number {
  return encodeMessage('Source', locationsEntry(placeholderDigest, locs)).length;
}

// As long as a digest; the length is all that counts.
const placeholderDigest = `sha256:${'0'.repeat(64)}`;

/** Bytes an int32 takes as a varint, 0 for zero (which protobuf leaves out). */
function varintWidth(n: number): number {
  if (n < 0) return 10;
  let width = 0;
  for (let v = n; v !== 0; v = Math.floor(v / 0x80)) width++;
  return width;
}

/** A Source holding just the op's source map entry. */
function locationsEntry(digest: string, locs: readonly SourceLocation[]): pb.Source {
  return { locations: [{ key: digest, value: { locations: locs.map(pbLocation) } }] };
}

/** Source.locations, one entry at a time: every op's locations (the terminal op has none). */
function locationParts(def: Definition, entries: Int32Array): Iterable<Uint8Array> {
  return encodeInBlocks('Source', (function* (): Generator<pb.Source> {
    for (const e of entries) {
      const locs = def.locations(e);
      if (locs) yield locationsEntry(def.digest(e), locs);
    }
  })());
}

function pbLocation(l: SourceLocation): pb.Location {
  return { sourceIndex: l.sourceIndex, ranges: l.ranges.map((r) => ({ start: { line: r.start }, end: { line: r.end } })) };
}
