import { digestsOf, sha256, type DigestTable } from './digests.js';
import { ChunkedArray, IntList } from '../intlist.js';
import { mergeMetadata, type Constraints, type OpMetadata, type SourceLocation } from './constraints.js';
import type { State } from './state.js';
import type { Output, Vertex } from './vertex.js';
import { encodeMessage } from '../wire/encode.js';

type Caps = Readonly<Record<string, boolean>>;
type Description = Readonly<Record<string, string>>;

const customName = 'llb.customname';
// Codes in Definition.lines for locations other than one line range.
const otherLocations = -1;
const noEntry = -2;
const noLocations = -3;
const none: readonly SourceLocation[] = [];

/**
 * Go's llb.Definition, but for the ops' bytes, which marshal() hands out as it makes them:
 * by digest, each op's metadata and source locations. A large Definition is most of what a
 * compilation holds at its end, so it is kept compactly, mostly outside the JS heap: digests
 * as numbers into a table of their bytes, sets of caps shared, and an op's step name and line
 * range kept as a string and two numbers instead of six objects. Entries are numbered in the
 * order their ops were marshalled.
 */
export class Definition {
  private readonly digests: DigestTable;
  /** Whether some op has a description: the terminal op then claims the capability. */
  private described = false;
  /** Each entry's digest, as its number in the table. */
  private readonly numbers = new IntList();
  /** Entry + 1 by digest number; 0 for digests not in the Definition. */
  private readonly entries = new IntList();
  private readonly caps = new IntList();
  private readonly capSets: Caps[] = [];
  private readonly capSetNumbers = new Map<string, number>();
  /** The op's step name when that is its whole description. */
  private readonly descriptions = new ChunkedArray<string | Description | undefined>();
  /** Two per entry: a line range of source 0, or a code (see above) and 0. */
  private readonly lines = new IntList();
  private readonly locationLists = new Map<number, readonly SourceLocation[]>();

  /** A Definition of ops marshalled under c. */
  constructor(c: Constraints) {
    this.digests = digestsOf(c);
  }

  /**
   * An op in dependency order, by its digest's number in the table: whether it is new. Its
   * locations are kept the first time its digest is seen, and its metadata merged every
   * time. No locations means no source map entry.
   */
  add(digest: number, metadata: OpMetadata, locations?: readonly SourceLocation[]): boolean {
    const at = this.entryOf(digest);
    if (at >= 0) {
      this.setMetadata(at, mergeMetadata(this.metadata(at), metadata));
      return false;
    }
    const entry = this.numbers.length;
    this.numbers.push(digest);
    while (this.entries.length <= digest) this.entries.push(0);
    this.entries.set(digest, entry + 1);
    this.caps.push(0);
    this.descriptions.push(undefined);
    this.setMetadata(entry, metadata);
    this.addLocations(entry, locations);
    return true;
  }

  private entryOf(digest: number): number {
    return digest < this.entries.length ? this.entries.get(digest) - 1 : -1;
  }

  get hasDescriptions(): boolean {
    return this.described;
  }

  /** Every entry once, in the order pb map keys are written. */
  sortedEntries(): Int32Array {
    const order = new Int32Array(this.numbers.length);
    for (let e = 0; e < order.length; e++) order[e] = this.numbers.get(e);
    this.digests.sort(order);
    for (let i = 0; i < order.length; i++) order[i] = this.entryOf(order[i]);
    return order;
  }

  digest(entry: number): string {
    return this.digests.digest(this.numbers.get(entry));
  }

  metadata(entry: number): OpMetadata {
    const d = this.descriptions.get(entry);
    const caps = this.capSets[this.caps.get(entry)];
    if (d === undefined) return { caps };
    return { caps, description: typeof d === 'string' ? { [customName]: d } : d };
  }

  /** The entry's source map entry, if it has one. */
  locations(entry: number): readonly SourceLocation[] | undefined {
    const start = this.lines.get(2 * entry);
    if (start >= 0) return [{ sourceIndex: 0, ranges: [{ start, end: this.lines.get(2 * entry + 1) }] }];
    if (start === noLocations) return none;
    if (start === noEntry) return undefined;
    return this.locationLists.get(entry);
  }

  private setMetadata(entry: number, md: OpMetadata): void {
    this.caps.set(entry, this.capSet(md.caps));
    const d = md.description;
    if (d) this.described = true;
    this.descriptions.set(entry, d && onlyCustomName(d) ? d[customName] : d);
  }

  private addLocations(entry: number, locs: readonly SourceLocation[] | undefined): void {
    let start = otherLocations;
    let end = 0;
    const range = locs?.length === 1 && locs[0].sourceIndex === 0 && locs[0].ranges.length === 1 ? locs[0].ranges[0] : undefined;
    if (!locs) start = noEntry;
    else if (locs.length === 0) start = noLocations;
    else if (range && range.start >= 0 && range.start <= 0x7fffffff && range.end >= 0 && range.end <= 0x7fffffff) ({ start, end } = range);
    else this.locationLists.set(entry, locs);
    this.lines.push(start);
    this.lines.push(end);
  }

  /** Ops of a kind have the same caps: one copy serves them all. */
  private capSet(caps: Caps): number {
    let key = '';
    for (const k in caps) key += `${caps[k] ? '+' : '-'}${k}\n`;
    let n = this.capSetNumbers.get(key);
    if (n === undefined) {
      n = this.capSets.push(Object.freeze({ ...caps })) - 1;
      this.capSetNumbers.set(key, n);
    }
    return n;
  }
}

function onlyCustomName(d: Description): boolean {
  let n = 0;
  for (const k in d) if (++n > 1 || k !== customName) return false;
  return n === 1;
}

/**
 * Go's State.Marshal: ops in post-order depth-first, each digest once, then a terminal op
 * whose only input is the state's output. The walk hands out each op's bytes as it makes them
 * and records the rest in `def`, so that a large graph's encoding is written out while the
 * graph is released, never held whole. It is iterative, so 100,000-deep chains cannot
 * overflow the stack.
 */
export function* marshal(state: State, c: Constraints, def: Definition): Generator<Uint8Array, void, undefined> {
  if (!state.output) return;
  // The stack holds only the path being walked, a few slots a step: ops are released once
  // marshalled, and nothing here should keep the graph alive, nor cost much itself on a
  // 100,000-step path. So an op with few inputs is asked for them again on each return to it,
  // and only a long list (which asking for again would make quadratic) is kept.
  const walk = {};
  const stack = new ChunkedArray<Vertex>();
  const kept = new ChunkedArray<readonly Output[] | undefined>();
  const next = new IntList();
  const push = (v: Vertex) => {
    const inputs = v.inputs();
    stack.push(v);
    kept.push(inputs.length > 8 ? inputs : undefined);
    next.push(0);
  };
  push(state.output.vertex);
  while (stack.length > 0) {
    const top = stack.get(stack.length - 1);
    const inputs = kept.get(kept.length - 1) ?? top.inputs();
    const i = next.get(next.length - 1);
    if (i < inputs.length) {
      next.set(next.length - 1, i + 1);
      const v = inputs[i].vertex;
      if (!v.releasedBy(walk)) push(v);
      continue;
    }
    stack.pop();
    kept.pop();
    next.pop();
    if (top.releasedBy(walk)) continue;
    const m = top.marshal(c);
    // Post-order: this is the first time the op is marshalled, and its inputs are done with.
    if (!m.bytes || !m.metadata || !m.locations) throw new Error('an op was marshalled before the walk reached it');
    top.release(walk);
    if (def.add(m.digestNumber, m.metadata, m.locations)) yield m.bytes;
  }
  const terminal = encodeMessage('Op', { inputs: [state.output.toInput(c)] });
  const caps: Record<string, boolean> = { constraints: true, platform: true };
  if (def.hasDescriptions) caps['meta.description'] = true;
  // Always written, even were its digest another op's; it has no source map entry.
  def.add(digestsOf(c).intern(sha256(terminal)), { caps });
  yield terminal;
}
