// Images in the local registry: stand-in base images, and any image built from a folder.
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { check, run } from './procs.mjs';

/** The images the cases name, as docker.io repositories (which buildkitd mirrors to the local registry). */
export const STAND_IN_IMAGES = ['library/alpine:latest', 'library/alpine:3.18', 'library/busybox:latest', 'library/debian:bookworm-slim'];

// Platforms the stand-ins are published for: the same amd64 busybox under both, so that a stage
// `FROM --platform=linux/arm64 ...` resolves (its files can be copied; running them needs amd64).
const STAND_IN_PLATFORMS = ['linux/amd64', 'linux/arm64'];

/**
 * A root filesystem made of Debian's static busybox: its applets linked where `busybox --list-full`
 * puts them, root and a user `user` (1000:1000), `nobody`, and the usual directories.
 */
export async function makeBusyboxRootfs(dir, busybox = '/bin/busybox') {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(busybox, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of (await check(busybox, ['--list-full'])).split('\n').filter(Boolean)) {
    if (applet === 'bin/busybox') continue;
    mkdirSync(join(dir, dirname(applet)), { recursive: true });
    symlinkSync('/bin/busybox', join(dir, applet));
  }
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n');
  for (const [d, mode] of [['tmp', 0o1777], ['root', 0o700], ['home/user', 0o755], ['var', 0o755], ['dev', 0o755], ['proc', 0o755], ['sys', 0o755]]) {
    mkdirSync(join(dir, d), { recursive: true });
    chmodSync(join(dir, d), mode);
  }
  chownSync(join(dir, 'home/user'), 1000, 1000);
}

/**
 * Builds the folder `dir` into an image (its files at / over `base`, an image already in the
 * registry, or nothing; plus any Dockerfile lines such as ENTRYPOINT or LABEL) with BuildKit's
 * built-in Dockerfile frontend, and pushes it to the local registry under each of `names`
 * (repositories there, like `library/alpine:3.18`).
 */
export async function pushImage(ctx, dir, names, { base = 'scratch', dockerfileLines = [], platforms = [] } = {}) {
  const dfDir = mkdtempSync(join(ctx.tmp, 'dockerfile-'));
  writeFileSync(join(dfDir, 'Dockerfile'), [`FROM ${base}`, 'COPY . /', ...dockerfileLines, ''].join('\n'));
  const refs = names.map((n) => `${ctx.registry}/${n}`).join(',');
  const args = ['--addr', ctx.addr, 'build', '--progress', 'plain', '--frontend', 'dockerfile.v0'];
  args.push('--local', `context=${dir}`, '--local', `dockerfile=${dfDir}`);
  if (platforms.length) args.push('--opt', `platform=${platforms.join(',')}`);
  args.push('--output', `type=image,"name=${refs}",push=true,registry.insecure=true`);
  const r = await run(ctx.buildctl, args);
  if (r.code !== 0) throw new Error(`pushing ${names.join(', ')} failed:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`);
}

/** The stand-in base images, built once and pushed under every name the cases use. */
export async function pushStandIns(ctx) {
  const rootfs = join(ctx.tmp, 'standin-rootfs');
  await makeBusyboxRootfs(rootfs);
  await pushImage(ctx, rootfs, STAND_IN_IMAGES, { platforms: STAND_IN_PLATFORMS });
}
