// Writes dist/llbc.cjs.cache, the V8 code bin/llbc starts from. V8 caches the functions that
// have been compiled, so the CLI is first run on the conformance build files the way people
// run it: compiling to a pipe or a file, formatting, dumping, and failing on a bad file.
'use strict';
const { mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { load } = require('../bin/llbc');

async function train(main) {
  const root = join(__dirname, '..', 'fixtures', 'conformance');
  const files = readdirSync(root, { recursive: true })
    .filter((f) => f.endsWith('.llb'))
    .map((f) => join(root, f));
  const tmp = mkdtempSync(join(tmpdir(), 'llbc-cache-'));
  const bad = join(tmp, 'bad.llb');
  writeFileSync(bad, 'FROM alpine\nRUN --mount=type=nope true\n');
  try {
    for (const f of files) {
      await main(['build', f]);
      await main(['build', f, '-o', join(tmp, 'out.pb')]);
      await main(['fmt', f]);
    }
    await main(['dump', join(tmp, 'out.pb')]);
    await main(['build', bad]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Output is not wanted here, only the code that makes it. */
function silenced(stream) {
  const write = stream.write;
  stream.write = (_data, encoding, callback) => {
    (typeof encoding === 'function' ? encoding : callback)?.();
    return true;
  };
  return () => {
    stream.write = write;
  };
}

(async () => {
  const cli = load();
  const restore = [silenced(process.stdout), silenced(process.stderr)];
  try {
    await train(cli.main);
  } finally {
    for (const r of restore) r();
  }
  writeFileSync(join(__dirname, '..', 'dist', 'llbc.cjs.cache'), cli.cache());
  process.exitCode = 0;
})();
