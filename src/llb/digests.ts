import * as crypto from 'node:crypto';
import type { Constraints } from './constraints.js';

const prefix = 'sha256:';

// crypto.hash (Node 20.12) skips making a Hash object, which costs more than hashing an op.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;

/** The sha256 of bytes, as its 32 bytes. */
export function sha256(bytes: Uint8Array): Buffer {
  return oneShot ? oneShot('sha256', bytes, 'buffer') : crypto.createHash('sha256').update(bytes).digest();
}

const tables = new WeakMap<Constraints, DigestTable>();

/**
 * The digests of the ops marshalled under these constraints. An op keeps its digest as its
 * number here, not as a string: a string made while the graph is marshalled would be young
 * and held by an old op, and young collections treat everything an old object points to as
 * alive, dead op or not, so each digest would be copied into the old generation.
 */
export function digestsOf(c: Constraints): DigestTable {
  let t = tables.get(c);
  if (!t) tables.set(c, (t = new DigestTable()));
  return t;
}

// Digests are kept in chunks of 1,024 (32 KB), which a large table adds without copying.
const chunkBits = 10;
const chunkMask = (1 << chunkBits) - 1;

// Positions below this fit beside a 32-bit number in a double's 53 bits.
const positionLimit = 2 ** 21;

/**
 * A set of sha256 digests, numbered from 0 in the order added, kept as their 32 bytes with an
 * open-addressing index: as `sha256:<hex>` strings in a Map, a large graph's digests would
 * cost five times the memory, on the JS heap.
 */
export class DigestTable {
  private readonly bytes: Buffer[] = [];
  /** The same memory as `bytes`, as words. */
  private readonly words: Uint32Array[] = [];
  /** Entry number + 1 in each slot, 0 when empty; a digest's first word picks its slot. */
  private slots = new Int32Array(2048);
  length = 0;
  /** The number of a digest given as its 32 bytes, added if new. */
  intern(raw: Uint8Array): number {
    if (raw.length !== 32) throw new Error('not a sha256 digest');
    if (this.length * 2 >= this.slots.length) this.rehash(this.slots.length * 2);
    const n = this.length;
    if (n >> chunkBits === this.bytes.length) {
      const words = new Uint32Array(8 << chunkBits);
      this.words.push(words);
      this.bytes.push(Buffer.from(words.buffer));
    }
    this.bytes[n >> chunkBits].set(raw, 32 * (n & chunkMask));
    const found = this.probe(n);
    if (found >= 0) return found;
    this.slots[this.slotOf(n)] = n + 1;
    this.length++;
    return n;
  }

  /** Digest n as `sha256:<hex>`. */
  digest(n: number): string {
    const at = 32 * (n & chunkMask);
    return prefix + this.bytes[n >> chunkBits].toString('hex', at, at + 32);
  }

  /** Orders numbers, in place, by their digests: byte order, which is the order of the hex strings. */
  sort(numbers: Int32Array): Int32Array {
    const byDigest = (a: number, b: number) => this.compare(a, b);
    if (numbers.length > positionLimit) return numbers.sort(byDigest);
    // Sorted as numbers by their first four bytes, with each one's position below them (exact
    // in a double), which is native code throughout; then any run that shares its first four
    // bytes, which is rare, by whole digests.
    const keys = new Float64Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) keys[i] = this.word(numbers[i], 0, true) * positionLimit + i;
    keys.sort();
    const out = new Int32Array(numbers.length);
    for (let i = 0; i < keys.length; i++) out[i] = numbers[keys[i] % positionLimit];
    for (let i = 0; i < keys.length; ) {
      let end = i + 1;
      while (end < keys.length && Math.floor(keys[end] / positionLimit) === Math.floor(keys[i] / positionLimit)) end++;
      if (end - i > 1) out.subarray(i, end).sort(byDigest);
      i = end;
    }
    numbers.set(out);
    return numbers;
  }

  private compare(a: number, b: number): number {
    const at = 32 * (a & chunkMask);
    const bt = 32 * (b & chunkMask);
    return this.bytes[a >> chunkBits].compare(this.bytes[b >> chunkBits], bt, bt + 32, at, at + 32);
  }

  /** Word i of digest n: as stored (for hashing and comparing), or big-endian (for ordering). */
  private word(n: number, i: number, bigEndian = false): number {
    return bigEndian ? this.bytes[n >> chunkBits].readUInt32BE(32 * (n & chunkMask) + 4 * i) : this.words[n >> chunkBits][8 * (n & chunkMask) + i];
  }

  /** The number of an entry with the same bytes as (unindexed) entry n, or -1. */
  private probe(n: number): number {
    const mask = this.slots.length - 1;
    for (let at = this.word(n, 0) & mask; ; at = (at + 1) & mask) {
      const e = this.slots[at] - 1;
      if (e < 0) return -1;
      if (this.same(e, n)) return e;
    }
  }

  /** The empty slot where entry n goes. */
  private slotOf(n: number): number {
    const mask = this.slots.length - 1;
    let at = this.word(n, 0) & mask;
    while (this.slots[at] !== 0) at = (at + 1) & mask;
    return at;
  }

  private same(a: number, b: number): boolean {
    for (let i = 0; i < 8; i++) if (this.word(a, i) !== this.word(b, i)) return false;
    return true;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let n = 0; n < this.length; n++) this.slots[this.slotOf(n)] = n + 1;
  }
}
