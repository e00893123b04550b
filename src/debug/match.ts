import { messageInfo, type Msg, type Value } from '../wire/reflect.js';
import { describe, type Graph, type OpNode } from './graph.js';

/** Pairs of ops that stand at the same place in two graphs, whatever their digests. */
export interface Matching {
  readonly aToB: ReadonlyMap<OpNode, OpNode>;
  readonly bToA: ReadonlyMap<OpNode, OpNode>;
}

// A pair found by walking the graphs needs less likeness than one found anywhere: its place
// in the graph is evidence too.
const walkThreshold = 0.3;
const anywhereThreshold = 0.6;
// An op is taken as inserted (or removed) only when skipping it finds a clearly better partner.
const skipMargin = 0.1;
// Past this many candidate pairs of one kind, leftovers are paired only when their summaries match.
const maxCandidates = 250_000;

/**
 * Matches ops by their position in the graph: identical digests first (the same op, same
 * inputs); then a walk from the two results down their inputs, index by index, pairing ops
 * of the same kind that are alike enough. The walk is best-first: of all the pairs it has
 * reached, the most alike is taken first, and it also looks one op past each side, so an op
 * inserted or removed in a chain does not shift every pair above it. What is left is paired
 * by likeness anywhere, each pair resuming the walk. Every choice is ordered, so the result
 * is deterministic.
 */
export function matchGraphs(a: Graph, b: Graph): Matching {
  return new Matcher(a, b).run();
}

interface Candidate {
  readonly x: OpNode;
  readonly y: OpNode;
  readonly score: number;
  readonly seq: number;
}

class Matcher {
  private readonly aToB = new Map<OpNode, OpNode>();
  private readonly bToA = new Map<OpNode, OpNode>();
  private readonly heap: Candidate[] = [];
  private seq = 0;
  private readonly leafCache = new Map<OpNode, Map<string, number>>();

  constructor(
    private readonly a: Graph,
    private readonly b: Graph,
  ) {}

  run(): Matching {
    for (const x of this.a.nodes) {
      const y = this.b.byDigest.get(x.digest);
      if (y && !this.matched(x) && !this.bToA.has(y)) this.pair(x, y);
    }
    const ra = this.a.terminal ?? this.a.nodes[this.a.nodes.length - 1];
    const rb = this.b.terminal ?? this.b.nodes[this.b.nodes.length - 1];
    if (ra && rb && ra.kind === rb.kind && !this.matched(ra) && !this.bToA.has(rb)) this.pair(ra, rb);
    this.drain();
    for (const [x, y] of this.leftoverCandidates()) {
      if (this.matched(x) || this.bToA.has(y)) continue;
      this.pair(x, y);
      this.drain();
    }
    return { aToB: this.aToB, bToA: this.bToA };
  }

  private matched(x: OpNode): boolean {
    return this.aToB.has(x);
  }

  private pair(x: OpNode, y: OpNode): void {
    this.aToB.set(x, y);
    this.bToA.set(y, x);
    const n = Math.min(x.inputs.length, y.inputs.length);
    for (let i = 0; i < n; i++) {
      const [ca, cb] = [x.inputs[i], y.inputs[i]];
      if (!ca || !cb || this.matched(ca) || this.bToA.has(cb)) continue;
      this.push(ca, cb, this.similarity(ca, cb));
      // cb inserted in B, or ca removed from A: the partner is one op further down.
      for (const g of cb.inputs) if (g && !this.bToA.has(g)) this.push(ca, g, this.similarity(ca, g) - skipMargin);
      for (const g of ca.inputs) if (g && !this.matched(g)) this.push(g, cb, this.similarity(g, cb) - skipMargin);
    }
  }

  private drain(): void {
    for (let c = this.pop(); c && c.score >= walkThreshold; c = this.pop()) {
      if (!this.matched(c.x) && !this.bToA.has(c.y)) this.pair(c.x, c.y);
    }
    this.heap.length = 0;
  }

  /** A max-heap on score; among equal scores, the first reached wins. */
  private before(p: Candidate, q: Candidate): boolean {
    return p.score > q.score || (p.score === q.score && p.seq < q.seq);
  }

  private push(x: OpNode, y: OpNode, score: number): void {
    const h = this.heap;
    h.push({ x, y, score, seq: this.seq++ });
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Candidate | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  private leftoverCandidates(): [OpNode, OpNode][] {
    const ua = this.a.nodes.filter((x) => !this.matched(x) && this.a.byDigest.get(x.digest) === x);
    const ub = this.b.nodes.filter((y) => !this.bToA.has(y) && this.b.byDigest.get(y.digest) === y);
    const out: { x: OpNode; y: OpNode; s: number }[] = [];
    const kinds = new Set(ua.map((x) => x.kind));
    for (const kind of kinds) {
      const xs = ua.filter((x) => x.kind === kind);
      const ys = ub.filter((y) => y.kind === kind);
      const exhaustive = xs.length * ys.length <= maxCandidates;
      const bySummary = new Map<string, OpNode[]>();
      if (!exhaustive) for (const y of ys) bySummary.set(describe(y).summary, [...(bySummary.get(describe(y).summary) ?? []), y]);
      for (const x of xs) {
        for (const y of exhaustive ? ys : (bySummary.get(describe(x).summary) ?? [])) {
          const s = this.similarity(x, y);
          if (s >= anywhereThreshold) out.push({ x, y, s });
        }
      }
    }
    out.sort((p, q) => q.s - p.s || p.x.position - q.x.position || p.y.position - q.y.position);
    return out.map(({ x, y }) => [x, y]);
  }

  /** 0 (unrelated) to 1 (same content and, where known, same inputs). */
  similarity(x: OpNode, y: OpNode): number {
    if (x.kind !== y.kind) return 0;
    let content: number;
    if (x.kind === 'source') content = sourceSimilarity(x, y);
    else if (x.kind === 'exec') {
      const args = (n: OpNode) => ((((n.op.exec as Msg).meta as Msg | undefined)?.args as string[] | undefined) ?? []);
      content = 0.6 * dice(counts(args(x)), counts(args(y))) + 0.4 * dice(this.leaves(x), this.leaves(y));
    } else content = dice(this.leaves(x), this.leaves(y));
    const n = Math.max(x.inputs.length, y.inputs.length);
    if (n === 0) return content;
    let wired = 0;
    for (let i = 0; i < n; i++) {
      const ix = x.inputs[i];
      if (ix && this.aToB.get(ix) === y.inputs[i]) wired++;
    }
    return 0.85 * content + 0.15 * (wired / n);
  }

  private leaves(n: OpNode): Map<string, number> {
    let hit = this.leafCache.get(n);
    if (!hit) {
      const out: string[] = [];
      flatten('Op', n.op, '', out, true);
      this.leafCache.set(n, (hit = counts(out)));
    }
    return hit;
  }
}

/** Same identifier: 1; same name at another tag or ref: 0.8; same kind of source: 0.4. */
function sourceSimilarity(x: OpNode, y: OpNode): number {
  const id = (n: OpNode) => ((n.op.source as Msg).identifier as string | undefined) ?? '';
  const [ix, iy] = [id(x), id(y)];
  if (ix === iy) return 1;
  const scheme = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//.exec(s)?.[0] ?? '';
  if (scheme(ix) !== scheme(iy)) return 0.1;
  const name = (s: string) => s.replace(/#.*$/, '').replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^:/]*$/, '');
  return name(ix) === name(iy) ? 0.8 : 0.4;
}

/** The op's fields as `path=value` strings; inputs are left out, their digests change with anything below. */
function flatten(typeName: string, msg: Msg, prefix: string, out: string[], top = false): void {
  for (const f of messageInfo(typeName).fields) {
    if (top && f.name === 'inputs') continue;
    const v = msg[f.name];
    if (v === undefined) continue;
    const path = `${prefix}${f.name}`;
    const one = (x: Value, p: string) => {
      if (f.kind === 'message') flatten(f.type, x as Msg, `${p}.`, out);
      else out.push(`${p}=${x instanceof Uint8Array ? Buffer.from(x).toString('base64') : String(x)}`);
    };
    if (f.mapKey !== undefined) for (const [k, x] of v as Map<string, Value>) one(x, `${path}[${k}]`);
    else if (f.repeated) (v as Value[]).forEach((x, i) => one(x, `${path}[${i}]`));
    else one(v, path);
  }
}

function counts(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of items) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

/** The Sørensen–Dice coefficient of two multisets. */
function dice(a: Map<string, number>, b: Map<string, number>): number {
  let na = 0;
  let nb = 0;
  let common = 0;
  for (const [k, c] of a) {
    na += c;
    common += Math.min(c, b.get(k) ?? 0);
  }
  for (const c of b.values()) nb += c;
  return na + nb === 0 ? 1 : (2 * common) / (na + nb);
}
