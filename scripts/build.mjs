// Compiles the TypeScript (for tests) and bundles the CLI (for start-up time).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import protobuf from 'protobufjs';

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
// Chunk names change with their contents: start empty so old chunks do not pile up.
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: { llbc: 'src/cli/main.ts' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: 'dist/bundle',
  splitting: true,
  minify: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __llbcRequire } from 'node:module'; const require = __llbcRequire(import.meta.url);" },
});
// The schema ships as protobufjs JSON, parsed from the .proto here so that nothing parses
// .proto text at run time; the .proto is copied too, for readers.
const schema = JSON.stringify(protobuf.parse(readFileSync('src/wire/llb.proto', 'utf8'), { keepCase: true }).root.toJSON());
for (const dir of ['dist/src/wire', 'dist/bundle']) {
  mkdirSync(dir, { recursive: true });
  copyFileSync('src/wire/llb.proto', `${dir}/llb.proto`);
  writeFileSync(`${dir}/llb.json`, schema);
}
