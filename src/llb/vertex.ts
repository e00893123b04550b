import { createHash } from 'node:crypto';
import type { Constraints, OpMetadata, SourceLocation } from './constraints.js';

export interface Marshalled {
  readonly digest: string;
  readonly bytes: Uint8Array;
  readonly metadata: OpMetadata;
  readonly locations: readonly SourceLocation[];
}

/** An operation in the graph: Go's llb.Vertex. */
export interface Vertex {
  /** The outputs this op reads, in the order the Definition visits them. */
  inputs(): readonly Output[];
  marshal(c: Constraints): Marshalled;
}

/** One result of a vertex. Only an exec has several (one per writable mount), so it overrides index(). */
export class Output {
  constructor(readonly vertex: Vertex) {}

  index(): number {
    return 0;
  }

  toInput(c: Constraints): { digest: string; index: number } {
    return { digest: this.vertex.marshal(c).digest, index: this.index() };
  }
}

// Digests are built in this buffer so that each is one flat string: a concatenated string is
// flattened (copied) the first time a Map hashes it, and every op's digest is a map key.
const digestText = Buffer.from('sha256:'.padEnd(71), 'latin1');

export function digestOf(bytes: Uint8Array): string {
  digestText.write(createHash('sha256').update(bytes).digest('hex'), 7, 'latin1');
  return digestText.toString('latin1');
}

/** Each op marshals once per set of constraints, which is how shared sub-graphs cost nothing. */
export class MarshalCache {
  private cachedFor?: Constraints;
  private cached?: Marshalled;

  protected load(c: Constraints): Marshalled | undefined {
    return this.cachedFor === c ? this.cached : undefined;
  }

  protected store(c: Constraints, bytes: Uint8Array, metadata: OpMetadata, locations: readonly SourceLocation[]): Marshalled {
    this.cachedFor = c;
    this.cached = { digest: digestOf(bytes), bytes, metadata, locations };
    return this.cached;
  }
}

/** Go compares strings byte-wise (UTF-8); JS `<` compares UTF-16 code units, which differs above U+FFFF. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
