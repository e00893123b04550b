import type { DecodedDefinition } from '../wire/decode.js';
import { newMsg, type Msg, type Value } from '../wire/reflect.js';

export type OpKind = 'source' | 'exec' | 'file' | 'build' | 'merge' | 'diff' | 'result';

/** An op of a decoded Definition with its inputs resolved to the ops they name. */
export interface OpNode {
  readonly digest: string;
  /** Where the op is in the Definition (0-based). */
  readonly position: number;
  readonly op: Msg;
  /** The op's OpMetadata (the zero message when the Definition has none for it). */
  readonly metadata: Msg;
  readonly kind: OpKind;
  /** Per input, the op it names; undefined when the digest is not in the Definition. */
  readonly inputs: readonly (OpNode | undefined)[];
  /** Per input, the output index it reads. */
  readonly inputIndexes: readonly number[];
  readonly inputDigests: readonly string[];
}

export interface Graph {
  readonly nodes: readonly OpNode[];
  readonly byDigest: ReadonlyMap<string, OpNode>;
  /** The op without an operation that marks the result: Go's Marshal always ends with one. */
  readonly terminal?: OpNode;
  readonly source?: Msg;
}

const kinds: readonly OpKind[] = ['exec', 'source', 'file', 'build', 'merge', 'diff'];

export function kindOf(op: Msg): OpKind {
  return kinds.find((k) => op[k] !== undefined) ?? 'result';
}

export function buildGraph(def: DecodedDefinition): Graph {
  const byDigest = new Map<string, OpNode>();
  const nodes: OpNode[] = [];
  const pending: { node: OpNode; inputs: (OpNode | undefined)[] }[] = [];
  def.ops.forEach(({ digest, op }, position) => {
    const inputs = ((op.inputs as Msg[] | undefined) ?? []).map(() => undefined as OpNode | undefined);
    const list = (op.inputs as Msg[] | undefined) ?? [];
    const node: OpNode = {
      digest,
      position,
      op,
      metadata: def.metadata.get(digest) ?? newMsg(),
      kind: kindOf(op),
      inputs,
      inputIndexes: list.map((i) => Number(i.index ?? 0)),
      inputDigests: list.map((i) => (i.digest as string | undefined) ?? ''),
    };
    nodes.push(node);
    if (!byDigest.has(digest)) byDigest.set(digest, node);
    pending.push({ node, inputs });
  });
  for (const { node, inputs } of pending) node.inputDigests.forEach((d, i) => (inputs[i] = byDigest.get(d)));
  const last = nodes[nodes.length - 1];
  return { nodes, byDigest, terminal: last?.kind === 'result' ? last : undefined, source: def.source };
}

/** The op's name: the `llb.customname` step name, if it has one. */
export function stepName(node: OpNode): string | undefined {
  const description = node.metadata.description as Map<string, Value> | undefined;
  const name = description?.get('llb.customname');
  return typeof name === 'string' ? name : undefined;
}

/** A word for the op and a one-line summary of what it does: `image alpine`, `exec apk add git`. */
export function describe(node: OpNode): { word: string; summary: string } {
  const op = node.op;
  switch (node.kind) {
    case 'source': {
      const id = ((op.source as Msg).identifier as string | undefined) ?? '';
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(id);
      const words: Record<string, string> = { 'docker-image': 'image', 'oci-layout': 'oci-layout', local: 'local', git: 'git' };
      if (scheme && words[scheme[1]]) return { word: words[scheme[1]], summary: id.slice(scheme[0].length) };
      if (scheme && (scheme[1] === 'http' || scheme[1] === 'https')) return { word: 'http', summary: id };
      return { word: 'source', summary: id };
    }
    case 'exec': {
      const args = (((op.exec as Msg).meta as Msg | undefined)?.args as string[] | undefined) ?? [];
      return { word: 'exec', summary: args.map(shellQuote).join(' ') };
    }
    case 'file': {
      const actions = (((op.file as Msg).actions as Msg[] | undefined) ?? []).map(describeAction);
      return { word: 'file', summary: actions.join('; ') };
    }
    case 'merge':
      return { word: 'merge', summary: `${node.inputs.length} inputs` };
    case 'diff':
      return { word: 'diff', summary: '' };
    case 'build':
      return { word: 'build', summary: '' };
    case 'result':
      return { word: 'result', summary: '' };
  }
}

/** `exec apk add git`, cut to `max` characters. */
export function label(node: OpNode, max = 60): string {
  const { word, summary } = describe(node);
  return truncate(summary ? `${word} ${summary}` : word, max);
}

function describeAction(a: Msg): string {
  if (a.copy) {
    const c = a.copy as Msg;
    return `copy ${c.src ?? ''} -> ${c.dest ?? ''}`;
  }
  for (const kind of ['mkdir', 'mkfile', 'rm'] as const) if (a[kind]) return `${kind} ${(a[kind] as Msg).path ?? ''}`;
  return '?';
}

const plainWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX shell quoting, so a summary can be read as the command line it stands for. */
export function shellQuote(s: string): string {
  if (plainWord.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 3).join('')}...`;
}

export function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, '$1');
}
