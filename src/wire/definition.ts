import type { Definition } from '../llb/definition.js';
import { encodeMessage } from './encode.js';

export interface SourceInfo {
  readonly filename: string;
  readonly data: Uint8Array;
  readonly language: string;
}

/** Go's Definition.ToPB().Marshal(): what `llb.WriteTo` writes. */
export function encodeDefinition(def: Definition, sources: readonly SourceInfo[] = []): Uint8Array {
  const metadata: Record<string, object> = {};
  for (const [digest, md] of def.metadata) metadata[digest] = { caps: md.caps, description: md.description };
  // Go's source map collector gives every op an entry, so Source is written even when empty.
  const locations: Record<string, object> = {};
  for (const [digest, locs] of def.locations) {
    locations[digest] = {
      locations: locs.map((l) => ({
        sourceIndex: l.sourceIndex,
        ranges: l.ranges.map((r) => ({ start: { line: r.start }, end: { line: r.end } })),
      })),
    };
  }
  return encodeMessage('Definition', { def: def.def, metadata, Source: { locations, infos: sources } });
}
