import type { Constraints, OpMetadata, SourceLocation } from './constraints.js';
import { digestsOf, sha256 } from './digests.js';
import type * as pb from '../wire/messages.generated.js';

export interface Marshalled {
  /** The op's digest, as its number in digestsOf(c): the string is made only where it is written. */
  readonly digestNumber: number;
  /**
   * The op's encoding, metadata and source locations, from the call that made them only: ops
   * keep just their digest, for the ops that read them, and the Definition keeps the rest.
   */
  readonly bytes?: Uint8Array;
  readonly metadata?: OpMetadata;
  readonly locations?: readonly SourceLocation[];
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
   * `walk` is the Definition's walk, which releasedBy() then recognises.
   */
  release(walk: object): void;
  /** Whether this walk has released the op: a mark on the op, so the walk keeps no set of them. */
  releasedBy(walk: object): boolean;
}

/** pb.Input as an op's inputs carry it: always both fields. */
export type PbInput = Required<pb.Input> & { readonly index: number };

/** One result of a vertex. Only an exec has several (one per writable mount), so it overrides index(). */
export class Output {
  constructor(readonly vertex: Vertex) {}

  index(): number {
    return 0;
  }

  toInput(c: Constraints): PbInput {
    return { digest: digestsOf(c).digest(this.vertex.marshal(c).digestNumber), index: this.index() };
  }
}

/** An op's pb inputs, each (digest, output) once, numbered in the order first added. */
export class InputList {
  readonly list: PbInput[] = [];
  // Made past a few inputs: a FileOp copying from 100,000 sources has as many, and an op
  // of a few is cheaper searched than keyed.
  private numbers?: Map<string, number>;

  add(input: PbInput): number {
    const list = this.list;
    if (!this.numbers) {
      for (let n = 0; n < list.length; n++) if (list[n].digest === input.digest && list[n].index === input.index) return n;
      if (list.length < 8) return list.push(input) - 1;
      this.numbers = new Map(list.map((e, n) => [`${e.index}:${e.digest}`, n]));
    }
    const key = `${input.index}:${input.digest}`;
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = list.push(input) - 1;
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
  /** A number, not a string: see digestsOf. */
  private digestNumber = -1;
  /** The walk that released the op. */
  private releasedIn?: object;

  protected load(c: Constraints): Marshalled | undefined {
    if (this.cachedFor === c) return { digestNumber: this.digestNumber };
    if (this.releasedIn) throw new Error('a released op cannot be marshalled under other constraints');
    return undefined;
  }

  protected store(c: Constraints, bytes: Uint8Array, metadata: OpMetadata, locations: readonly SourceLocation[]): Marshalled {
    return this.storeEncoded(c, bytes, digestsOf(c).intern(sha256(bytes)), metadata, locations);
  }

  /** store(), for bytes whose digest is known: those of another op, encoded the same. */
  protected storeEncoded(c: Constraints, bytes: Uint8Array, digestNumber: number, metadata: OpMetadata, locations: readonly SourceLocation[]): Marshalled {
    this.cachedFor = c;
    this.digestNumber = digestNumber;
    return { digestNumber, bytes, metadata, locations };
  }

  release(walk: object): void {
    this.releasedIn = walk;
    this.dropInputs();
  }

  releasedBy(walk: object): boolean {
    return this.releasedIn === walk;
  }

  /** Clears the op's references to other ops' states and outputs. */
  protected dropInputs(): void {}
}
