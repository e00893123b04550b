// Compiles the TypeScript (for tests) and bundles the CLI (for start-up time).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
// A failed build must not leave a code cache beside a bundle it was not made from.
rmSync('dist/llbc.cjs.cache', { force: true });
// One CommonJS file: node's ES module loader costs start-up time that a CLI run pays every time.
// Commands that are not run stay in lazily evaluated wrappers (the `import()` calls).
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: 'dist/llbc.cjs',
  minify: true,
  logLevel: 'warning',
  banner: { js: "const __llbcModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__llbcModuleUrl' },
  plugins: [sideEffectFree(/[\\/]node_modules[\\/](chevrotain|@chevrotain|lodash-es)[\\/]/)],
});
// bin/llbc runs the bundle as a vm.Script, which has no loader for an import() esbuild left in.
if (/\bimport\(/.test(readFileSync('dist/llbc.cjs', 'utf8'))) throw new Error('dist/llbc.cjs: an import() of a module outside the bundle');
rmSync('dist/bundle', { recursive: true, force: true });
// The schema ships as protobufjs JSON, parsed from the .proto here so that nothing parses
// .proto text at run time; the .proto is copied too, for readers.
const schema = JSON.stringify(protobuf.parse(readFileSync('src/wire/llb.proto', 'utf8'), { keepCase: true }).root.toJSON());
for (const dir of ['dist/src/wire', 'dist']) {
  mkdirSync(dir, { recursive: true });
  copyFileSync('src/wire/llb.proto', `${dir}/llb.proto`);
  writeFileSync(`${dir}/llb.json`, schema);
}
// Last, as it runs the finished bundle: V8 code for the CLI, made by compiling with it.
execFileSync(process.execPath, ['scripts/code-cache.cjs'], { stdio: 'inherit' });
