import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Diagnostic } from '../../src/diagnostics.js';
import { writeFilePieces } from '../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'llbc-write-'));

test('pieces are written in order, as they are made', async () => {
  const path = join(dir, 'whole.pb');
  const made: number[] = [];
  await writeFilePieces(
    path,
    (function* () {
      for (let i = 0; i < 3; i++) {
        made.push(i);
        yield Buffer.alloc(100_000, i);
      }
    })(),
  );
  assert.deepEqual(made, [0, 1, 2]);
  assert.deepEqual(readFileSync(path), Buffer.concat([0, 1, 2].map((i) => Buffer.alloc(100_000, i))));
});

test('a failure partway leaves no file behind, not half of one', async () => {
  const path = join(dir, 'half.pb');
  await assert.rejects(
    () =>
      writeFilePieces(
        path,
        (function* () {
          yield Buffer.from('first');
          throw new Error('marshalling failed');
        })(),
      ),
    /marshalling failed/,
  );
  assert.equal(existsSync(path), false);
});

test('what is not a regular file is written to and never removed', async () => {
  await assert.rejects(
    () =>
      writeFilePieces(
        '/dev/null',
        (function* () {
          yield Buffer.from('x');
          throw new Error('stop');
        })(),
      ),
    /stop/,
  );
  assert.equal(existsSync('/dev/null'), true);
});

test('a path that cannot be opened is a diagnostic naming it', async () => {
  const path = join(dir, 'missing', 'x.pb');
  await assert.rejects(
    () => writeFilePieces(path, [Buffer.from('x')]),
    (e: unknown) => e instanceof Diagnostic && e.message === `cannot write ${path}: no such directory`,
  );
});
