import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestTable, sha256 } from '../../src/llb/digests.js';

/** The order Go writes map keys in: the `sha256:<hex>` strings' order. */
function byHex(t: DigestTable, numbers: readonly number[]): number[] {
  return [...numbers].sort((a, b) => (t.digest(a) < t.digest(b) ? -1 : t.digest(a) > t.digest(b) ? 1 : 0));
}

test('DigestTable.sort orders digests as their hex strings, in place', () => {
  const t = new DigestTable();
  const numbers: number[] = [];
  for (let i = 0; i < 5000; i++) numbers.push(t.intern(sha256(Buffer.from(`op ${i}`))));
  // Digests sharing their first four bytes, which the sort orders by the rest.
  for (let i = 0; i < 40; i++) {
    const d = Buffer.alloc(32);
    d.writeUInt32BE(0x8000_0001, 0);
    d[31] = 255 - i;
    d[5] = i % 3;
    numbers.push(t.intern(d));
  }
  const given = Int32Array.from(numbers.reverse());
  const sorted = t.sort(given);
  assert.equal(sorted, given);
  assert.deepEqual(Array.from(sorted), byHex(t, numbers));
});

test('DigestTable numbers a digest once', () => {
  const t = new DigestTable();
  const a = t.intern(sha256(Buffer.from('a')));
  const b = t.intern(sha256(Buffer.from('b')));
  assert.notEqual(a, b);
  assert.equal(t.intern(sha256(Buffer.from('a'))), a);
  assert.equal(t.digest(a), `sha256:${sha256(Buffer.from('a')).toString('hex')}`);
});
