#!/usr/bin/env node
// Regenerates fixtures/dockerfile/*/ref.pb with BuildKit's own Dockerfile frontend, run offline by
// llbref (BuildKit v0.11.6). Needs LLBREF=/path/to/llbref; never run by `npm test`.
//   LLBREF=/path/to/llbref node scripts/dockerfile-refs.mjs [CASE...]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const llbref = process.env.LLBREF;
if (!llbref || !existsSync(llbref)) {
  console.error('set LLBREF to the path of BuildKit v0.11.6\'s llbref');
  process.exit(1);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'dockerfile');
const wanted = process.argv.slice(2);
const cases = readdirSync(root, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'Dockerfile')))
  .map((e) => e.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

function options(dir) {
  const file = join(dir, 'options.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

function expectsError(dir) {
  return options(dir).expectError === true;
}

/** The llbref arguments of one case, from its optional options.json. */
function refArgs(dir) {
  const { target, platform, buildArgs } = options(dir);
  const args = ['dockerfile'];
  if (target) args.push('-target', target);
  if (platform) args.push('-platform', platform);
  for (const [key, value] of Object.entries(buildArgs ?? {})) args.push('-build-arg', `${key}=${value}`);
  return args;
}

let failed = 0;
for (const name of cases) {
  const dir = join(root, name);
  if (expectsError(dir)) {
    // Cases the frontend refuses keep its message in error.txt instead of a ref.pb.
    try {
      execFileSync(llbref, refArgs(dir), { input: readFileSync(join(dir, 'Dockerfile')), cwd: dir, stdio: 'pipe' });
      failed++;
      console.error(`${name}: expected llbref to refuse it, but it compiled`);
    } catch (err) {
      const message = String(err.stderr).trim().replace(/^llbref dockerfile: /, '');
      writeFileSync(join(dir, 'error.txt'), message + '\n');
      console.log(`${name}: refused: ${message}`);
    }
    continue;
  }
  try {
    const def = execFileSync(llbref, refArgs(dir), {
      input: readFileSync(join(dir, 'Dockerfile')),
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    execFileSync(llbref, ['check', '-q'], { input: def, stdio: ['pipe', 'ignore', 'pipe'] });
    writeFileSync(join(dir, 'ref.pb'), def);
    console.log(`${name}: ${def.length} bytes`);
  } catch (err) {
    failed++;
    console.error(`${name}: ${String(err.stderr ?? err.message).trim()}`);
  }
}
process.exit(failed ? 1 : 0);
