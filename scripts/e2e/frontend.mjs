// Builds through llbc as a BuildKit frontend: the frontend image (assembled offline, as
// scripts/frontend-image.mjs does), buildctl's options for a build through it, the image
// configurations read back from an OCI tarball, and a frontend's files compared with a pipe's.
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { assembleRootfs, imageConfigLines } from '../frontend-image.mjs';
import { readTar } from './tree.mjs';

/**
 * The frontend image's repository in the local registry. buildkitd mirrors docker.io to it, so
 * that `llbc-frontend` (docker.io/library/llbc-frontend) names it, in `--opt source=` as in a
 * build file's `# syntax=` line.
 */
export const FRONTEND_REPOSITORY = 'library/llbc-frontend:latest';
export const FRONTEND_REF = 'llbc-frontend';

/** How a build reaches the frontend: gateway.v0 names the image, dockerfile.v0 finds it in `# syntax=`. */
export const FRONTEND_MODES = ['gateway', 'syntax'];

/** Builds the frontend image from this machine's node and the built llbc, and pushes it (once per run). */
export async function pushFrontendImage(ctx) {
  const rootfs = join(ctx.tmp, 'frontend-rootfs');
  mkdirSync(rootfs);
  assembleRootfs(rootfs);
  await ctx.pushImage(rootfs, [FRONTEND_REPOSITORY], { dockerfileLines: imageConfigLines });
}

/** `buildctl build` options that build `buildFile` through the frontend, reached as `mode` says. */
export function frontendArgs(mode, buildFile, b) {
  const args = mode === 'gateway' ? ['--frontend', 'gateway.v0', '--opt', `source=${FRONTEND_REF}`] : ['--frontend', 'dockerfile.v0'];
  args.push('--local', `dockerfile=${dirname(buildFile)}`, '--opt', `filename=${basename(buildFile)}`);
  for (const [k, v] of Object.entries(b.buildArgs)) args.push('--opt', `build-arg:${k}=${v}`);
  if (b.target) args.push('--opt', `target=${b.target}`);
  if (b.platform) args.push('--opt', `platform=${b.platform}`);
  return args;
}

/** This machine's platform, which buildkitd builds for when asked for none. */
export function hostPlatform() {
  const arch = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }[process.arch] ?? process.arch;
  return `linux/${arch}`;
}

/** The platforms a build makes: those it asks for, or this machine's. */
export function buildPlatforms(b) {
  return b.platform ? b.platform.split(',').map((p) => p.trim()) : [hostPlatform()];
}

/** The local exporter's folder for one platform of a multi-platform result (linux/arm64 -> linux_arm64). */
export function platformFolder(platform) {
  return platform.replaceAll('/', '_');
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];

/**
 * The images in an OCI layout tarball (`--output type=oci`): for each manifest, reached from
 * index.json through any nested index, its descriptor's platform and its configuration.
 */
export async function readOciImages(tarFile) {
  const tree = await readTar(tarFile);
  const json = (path) => {
    const e = tree.get(path);
    if (!e?.content) throw new Error(`${path} is not in the OCI tarball`);
    return JSON.parse(e.content.toString('utf8'));
  };
  const blob = (digest) => json(`blobs/${digest.replace(':', '/')}`);
  const images = [];
  const visit = (descriptors) => {
    for (const d of descriptors ?? []) {
      if (INDEX_TYPES.includes(d.mediaType)) visit(blob(d.digest).manifests);
      else if (MANIFEST_TYPES.includes(d.mediaType)) {
        const manifest = blob(d.digest);
        images.push({ descriptorPlatform: d.platform, image: blob(manifest.config.digest) });
      }
    }
  };
  visit(json('index.json').manifests);
  return images;
}

function platformOf({ os, architecture, variant }) {
  return [os, architecture, variant].filter(Boolean).join('/');
}

/** JSON with object keys sorted, so that two values compare by content. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * What differs between the images of an OCI tarball and a build's `image` expectation: one
 * image per platform (`image.platforms`, default the build's), each configuration's os and
 * architecture those of its platform, and each field of `image.config` (Env, Cmd, Labels, ...)
 * exactly as given, absent ones included (`null`: the field must not be set); fields of
 * `image.byPlatform[PLATFORM]` override those for one platform.
 */
export function compareImages(images, want, platforms, label) {
  const problems = [];
  const expectedPlatforms = want.platforms ?? platforms;
  const got = images.map((i) => platformOf(i.image));
  if (canonical([...got].sort()) !== canonical([...expectedPlatforms].sort())) {
    problems.push(`${label}: the OCI tarball holds images for ${got.join(', ') || 'no platform'}, expected ${expectedPlatforms.join(', ')}`);
  }
  for (const { descriptorPlatform, image } of images) {
    const platform = platformOf(image);
    if (descriptorPlatform && platformOf(descriptorPlatform) !== platform) {
      problems.push(`${label} ${platform}: the index lists this image for ${platformOf(descriptorPlatform)}`);
    }
    for (const [field, value] of Object.entries({ ...want.config, ...want.byPlatform?.[platform] })) {
      const actual = image.config?.[field];
      if (canonical(actual ?? null) !== canonical(value)) {
        problems.push(`${label} ${platform}: config ${field} is ${canonical(actual ?? null)}, expected ${canonical(value)} (case.json image.config)`);
      }
    }
  }
  return problems;
}

/**
 * What differs between the configurations (`config`: Entrypoint, Cmd, Env, ...) of the images a
 * frontend made and those BuildKit's own Dockerfile frontend made of the same file, platform by
 * platform, field by field. History and layers are not compared: the exporter writes those.
 */
export function compareWithReference(images, reference, label) {
  const problems = [];
  const byPlatform = new Map(reference.map((r) => [platformOf(r.image), r.image.config ?? {}]));
  for (const { image } of images) {
    const platform = platformOf(image);
    const want = byPlatform.get(platform);
    if (!want) {
      problems.push(`${label} ${platform}: dockerfile.v0 made no image for this platform`);
      continue;
    }
    const got = image.config ?? {};
    for (const field of new Set([...Object.keys(want), ...Object.keys(got)])) {
      if (canonical(got[field] ?? null) !== canonical(want[field] ?? null)) {
        problems.push(`${label} ${platform}: config ${field} is ${canonical(got[field] ?? null)}, dockerfile.v0 made ${canonical(want[field] ?? null)}`);
      }
    }
  }
  return problems;
}

/** What differs between the files a frontend exported and those the pipe exported (type, mode, content, link target). */
export function compareTrees(pipe, frontend, label) {
  const problems = [];
  const describe = (e) => `${e.type} ${e.mode.toString(8).padStart(4, '0')}${e.target ? ` -> ${e.target}` : ''}`;
  for (const [path, want] of pipe) {
    const got = frontend.get(path);
    if (!got) problems.push(`${label}: ${path}: missing (llbc | buildctl made it)`);
    else if (describe(got) !== describe(want)) problems.push(`${label}: ${path}: ${describe(got)}, llbc | buildctl made ${describe(want)}`);
    else if (want.content && !want.content.equals(got.content)) problems.push(`${label}: ${path}: content differs from llbc | buildctl's`);
  }
  for (const path of frontend.keys()) if (!pipe.has(path)) problems.push(`${label}: ${path}: made, but not by llbc | buildctl`);
  return problems;
}

/**
 * The entries of `tree` under `folder`, with paths relative to it. The local exporter, writing
 * each platform of a result to a folder of its own, prefixes absolute symlink targets with that
 * folder: the prefix is taken off again.
 */
export function subtree(tree, folder) {
  const sub = new Map();
  for (const [path, e] of tree) {
    if (!path.startsWith(`${folder}/`)) continue;
    const target = e.target?.startsWith(`/${folder}/`) ? e.target.slice(folder.length + 1) : e.target;
    sub.set(path.slice(folder.length + 1), target === undefined ? e : { ...e, target });
  }
  return sub;
}
