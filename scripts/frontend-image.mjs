#!/usr/bin/env node
// Builds the llbc frontend image without a network: this machine's node binary with the
// shared libraries it links (from ldd) and the built llbc, as a root filesystem, made into an
// image by BuildKit's built-in Dockerfile frontend and pushed to a registry. For tests: users
// build the image from the repository's Dockerfile, on a Node base image.
//
//   node scripts/frontend-image.mjs --addr unix:///run/buildkit/buildkitd.sock --registry 127.0.0.1:5000 [--name llbc-frontend] [--tag latest]
//
// buildctl is found through BUILDKIT_BIN or PATH; llbc must be built (npm run build). Prints
// the image's reference (REGISTRY/NAME:TAG) on stdout.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The llbc files the image needs, relative to the repository. */
function llbcFiles() {
  const dist = readdirSync(join(root, 'dist')).filter((f) => f === 'llbc.cjs' || f === 'llbc.cjs.cache' || f.endsWith('.json'));
  if (!dist.includes('llbc.cjs')) throw new Error('dist/llbc.cjs is missing: run `npm run build` first');
  return ['bin/llbc', 'bin/package.json', ...dist.map((f) => `dist/${f}`)];
}

/** The shared libraries the binary loads, with the dynamic loader, as ldd lists them. */
function sharedLibraries(binary) {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs = [];
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) libs.push(m[1]);
  }
  return libs;
}

/** Copies a file to the same path under dir, and, for a symbolic link, the file it names too. */
function copyInto(dir, path, to = path) {
  mkdirSync(join(dir, dirname(to)), { recursive: true });
  copyFileSync(realpathSync(path), join(dir, to));
}

/** The root filesystem: /usr/local/bin/node, its libraries, llbc under /llbc. */
export function assembleRootfs(dir) {
  const node = realpathSync(process.execPath);
  copyInto(dir, node, '/usr/local/bin/node');
  chmodSync(join(dir, 'usr/local/bin/node'), 0o755);
  for (const lib of sharedLibraries(node)) copyInto(dir, lib);
  for (const f of llbcFiles()) copyInto(dir, join(root, f), join('/llbc', f));
  chmodSync(join(dir, 'llbc/bin/llbc'), 0o755);
  keepCodeCache(join(dir, 'llbc/dist/llbc.cjs'));
  mkdirSync(join(dir, 'tmp'), { recursive: true });
}

/**
 * bin/llbc uses the bundle's V8 code cache only if the bundle's size and modification time
 * (in nanoseconds) are those the cache starts with: the bundle gets a time in whole seconds,
 * which an image layer keeps, and the cache that time. Without it every frontend run would
 * compile the bundle again (the repository's Dockerfile runs this too).
 */
export function keepCodeCache(bundle) {
  const cache = `${bundle}.cache`;
  let data;
  try {
    data = readFileSync(cache);
  } catch {
    return;
  }
  const seconds = Math.floor(statSync(bundle).mtimeMs / 1000);
  utimesSync(bundle, seconds, seconds);
  const { size, mtimeNs } = statSync(bundle, { bigint: true });
  writeFileSync(cache, Buffer.concat([Buffer.from(`${size} ${mtimeNs}\n`), data.subarray(data.indexOf(10) + 1)]));
}

/** The image's configuration, as the Dockerfile lines that follow `FROM scratch` and `COPY . /`. */
export const imageConfigLines = [
  'ENV PATH=/usr/local/bin:/usr/bin:/bin',
  'LABEL moby.buildkit.frontend.network.none="true"',
  'ENTRYPOINT ["/usr/local/bin/node", "/llbc/bin/llbc", "frontend"]',
];

/** The Dockerfile that makes the image from the root filesystem. */
export const imageDockerfile = ['FROM scratch', 'COPY . /', ...imageConfigLines, ''].join('\n');

function buildctl() {
  const bin = process.env.BUILDKIT_BIN;
  return bin ? join(bin, 'buildctl') : 'buildctl';
}

/** Builds and pushes the image; its reference. */
export function buildFrontendImage({ addr, registry, name = 'llbc-frontend', tag = 'latest' }) {
  const work = mkdtempSync(join(tmpdir(), 'llbc-frontend-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    const defs = join(work, 'dockerfile');
    mkdirSync(rootfs);
    mkdirSync(defs);
    assembleRootfs(rootfs);
    writeFileSync(join(defs, 'Dockerfile'), imageDockerfile);
    const ref = `${registry}/${name}:${tag}`;
    execFileSync(
      buildctl(),
      ['--addr', addr, 'build', '--frontend', 'dockerfile.v0', '--local', `context=${rootfs}`, '--local', `dockerfile=${defs}`, '--output', `type=image,name=${ref},push=true,registry.insecure=true`],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    return ref;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { addr: { type: 'string' }, registry: { type: 'string' }, name: { type: 'string' }, tag: { type: 'string' } } });
  if (!values.addr || !values.registry) {
    process.stderr.write('usage: node scripts/frontend-image.mjs --addr BUILDKIT_ADDR --registry HOST:PORT [--name NAME] [--tag TAG]\n');
    process.exit(2);
  }
  process.stdout.write(`${buildFrontendImage(values)}\n`);
}
