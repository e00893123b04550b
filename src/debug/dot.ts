import type { Msg } from '../wire/reflect.js';
import { describe, stepName, truncate, type Graph, type OpNode } from './graph.js';

const shapes: Record<OpNode['kind'], string> = {
  source: 'ellipse',
  exec: 'box',
  file: 'note',
  build: 'box3d',
  merge: 'invtrapezium',
  diff: 'invtrapezium',
  result: 'doublecircle',
};

/**
 * A Graphviz digraph of the ops, in Definition order: one node per op, named by digest and
 * labelled with its kind, a summary and its step name; one edge per input, from the op read
 * to the op reading it, labelled with the input's index (and, for an exec, the mount points
 * it is mounted at; and the output read, when not the first).
 */
export function toDot(graph: Graph): string {
  const lines = ['digraph llb {', '  node [fontname="monospace" fontsize=10];', '  edge [fontname="monospace" fontsize=9];'];
  for (const n of graph.nodes) {
    if (graph.byDigest.get(n.digest) !== n) continue;
    const { word, summary } = describe(n);
    const parts = [word, summary && truncate(summary, 48), stepName(n) && truncate(stepName(n)!, 48)].filter((s): s is string => !!s);
    lines.push(`  ${quote(n.digest)} [label=${quote(parts.join('\n'))} shape=${shapes[n.kind]}];`);
  }
  for (const n of graph.nodes) {
    if (graph.byDigest.get(n.digest) !== n) continue;
    n.inputDigests.forEach((from, i) => {
      const mounts = n.kind === 'exec' ? mountPoints(n.op, i) : [];
      const output = n.inputIndexes[i] !== 0 ? [`output ${n.inputIndexes[i]}`] : [];
      lines.push(`  ${quote(from)} -> ${quote(n.digest)} [label=${quote([String(i), ...mounts, ...output].join(' '))}];`);
    });
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function mountPoints(op: Msg, input: number): string[] {
  const mounts = ((op.exec as Msg).mounts as Msg[] | undefined) ?? [];
  // Secret and SSH mounts leave input at 0 without reading anything.
  const reads = (m: Msg) => m.mountType !== 1 && m.mountType !== 2;
  return mounts.filter((m) => Number(m.input ?? 0) === input && m.dest !== '/' && reads(m)).map((m) => String(m.dest));
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
