import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import fc from 'fast-check';
import { cleanPath } from '../../src/llb/path.js';
import { params } from './arbitraries.js';

/** Go's path.Clean by way of Node's posix.normalize, which keeps a trailing slash that Clean drops. */
function oracle(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

// Few distinct pieces, so that slashes, dots and dot-dots meet in every order.
const path = fc.array(fc.constantFrom('/', '.', '..', 'a', 'bc'), { maxLength: 8 }).map((ps) => ps.join(''));

test('cleanPath is Go path.Clean', () => {
  fc.assert(
    fc.property(path, (p) => assert.equal(cleanPath(p), oracle(p), JSON.stringify(p))),
    params(3000),
  );
});

test('cleanPath: directories with trailing slashes, and the cases around them', () => {
  const cases: [string, string][] = [
    ['/dir-0/', '/dir-0'],
    ['/a//', '/a'],
    ['a/', 'a'],
    ['/', '/'],
    ['//', '/'],
    ['a/./', 'a'],
    ['a/../', '.'],
    ['/../', '/'],
    ['../', '..'],
  ];
  for (const [p, want] of cases) assert.equal(cleanPath(p), want, JSON.stringify(p));
});
