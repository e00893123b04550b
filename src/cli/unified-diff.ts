/**
 * Unified diffs (`diff -u` / `git diff` format) between two texts, for `llbc fmt --diff`.
 *
 * Lines are compared with their line terminator, so a line that differs only in CRLF versus LF,
 * or in a missing final newline, shows as changed. Small ranges are diffed with Myers' O(ND)
 * algorithm (a minimal diff); large ones are first cut at lines that occur exactly once on each
 * side (patience diff), which keeps huge, mostly-unchanged files fast.
 */

const enum Kind {
  Same,
  Removed,
  Added,
}

interface Edit {
  readonly kind: Kind;
  readonly line: string;
}

/** Myers runs on ranges up to this many lines (both sides together); larger ones are cut first. */
const myersLimit = 512;
/** On a large range with nothing to cut at, Myers gives up after this many edits. */
const maxEdits = 2000;

/** A unified diff turning `before` into `after`, or '' when they are equal. */
export function unifiedDiff(before: string, after: string, beforeName: string, afterName: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const edits: Edit[] = [];
  diffRange(a, 0, a.length, b, 0, b.length, edits);
  return `--- ${beforeName}\n+++ ${afterName}\n${hunks(edits, context)}`;
}

/** Lines with their terminators; the last one lacks it when the text has no final newline. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

function diffRange(a: string[], aLo: number, aHi: number, b: string[], bLo: number, bHi: number, out: Edit[]): void {
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
    out.push({ kind: Kind.Same, line: a[aLo] });
    aLo++;
    bLo++;
  }
  let suffix = 0;
  while (aHi - suffix > aLo && bHi - suffix > bLo && a[aHi - suffix - 1] === b[bHi - suffix - 1]) suffix++;
  aHi -= suffix;
  bHi -= suffix;

  const n = aHi - aLo;
  const m = bHi - bLo;
  if (n === 0 || m === 0 || n + m <= myersLimit || !cutAtUniqueLines(a, aLo, aHi, b, bLo, bHi, out)) {
    const edits = n === 0 || m === 0 ? undefined : myers(a, aLo, aHi, b, bLo, bHi, n + m <= myersLimit ? n + m : maxEdits);
    if (edits) {
      out.push(...edits);
    } else {
      for (let i = aLo; i < aHi; i++) out.push({ kind: Kind.Removed, line: a[i] });
      for (let j = bLo; j < bHi; j++) out.push({ kind: Kind.Added, line: b[j] });
    }
  }
  for (let i = aHi; i < aHi + suffix; i++) out.push({ kind: Kind.Same, line: a[i] });
}

/**
 * Patience diff's step: lines unique on both sides, matched, and the longest run of them in the
 * same order on both sides anchors the diff; the stretches between anchors are diffed on their
 * own. False when there is no anchor.
 */
function cutAtUniqueLines(a: string[], aLo: number, aHi: number, b: string[], bLo: number, bHi: number, out: Edit[]): boolean {
  const count = new Map<string, { a: number; b: number; ai: number; bi: number }>();
  for (let i = aLo; i < aHi; i++) {
    const c = count.get(a[i]) ?? { a: 0, b: 0, ai: i, bi: -1 };
    c.a++;
    c.ai = i;
    count.set(a[i], c);
  }
  for (let j = bLo; j < bHi; j++) {
    const c = count.get(b[j]);
    if (!c) continue;
    c.b++;
    c.bi = j;
  }
  const pairs: { ai: number; bi: number }[] = [];
  for (let i = aLo; i < aHi; i++) {
    const c = count.get(a[i])!;
    if (c.a === 1 && c.b === 1) pairs.push({ ai: c.ai, bi: c.bi });
  }
  const anchors = longestIncreasing(pairs);
  if (anchors.length === 0) return false;
  let ai = aLo;
  let bi = bLo;
  for (const p of anchors) {
    diffRange(a, ai, p.ai, b, bi, p.bi, out);
    out.push({ kind: Kind.Same, line: a[p.ai] });
    ai = p.ai + 1;
    bi = p.bi + 1;
  }
  diffRange(a, ai, aHi, b, bi, bHi, out);
  return true;
}

/** The longest subsequence of pairs (already in `ai` order) whose `bi` increases. */
function longestIncreasing<T extends { bi: number }>(pairs: T[]): T[] {
  const tails: number[] = [];
  const prev: number[] = new Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]].bi < pairs[i].bi) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  }
  const out: T[] = [];
  for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) out.push(pairs[i]);
  return out.reverse();
}

/**
 * Myers' greedy forward algorithm, keeping each round's furthest-reaching diagonals so the
 * path can be walked back. Undefined when the diff needs more than `limit` edits.
 */
function myers(a: string[], aLo: number, aHi: number, b: string[], bLo: number, bHi: number, limit: number): Edit[] | undefined {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const max = Math.min(n + m, limit);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return walkBack(trace, a, aLo, b, bLo, n, m);
    }
  }
  return undefined;
}

function walkBack(trace: Int32Array[], a: string[], aLo: number, b: string[], bLo: number, n: number, m: number): Edit[] {
  const out: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    // trace[d] holds the diagonals -d-1 .. d+1 as they were before round d.
    const before = trace[d];
    const at = (k: number) => before[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ kind: Kind.Same, line: a[aLo + --x] });
      y--;
    }
    if (x === prevX) out.push({ kind: Kind.Added, line: b[bLo + --y] });
    else out.push({ kind: Kind.Removed, line: a[aLo + --x] });
  }
  while (x > 0 && y > 0) {
    out.push({ kind: Kind.Same, line: a[aLo + --x] });
    y--;
  }
  return out.reverse();
}

/** Groups edits into hunks with `context` unchanged lines around each change. */
function hunks(edits: readonly Edit[], context: number): string {
  const changes: number[] = [];
  for (let i = 0; i < edits.length; i++) if (edits[i].kind !== Kind.Same) changes.push(i);
  // Line numbers (0-based) on each side before each edit.
  const aLine = new Int32Array(edits.length + 1);
  const bLine = new Int32Array(edits.length + 1);
  for (let i = 0; i < edits.length; i++) {
    aLine[i + 1] = aLine[i] + (edits[i].kind === Kind.Added ? 0 : 1);
    bLine[i + 1] = bLine[i] + (edits[i].kind === Kind.Removed ? 0 : 1);
  }
  let out = '';
  for (let c = 0; c < changes.length; ) {
    let last = c;
    while (last + 1 < changes.length && changes[last + 1] - changes[last] <= 2 * context) last++;
    const from = Math.max(0, changes[c] - context);
    const to = Math.min(edits.length, changes[last] + context + 1);
    out += `@@ -${range(aLine[from], aLine[to] - aLine[from])} +${range(bLine[from], bLine[to] - bLine[from])} @@\n`;
    for (let i = from; i < to; i++) {
      const e = edits[i];
      const mark = e.kind === Kind.Same ? ' ' : e.kind === Kind.Removed ? '-' : '+';
      out += e.line.endsWith('\n') ? `${mark}${e.line}` : `${mark}${e.line}\n\\ No newline at end of file\n`;
    }
    c = last + 1;
  }
  return out;
}

/** `start,count` as diff prints it: 1-based, `,1` left out, an empty range named by the line before it. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}
