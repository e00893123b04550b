import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { unifiedDiff } from '../../src/cli/unified-diff.js';
import { applyUnifiedDiff } from './apply-diff.js';

test('equal texts have no diff', () => {
  assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'x'), '');
});

test('a small diff looks like diff -u', () => {
  const before = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n';
  const after = 'one\ntwo\nthree\nFOUR\nfive\nsix\nseven\neight\nnine\nten\n';
  assert.equal(
    unifiedDiff(before, after, 'a.llb', 'a.llb'),
    '--- a.llb\n+++ a.llb\n@@ -1,9 +1,10 @@\n one\n two\n three\n-four\n+FOUR\n five\n six\n seven\n eight\n nine\n+ten\n',
  );
});

test('distant changes make separate hunks; a missing final newline is marked', () => {
  const before = `${Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n')}`;
  const after = `${Array.from({ length: 20 }, (_, i) => (i === 2 ? 'X' : `l${i}`)).join('\n')}\n`;
  assert.equal(
    unifiedDiff(before, after, 'f', 'f'),
    '--- f\n+++ f\n@@ -1,6 +1,6 @@\n l0\n l1\n-l2\n+X\n l3\n l4\n l5\n@@ -17,4 +17,4 @@\n l16\n l17\n l18\n-l19\n\\ No newline at end of file\n+l19\n',
  );
});

test('insertions into an empty file and deletion of everything', () => {
  assert.equal(unifiedDiff('', 'a\nb\n', 'f', 'f'), '--- f\n+++ f\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  assert.equal(unifiedDiff('a\n', '', 'f', 'f'), '--- f\n+++ f\n@@ -1 +0,0 @@\n-a\n');
});

const text = (alphabet: string[]) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).chain((lines) =>
    fc.boolean().map((finalNewline) => lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '')),
  );

test('property: applying the diff to the old text gives the new text', () => {
  const alphabet = ['a', 'b', 'c', '', 'a\r', 'FROM x', 'RUN y'];
  fc.assert(
    fc.property(text(alphabet), text(alphabet), (a, b) => {
      const d = unifiedDiff(a, b, 'f', 'f');
      assert.equal(d === '', a === b);
      if (d !== '') assert.equal(applyUnifiedDiff(a, d), b);
    }),
    { seed: 4, numRuns: 1000 },
  );
});

test('large inputs: cut at unique lines, and the no-anchor fallback, both apply', () => {
  const big = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`);
  const changed = big.map((l, i) => (i % 7 === 0 ? l.toUpperCase() : l)).filter((_, i) => i % 11 !== 5);
  changed.splice(100, 0, 'new\n');
  assert.equal(applyUnifiedDiff(big.join(''), unifiedDiff(big.join(''), changed.join(''), 'f', 'f')), changed.join(''));
  // Nothing unique to anchor on: the same few lines over and over.
  const a = Array.from({ length: 1500 }, (_, i) => `${i % 3}\n`).join('');
  const b = Array.from({ length: 1500 }, (_, i) => `${i % 4}\n`).join('');
  assert.equal(applyUnifiedDiff(a, unifiedDiff(a, b, 'f', 'f')), b);
});
