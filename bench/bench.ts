// `npm run bench`: runs every dist/bench/*.bench.js in turn. Each module exports a default
// async function that prints its own table; this runner only finds and orders them.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const f of readdirSync(here).filter((n) => n.endsWith('.bench.js')).sort()) {
  const mod = (await import(pathToFileURL(`${here}/${f}`).href)) as { default: () => Promise<void> };
  process.stdout.write(`\n## ${f.replace(/\.bench\.js$/, '')}\n`);
  await mod.default();
}
