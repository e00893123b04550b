import { mergeMetadata, type Constraints, type OpMetadata, type SourceLocation } from './constraints.js';
import type { State } from './state.js';
import type { Vertex } from './vertex.js';
import { digestOf } from './vertex.js';
import { encodeMessage } from '../wire/encode.js';

/** Go's llb.Definition: op bytes in dependency order, metadata by digest, and source maps. */
export interface Definition {
  readonly def: Uint8Array[];
  readonly metadata: Map<string, OpMetadata>;
  /** Digest → where in the build files the op came from; every emitted op has an entry, maybe empty. */
  readonly locations: Map<string, readonly SourceLocation[]>;
}

/**
 * Go's State.Marshal: ops in post-order depth-first, each digest once, then a terminal op
 * whose only input is the state's output. The walk is iterative so 100,000-deep chains
 * cannot overflow the stack.
 */
export function marshal(state: State, c: Constraints): Definition {
  const def: Definition = { def: [], metadata: new Map(), locations: new Map() };
  if (!state.output) return def;
  // Weak, like the stack, which holds only the path being walked: ops are released once
  // marshalled, and nothing here should keep the graph alive.
  const visited = new WeakSet<Vertex>();
  const stack: { v: Vertex; next: number; inputs: readonly { vertex: Vertex }[] }[] = [];
  const push = (v: Vertex) => {
    if (!visited.has(v)) stack.push({ v, next: 0, inputs: v.inputs() });
  };
  push(state.output.vertex);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next < top.inputs.length) {
      push(top.inputs[top.next++].vertex);
      continue;
    }
    stack.pop();
    if (visited.has(top.v)) continue;
    visited.add(top.v);
    const m = top.v.marshal(c);
    // Post-order: this is the first time the op is marshalled, and its inputs are done with.
    if (!m.bytes) throw new Error('an op was marshalled before the walk reached it');
    top.v.release();
    // An op's metadata and locations are never changed once marshalled, so they are shared, not copied.
    const seen = def.metadata.get(m.digest);
    def.metadata.set(m.digest, seen ? mergeMetadata(seen, m.metadata) : m.metadata);
    if (seen) continue;
    def.locations.set(m.digest, m.locations);
    def.def.push(m.bytes);
  }
  const terminal = encodeMessage('Op', { inputs: [state.output.toInput(c)] });
  def.def.push(terminal);
  const dgst = digestOf(terminal);
  const caps: Record<string, boolean> = { constraints: true, platform: true };
  for (const md of def.metadata.values()) if (md.description) caps['meta.description'] = true;
  def.metadata.set(dgst, mergeMetadata(def.metadata.get(dgst), { caps }));
  return def;
}
