import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/llb/exec.js';
import { image } from '../../src/llb/source.js';
import { InputList } from '../../src/llb/vertex.js';
import { digestsOf } from '../../src/llb/digests.js';
import { constraints } from './marshal.js';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

test('an input list numbers each (digest, output) once, in the order first added, however many', () => {
  const list = new InputList();
  const numbers: number[] = [];
  for (let round = 0; round < 2; round++) for (let i = 0; i < 20; i++) numbers.push(list.add({ digest: digest(i % 10), index: i >= 10 ? 1 : 0 }));
  assert.deepEqual(numbers.slice(0, 20), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(numbers.slice(20), numbers.slice(0, 20), 'the same inputs again get the same numbers');
  assert.equal(list.length, 20);
  assert.deepEqual(list.list[13], { digest: digest(3), index: 1 });
});

test('an op marshals once per constraints: its digest is the same, its bytes handed out once', () => {
  const st = run(image('docker.io/library/busybox:latest'), { args: ['true'] }).root();
  const v = st.output!.vertex;
  const c = constraints();
  const first = v.marshal(c);
  const again = v.marshal(c);
  assert.ok(first.bytes && first.bytes.length > 0);
  assert.equal(again.bytes, undefined);
  assert.equal(again.digestNumber, first.digestNumber);
  assert.equal(st.output!.toInput(c).digest, digestsOf(c).digest(first.digestNumber));
  // Other constraints: marshalled again, to the same bytes when they do not change the op.
  const other = v.marshal(constraints());
  assert.deepEqual(Buffer.from(other.bytes!), Buffer.from(first.bytes));
});

test('a released op keeps its digest but will not marshal under other constraints', () => {
  const base = image('docker.io/library/busybox:latest');
  const v = run(base, { args: ['true'] }).root().output!.vertex;
  assert.equal(v.inputs().length, 1);
  const c = constraints();
  const m = v.marshal(c);
  const walk = {};
  assert.equal(v.releasedBy(walk), false);
  v.release(walk);
  assert.equal(v.releasedBy(walk), true);
  assert.equal(v.releasedBy({}), false);
  assert.equal(v.inputs().length, 0, 'the inputs are let go');
  assert.equal(v.marshal(c).digestNumber, m.digestNumber);
  assert.throws(() => v.marshal(constraints()), /released op/);
});
