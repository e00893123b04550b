// What the e2e tier needs from the machine: BuildKit's binaries, root, and a few Debian packages.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run } from './procs.mjs';

export const INSTALL_BUILDKIT =
  'Install BuildKit v0.11 or newer (buildkitd and buildctl) from https://github.com/moby/buildkit/releases ' +
  'and put its bin/ folder on PATH, or set BUILDKIT_BIN to that folder.';

/** Debian packages and the file each one provides here. */
export const PACKAGES = {
  runc: ['runc'],
  'containernetworking-plugins': ['/usr/lib/cni/loopback'],
  'busybox-static': ['/bin/busybox'],
  'docker-registry': ['docker-registry'],
};

export class SetupError extends Error {}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable named `name` on PATH (or the path itself when it is absolute). */
export function which(name, path = process.env.PATH ?? '') {
  if (name.startsWith('/')) return executable(name) ? name : undefined;
  for (const dir of path.split(delimiter)) if (dir && executable(join(dir, name))) return join(dir, name);
  return undefined;
}

/** buildkitd and buildctl from BUILDKIT_BIN (a folder holding both) or PATH; v0.11 or newer. */
export async function findBuildKit(env = process.env) {
  const dir = env.BUILDKIT_BIN;
  const find = (name) => (dir ? (executable(join(dir, name)) ? join(dir, name) : undefined) : which(name, env.PATH));
  const buildkitd = find('buildkitd');
  const buildctl = find('buildctl');
  if (!buildkitd || !buildctl) {
    const where = dir ? `BUILDKIT_BIN=${dir} does not hold` : 'PATH does not hold';
    const missing = [!buildkitd && 'buildkitd', !buildctl && 'buildctl'].filter(Boolean).join(' and ');
    throw new SetupError(`${where} ${missing}. ${INSTALL_BUILDKIT}`);
  }
  const r = await run(buildctl, ['--version']);
  const m = /\bv(\d+)\.(\d+)\.(\d+)/.exec(r.stdout.toString());
  if (!m) throw new SetupError(`cannot tell the version of ${buildctl} (${JSON.stringify(r.stdout.toString().trim())}). ${INSTALL_BUILDKIT}`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major === 0 && minor < 11) throw new SetupError(`${buildctl} is ${m[0]}, older than v0.11. ${INSTALL_BUILDKIT}`);
  return { buildkitd, buildctl, version: m[0] };
}

/** The packages whose files are missing. */
export function missingPackages() {
  return Object.entries(PACKAGES)
    .filter(([, files]) => !files.every((f) => which(f)))
    .map(([name]) => name);
}

/**
 * buildkitd runs containers, which needs root; the packages it needs are installed with apt-get
 * when they are missing and we are root (with what apt-get prints, so that a slow mirror shows).
 */
export async function ensureHost(log) {
  if (process.getuid?.() !== 0) {
    const missing = missingPackages();
    const also = missing.length ? ` It also needs the Debian packages ${missing.join(', ')} (apt-get install ${missing.join(' ')}).` : '';
    throw new SetupError(`npm run e2e must run as root: buildkitd runs the builds' containers.${also}`);
  }
  let missing = missingPackages();
  if (missing.length === 0) return;
  if (!which('apt-get')) throw new SetupError(`missing packages ${missing.join(', ')}, and there is no apt-get to install them with: install them (or their equivalents) first.`);
  log(`installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const r = await run('apt-get', args, { env, timeoutMs: 600_000 });
    if (r.code !== 0) throw new SetupError(`apt-get ${args.join(' ')} failed:\n${r.stderr.trim()}\nInstall ${missing.join(', ')} and run again.`);
  }
  missing = missingPackages();
  if (missing.length) throw new SetupError(`still missing after apt-get: ${missing.join(', ')}`);
}
