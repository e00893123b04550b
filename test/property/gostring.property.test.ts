import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareGoStrings } from '../../src/gostring.js';
import { params } from './arbitraries.js';

// Go orders map keys and mount paths by their UTF-8 bytes, which is what Node writes for a
// string, lone surrogates as U+FFFD. compareGoStrings decides most pairs from UTF-16 units.

const sign = (n: number) => Math.sign(n);
const bytesOrder = (a: string, b: string) => sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

// Few distinct units, so that pairs share prefixes and meet at surrogates often.
const unit = fc.constantFrom('a', 'b', '/', '\u00e9', '\uffff', '\ue000', '\ud83d', '\ude00', '\ude01', '\udbff', '\udfff');
const text = fc.array(unit, { maxLength: 6 }).map((us) => us.join(''));

test('compareGoStrings orders as the UTF-8 bytes do', () => {
  fc.assert(
    fc.property(text, text, (a, b) => {
      const got = sign(compareGoStrings(a, b));
      // Strings whose bytes are equal (lone surrogates alike) may come either way, but consistently.
      if (bytesOrder(a, b) === 0) assert.ok(got === -sign(compareGoStrings(b, a)), 'inconsistent');
      else assert.equal(got, bytesOrder(a, b));
    }),
    params(2000),
  );
});

test('compareGoStrings: pairs JS orders differently from UTF-8', () => {
  // U+1F600 is a surrogate pair in UTF-16, below U+E000; in UTF-8 it is above.
  assert.equal(sign(compareGoStrings('\u{1f600}', '\ue000')), 1);
  assert.equal(sign(compareGoStrings('x\u{1f600}', 'x\uffff')), 1);
  // A lone high surrogate is U+FFFD, which comes after 'a'; but not before its own prefix.
  assert.equal(sign(compareGoStrings('\ud83db', 'a')), 1);
  assert.equal(sign(compareGoStrings('\ud83d', '\ud83d\ude00')), -1);
  assert.equal(compareGoStrings('/dest', '/dest'), 0);
  assert.equal(sign(compareGoStrings('/', '/dest')), -1);
});
