// Compiles the TypeScript (for tests) and bundles the CLI (for start-up time).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';
import protobuf from 'protobufjs';

/**
 * Marks the packages whose files match as free of side effects, which they are but do not
 * declare: chevrotain's entry point re-exports the whole library, and compiling needs only
 * its lexer, so this leaves half of it out of the bundle, and out of start-up.
 */
function sideEffectFree(files) {
  return {
    name: 'side-effect-free',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'side-effect-free') return undefined;
        const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'side-effect-free' });
        if (resolved.errors.length > 0 || !files.test(resolved.path)) return undefined;
        return { ...resolved, sideEffects: false };
      });
    },
  };
}

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
const bundled = await build({
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
  plugins: [sideEffectFree(/[\\/]node_modules[\\/](chevrotain|@chevrotain|lodash-es)[\\/]/)],
  metafile: true,
});
// Chunk names change with their contents: drop the old ones (after, so that bin/llbc works
// throughout a rebuild).
const current = new Set(Object.keys(bundled.metafile.outputs).map((f) => basename(f)));
for (const f of readdirSync('dist/bundle')) if (f.endsWith('.js') && !current.has(f)) rmSync(`dist/bundle/${f}`);
// The schema ships as protobufjs JSON, parsed from the .proto here so that nothing parses
// .proto text at run time; the .proto is copied too, for readers.
const schema = JSON.stringify(protobuf.parse(readFileSync('src/wire/llb.proto', 'utf8'), { keepCase: true }).root.toJSON());
for (const dir of ['dist/src/wire', 'dist/bundle']) {
  mkdirSync(dir, { recursive: true });
  copyFileSync('src/wire/llb.proto', `${dir}/llb.proto`);
  writeFileSync(`${dir}/llb.json`, schema);
}
