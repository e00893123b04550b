/** Go compares strings byte-wise (UTF-8); JS `<` compares UTF-16 code units, which differs above U+FFFF. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  // Below the surrogates, UTF-16 order is code point order, which is UTF-8 byte order.
  if (!surrogate.test(a) && !surrogate.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const surrogate = /[\uD800-\uDFFF]/;
