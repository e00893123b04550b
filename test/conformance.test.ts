import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceCases, runCli } from './helpers.js';

// Every case must compile to exactly the bytes Go's llb marshalled, through the real CLI.
for (const c of conformanceCases()) {
  test(`conformance ${c.set}/${c.name} is byte-identical to the Go reference`, () => {
    const r = runCli([c.llbPath, ...c.args, '--no-debug-info']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.ok(r.stdout.equals(c.pb), `output differs from ${c.name}.pb (${r.stdout.length} vs ${c.pb.length} bytes)`);
  });
}

test('compiling twice gives the same bytes', () => {
  const [c] = conformanceCases().filter((x) => x.name === 'buildkit0');
  const a = runCli([c.llbPath, '--no-debug-info']).stdout;
  const b = runCli([c.llbPath, '--no-debug-info']).stdout;
  assert.ok(a.length > 0);
  assert.ok(a.equals(b));
});
