import type { ChalkInstance } from 'chalk';
import { compareGoStrings } from '../gostring.js';
import { goJSON } from '../wire/json.js';
import { enumValueName, messageInfo, type FieldInfo, type Msg, type Value } from '../wire/reflect.js';
import { label, shortDigest, type Graph, type OpNode } from './graph.js';
import { matchGraphs, type Matching } from './match.js';

/** One field that differs; a missing side means the field (or element) is not there. */
export interface FieldChange {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

export type DiffEntry =
  | { readonly kind: 'changed'; readonly a: OpNode; readonly b: OpNode; readonly changes: readonly FieldChange[] }
  | { readonly kind: 'added'; readonly b: OpNode }
  | { readonly kind: 'removed'; readonly a: OpNode };

/**
 * The ops of B that are new or differ from their counterpart in A (in B's Definition order),
 * then the ops of A that B no longer has (in A's order). An op whose only difference is the
 * digest of an input is not a change: the input that differs says so itself.
 */
export function diffGraphs(a: Graph, b: Graph): DiffEntry[] {
  const m = matchGraphs(a, b);
  const out: DiffEntry[] = [];
  for (const y of b.nodes) {
    if (b.byDigest.get(y.digest) !== y) continue;
    const x = m.bToA.get(y);
    if (!x) {
      out.push({ kind: 'added', b: y });
      continue;
    }
    const changes = diffOps(x, y, m);
    if (changes.length > 0) out.push({ kind: 'changed', a: x, b: y, changes });
  }
  for (const x of a.nodes) if (a.byDigest.get(x.digest) === x && !m.aToB.has(x)) out.push({ kind: 'removed', a: x });
  return out;
}

function diffOps(x: OpNode, y: OpNode, m: Matching): FieldChange[] {
  const out: FieldChange[] = [];
  if (x.digest !== y.digest) {
    diffInputs(x, y, m, out);
    diffMessage('Op', x.op, y.op, '', out, 'inputs');
  }
  diffMessage('OpMetadata', x.metadata, y.metadata, 'metadata.', out);
  return out;
}

/**
 * Inputs compare by what they point at: the same position on both sides is no change. A
 * pointer to an op that was added or removed is not reported either: that op's own entry
 * explains it.
 */
function diffInputs(x: OpNode, y: OpNode, m: Matching, out: FieldChange[]): void {
  const n = Math.max(x.inputs.length, y.inputs.length);
  for (let i = 0; i < n; i++) {
    const path = `inputs[${i}]`;
    if (i >= x.inputDigests.length) {
      out.push({ path, after: inputRef(y, i) });
      continue;
    }
    if (i >= y.inputDigests.length) {
      out.push({ path, before: inputRef(x, i) });
      continue;
    }
    const [na, nb] = [x.inputs[i], y.inputs[i]];
    const same = na && nb ? m.aToB.get(na) === nb : x.inputDigests[i] === y.inputDigests[i];
    const explained = (na !== undefined && !m.aToB.has(na)) || (nb !== undefined && !m.bToA.has(nb));
    if (!same && !explained) out.push({ path, before: inputRef(x, i), after: inputRef(y, i) });
    if (x.inputIndexes[i] !== y.inputIndexes[i]) {
      out.push({ path: `${path}.index`, before: String(x.inputIndexes[i]), after: String(y.inputIndexes[i]) });
    }
  }
}

function inputRef(n: OpNode, i: number): string {
  const target = n.inputs[i];
  return target ? `(${label(target, 48)})` : `(${shortDigest(n.inputDigests[i])}, not in the Definition)`;
}

function diffMessage(typeName: string, x: Msg, y: Msg, prefix: string, out: FieldChange[], skip?: string): void {
  const info = messageInfo(typeName);
  const oneofsDone = new Set<string>();
  for (const f of info.fields) {
    if (f.name === skip) continue;
    if (f.oneof) {
      if (oneofsDone.has(f.oneof)) continue;
      oneofsDone.add(f.oneof);
      const members = info.oneofs.get(f.oneof)!;
      const mx = members.find((o) => x[o.name] !== undefined);
      const my = members.find((o) => y[o.name] !== undefined);
      if (mx && mx === my) diffSingle(mx, x[mx.name], y[my.name], `${prefix}${mx.name}`, out);
      else {
        if (mx) out.push({ path: `${prefix}${mx.name}`, before: display(mx, x[mx.name]) });
        if (my) out.push({ path: `${prefix}${my.name}`, after: display(my, y[my.name]) });
      }
      continue;
    }
    diffField(f, x[f.name], y[f.name], `${prefix}${f.name}`, out);
  }
}

function diffField(f: FieldInfo, vx: Value | undefined, vy: Value | undefined, path: string, out: FieldChange[]): void {
  if (f.mapKey !== undefined) {
    const mx = (vx as Map<string, Value> | undefined) ?? new Map<string, Value>();
    const my = (vy as Map<string, Value> | undefined) ?? new Map<string, Value>();
    const keys = [...new Set([...mx.keys(), ...my.keys()])].sort(compareGoStrings);
    for (const k of keys) diffSingle(f, mx.get(k), my.get(k), `${path}[${JSON.stringify(k)}]`, out, true);
  } else if (f.repeated) {
    diffList(f, (vx as Value[] | undefined) ?? [], (vy as Value[] | undefined) ?? [], path, out);
  } else {
    diffSingle(f, vx, vy, path, out);
  }
}

/** A map entry that is missing is absent, not zero: `caps["x"]: true -> (none)`. */
function diffSingle(f: FieldInfo, vx: Value | undefined, vy: Value | undefined, path: string, out: FieldChange[], presence = false): void {
  if (f.kind === 'message' || presence) {
    if (vx === undefined && vy === undefined) return;
    if (vx === undefined || vy === undefined) {
      out.push({ path, before: vx === undefined ? undefined : display(f, vx), after: vy === undefined ? undefined : display(f, vy) });
      return;
    }
    if (f.kind === 'message') {
      diffMessage(f.type, vx as Msg, vy as Msg, `${path}.`, out);
      return;
    }
  }
  const [dx, dy] = [display(f, vx), display(f, vy)];
  if (dx !== dy) out.push({ path, before: dx, after: dy });
}

/**
 * Lists align on their longest common subsequence, so one inserted environment variable is
 * one addition rather than a change to every element after it. Within a gap, elements pair
 * up as changes and the rest are additions or removals; paths use B's index, or A's for a
 * removal.
 */
function diffList(f: FieldInfo, lx: Value[], ly: Value[], path: string, out: FieldChange[]): void {
  const kx = lx.map((v) => display(f, v));
  const ky = ly.map((v) => display(f, v));
  const anchors = commonSubsequence(kx, ky);
  let i = 0;
  let j = 0;
  for (const [ai, aj] of [...anchors, [lx.length, ly.length] as const]) {
    const removed = ai - i;
    const added = aj - j;
    const paired = Math.min(removed, added);
    for (let k = 0; k < paired; k++) diffSingle(f, lx[i + k], ly[j + k], `${path}[${j + k}]`, out);
    for (let k = paired; k < removed; k++) out.push({ path: `${path}[${i + k}]`, before: kx[i + k] });
    for (let k = paired; k < added; k++) out.push({ path: `${path}[${j + k}]`, after: ky[j + k] });
    i = ai + 1;
    j = aj + 1;
  }
}

/** Index pairs of a longest common subsequence; long lists fall back to a common prefix and suffix. */
function commonSubsequence(a: readonly string[], b: readonly string[]): [number, number][] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: [number, number][] = [];
  for (let k = 0; k < start; k++) out.push([k, k]);
  const n = endA - start;
  const m = endB - start;
  if (n > 0 && m > 0 && n * m <= 4_000_000) {
    const len: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let p = n - 1; p >= 0; p--) {
      for (let q = m - 1; q >= 0; q--) {
        len[p][q] = a[start + p] === b[start + q] ? len[p + 1][q + 1] + 1 : Math.max(len[p + 1][q], len[p][q + 1]);
      }
    }
    for (let p = 0, q = 0; p < n && q < m; ) {
      if (a[start + p] === b[start + q]) {
        out.push([start + p, start + q]);
        p++;
        q++;
      } else if (len[p + 1][q] >= len[p][q + 1]) p++;
      else q++;
    }
  }
  for (let k = 0; k < a.length - endA; k++) out.push([endA + k, endB + k]);
  return out;
}

/** A value as the diff shows it: strings JSON-quoted, enums with their names, messages as compact Go JSON. */
function display(f: FieldInfo, v: Value | undefined): string {
  if (f.kind === 'message') return v === undefined ? '(none)' : goJSON(f.type, v as Msg);
  if (f.kind === 'enum') {
    const n = Number(v ?? 0);
    const name = enumValueName(f.type, n);
    return name ? `${n} (${name})` : String(n);
  }
  if (v === undefined) v = f.type === 'string' ? '' : f.type === 'bool' ? false : f.type === 'bytes' ? new Uint8Array(0) : 0;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `base64:${Buffer.from(v).toString('base64')}`;
  return String(v);
}

export interface DiffNames {
  readonly a: string;
  readonly b: string;
}

/**
 * `--- A` / `+++ B`, then one line per op (`~` changed, `+` added, `-` removed) with its
 * fields below it (`path: before -> after`), then a count. Nothing at all when equal.
 */
export function renderDiff(entries: readonly DiffEntry[], names: DiffNames, color: ChalkInstance): string {
  if (entries.length === 0) return '';
  const lines = [color.bold(`--- ${names.a}`), color.bold(`+++ ${names.b}`)];
  const counts = { changed: 0, added: 0, removed: 0 };
  for (const e of entries) {
    counts[e.kind]++;
    if (e.kind === 'added') lines.push(color.green(`+ ${label(e.b)} (${shortDigest(e.b.digest)})`));
    else if (e.kind === 'removed') lines.push(color.red(`- ${label(e.a)} (${shortDigest(e.a.digest)})`));
    else {
      const digests = e.a.digest === e.b.digest ? shortDigest(e.b.digest) : `${shortDigest(e.a.digest)} -> ${shortDigest(e.b.digest)}`;
      lines.push(color.yellow(`~ ${label(e.b)} (${digests})`));
      for (const c of e.changes) {
        const before = c.before === undefined ? color.dim('(none)') : color.red(c.before);
        const after = c.after === undefined ? color.dim('(none)') : color.green(c.after);
        lines.push(`    ${c.path}: ${before} -> ${after}`);
      }
    }
  }
  lines.push(`${counts.changed} changed, ${counts.added} added, ${counts.removed} removed`);
  return `${lines.join('\n')}\n`;
}
