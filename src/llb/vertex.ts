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

/**
 * One result of a vertex. The index is a function because an exec's mount outputs are
 * numbered only once all its mounts are known and sorted.
 */
export class Output {
  constructor(
    readonly vertex: Vertex,
    private readonly indexOf: () => number = () => 0,
  ) {}

  index(): number {
    return this.indexOf();
  }

  toInput(c: Constraints): { digest: string; index: number } {
    return { digest: this.vertex.marshal(c).digest, index: this.index() };
  }
}

export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Each op marshals once per set of constraints, which is how shared sub-graphs cost nothing. */
export class MarshalCache {
  private cached?: { c: Constraints; result: Marshalled };

  protected load(c: Constraints): Marshalled | undefined {
    return this.cached?.c === c ? this.cached.result : undefined;
  }

  protected store(c: Constraints, bytes: Uint8Array, metadata: OpMetadata, locations: readonly SourceLocation[]): Marshalled {
    const result = { digest: digestOf(bytes), bytes, metadata, locations };
    this.cached = { c, result };
    return result;
  }
}

/** Go compares strings byte-wise (UTF-8); JS `<` compares UTF-16 code units, which differs above U+FFFF. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
