const chunkBits = 14;
const chunkSize = 1 << chunkBits;
const chunkMask = chunkSize - 1;

/**
 * A growable list of signed 32-bit integers in typed-array chunks of 16,384. A JS array of
 * numbers would cost twice the memory, on the JS heap; one typed array grown by doubling leaves
 * each smaller copy behind, and a large list's copies live (as garbage) until a full
 * collection, which a compilation need not have before it ends.
 */
export class IntList {
  private readonly chunks: Int32Array[] = [];
  length = 0;

  push(v: number): void {
    const at = this.length & chunkMask;
    if (at === 0 && this.length >> chunkBits === this.chunks.length) this.chunks.push(new Int32Array(chunkSize));
    this.chunks[this.length >> chunkBits][at] = v;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >> chunkBits][i & chunkMask];
  }

  set(i: number, v: number): void {
    this.chunks[i >> chunkBits][i & chunkMask] = v;
  }

  /** Removes and returns the last item; its chunk is kept for the next push. */
  pop(): number {
    return this.get(--this.length);
  }
}

/**
 * Integers from 0 to 255, as IntList keeps its own. Not one class for both: V8 would then
 * see two kinds of array behind every read, and IntList is read on every op of a compile.
 */
export class ByteList {
  private readonly chunks: Uint8Array[] = [];
  length = 0;

  push(v: number): void {
    const at = this.length & chunkMask;
    if (at === 0 && this.length >> chunkBits === this.chunks.length) this.chunks.push(new Uint8Array(chunkSize));
    this.chunks[this.length >> chunkBits][at] = v;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >> chunkBits][i & chunkMask];
  }
}

/**
 * A growable list of values in arrays of 8,192: for the reason IntList is chunked, and to stay
 * below the size at which V8 puts an array in its large-object space, whose garbage only a
 * full collection reclaims.
 */
export class ChunkedArray<T> {
  private readonly chunks: T[][] = [];
  length = 0;

  push(v: T): void {
    const at = this.length & 8191;
    if (at === 0 && this.length >> 13 === this.chunks.length) this.chunks.push(new Array<T>(8192));
    this.chunks[this.length >> 13][at] = v;
    this.length++;
  }

  get(i: number): T {
    return this.chunks[i >> 13][i & 8191];
  }

  set(i: number, v: T): void {
    this.chunks[i >> 13][i & 8191] = v;
  }

  /** Removes and returns the last item. */
  pop(): T {
    const i = --this.length;
    const v = this.chunks[i >> 13][i & 8191];
    // Not left to keep what it points to alive.
    this.chunks[i >> 13][i & 8191] = undefined as T;
    return v;
  }
}
