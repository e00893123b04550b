import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findShellOperator } from '../../src/lower/shelloperators.js';

test('the first shell operator outside quotes is found, with its offset', () => {
  assert.deepEqual(findShellOperator('make && make install'), { op: '&&', index: 5 });
  assert.deepEqual(findShellOperator('a || b'), { op: '||', index: 2 });
  assert.deepEqual(findShellOperator('ls | wc'), { op: '|', index: 3 });
  assert.deepEqual(findShellOperator('a; b'), { op: ';', index: 1 });
  assert.deepEqual(findShellOperator('echo hi > /x'), { op: '>', index: 8 });
  assert.deepEqual(findShellOperator('wc < /x'), { op: '<', index: 3 });
  assert.deepEqual(findShellOperator('echo "$(date)"'), { op: '$(', index: 6 });
  assert.deepEqual(findShellOperator('echo `date`'), { op: '`', index: 5 });
  for (const quiet of ["echo 'a && b'", 'echo "a | b"', 'echo a\\;b', 'echo ${A}', "echo '$(x)'", 'apk add git']) {
    assert.equal(findShellOperator(quiet), undefined, quiet);
  }
});
