// Compiles the TypeScript (for tests) and bundles the CLI (for start-up time).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import protobuf from 'protobufjs';
import { generateMessages } from './messages.mjs';

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

/**
 * Makes these node modules load when first used instead of when the bundle starts: commander
 * requires child_process (and with it net, dgram and streams) for subcommands run as separate
 * executables, which llbc has none of: a few milliseconds of every run.
 */
function loadedOnFirstUse(modules) {
  return {
    name: 'loaded-on-first-use',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(node:)?(${modules.join('|')})$`) }, (args) =>
        // The proxy's own require is of the real module.
        args.namespace === 'first-use' ? { path: args.path, external: true } : { path: args.path, namespace: 'first-use' },
      );
      b.onLoad({ filter: /.*/, namespace: 'first-use' }, (args) => ({
        contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require(${JSON.stringify(args.path)}))[k] });`,
        loader: 'js',
      }));
    },
  };
}

// llb.proto in protobufjs's JSON form: shipped as llb.json (below), so that nothing parses
// .proto text at run time, and the source of the message types' encoders and canonical()
// (src/wire/encode.ts), generated here.
const schema = protobuf.parse(readFileSync('src/wire/llb.proto', 'utf8'), { keepCase: true }).root.toJSON();
// The gateway API's messages (src/wire/gateway/*.proto, which import llb.proto), for
// `llbc frontend`: one JSON schema of them all, checked here to name only types it declares.
const gatewayRoot = new protobuf.Root();
protobuf.parse(readFileSync('src/wire/llb.proto', 'utf8'), gatewayRoot, { keepCase: true });
for (const file of readdirSync('src/wire/gateway').filter((f) => f.endsWith('.proto')).sort()) {
  protobuf.parse(readFileSync(`src/wire/gateway/${file}`, 'utf8'), gatewayRoot, { keepCase: true });
}
const gatewaySchema = gatewayRoot.resolveAll().toJSON();
writeFileSync('src/wire/messages.generated.ts', generateMessages(schema));
// tsc never deletes: the compiled copy of a moved or deleted test would go on running.
for (const dir of ['dist/src', 'dist/test', 'dist/bench']) rmSync(dir, { recursive: true, force: true });
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
  // LLBC_NO_MINIFY=1 keeps names readable in a --cpu-prof profile.
  minify: !process.env.LLBC_NO_MINIFY,
  logLevel: 'warning',
  banner: { js: "const __llbcModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__llbcModuleUrl' },
  plugins: [sideEffectFree(/[\\/]node_modules[\\/](chevrotain|@chevrotain|lodash-es)[\\/]/), loadedOnFirstUse(['child_process'])],
});
// bin/llbc runs the bundle as a vm.Script, which has no loader for an import() esbuild left in.
if (/\bimport\(/.test(readFileSync('dist/llbc.cjs', 'utf8'))) throw new Error('dist/llbc.cjs: an import() of a module outside the bundle');
rmSync('dist/bundle', { recursive: true, force: true });
// The schema ships as protobufjs JSON; the .proto is copied too, for readers.
for (const dir of ['dist/src/wire', 'dist']) {
  mkdirSync(dir, { recursive: true });
  copyFileSync('src/wire/llb.proto', `${dir}/llb.proto`);
  writeFileSync(`${dir}/llb.json`, JSON.stringify(schema));
  writeFileSync(`${dir}/gateway.json`, JSON.stringify(gatewaySchema));
}
// Last, as it runs the finished bundle: V8 code for the CLI, made by compiling with it.
execFileSync(process.execPath, ['scripts/code-cache.cjs'], { stdio: 'inherit' });
