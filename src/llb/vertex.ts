import { createHash } from 'node:crypto';
import type { Constraints, OpMetadata, SourceLocation } from './constraints.js';

export interface Marshalled {
  readonly digest: string;
  /**
   * The op's encoding, from the call that made it only: ops keep their digest for the ops that
   * read them, and the Definition keeps the bytes, so a large graph does not hold them twice.
   */
  readonly bytes?: Uint8Array;
  readonly metadata: OpMetadata;
  readonly locations: readonly SourceLocation[];
}

/** An operation in the graph: Go's llb.Vertex. */
export interface Vertex {
  /** The outputs this op reads, in the order the Definition visits them. */
  inputs(): readonly Output[];
  marshal(c: Constraints): Marshalled;
  /**
   * Lets go of the op's inputs once it is in a Definition, keeping what the ops that read it
   * need (its digest and output numbers), so that a large graph becomes garbage while it is
   * marshalled rather than after. A released op marshals again only under the same constraints.
   */
  release(): void;
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

/** An op's pb inputs, each (digest, output) once, numbered in the order first added. */
export class InputList {
  readonly list: { digest: string; index: number }[] = [];
  // A map rather than a search: a FileOp copying from 100,000 sources has as many inputs.
  private readonly numbers = new Map<string, number>();

  add(input: { digest: string; index: number }): number {
    const key = `${input.index}:${input.digest}`;
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = this.list.push(input) - 1;
      this.numbers.set(key, n);
    }
    return n;
  }

  get length(): number {
    return this.list.length;
  }
}

/** Each op marshals once per set of constraints, which is how shared sub-graphs cost nothing. */
export class MarshalCache {
  private cachedFor?: Constraints;
  private cached?: Marshalled;
  private released = false;

  protected load(c: Constraints): Marshalled | undefined {
    if (this.cachedFor === c) return this.cached;
    if (this.released) throw new Error('a released op cannot be marshalled under other constraints');
    return undefined;
  }

  protected store(c: Constraints, bytes: Uint8Array, metadata: OpMetadata, locations: readonly SourceLocation[]): Marshalled {
    const digest = digestOf(bytes);
    this.cachedFor = c;
    this.cached = { digest, metadata, locations };
    return { digest, bytes, metadata, locations };
  }

  release(): void {
    this.released = true;
    this.dropInputs();
  }

  /** Clears the op's references to other ops' states and outputs. */
  protected dropInputs(): void {}
}

/** Go compares strings byte-wise (UTF-8); JS `<` compares UTF-16 code units, which differs above U+FFFF. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
