// The e2e environment: a temporary root holding a local registry, buildkitd and stand-in images.
// Cases use it through the context it returns; later tiers (Dockerfile mode, llbc as a gateway
// frontend) can push their own images with ctx.pushImage.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detachMounts, mountsUnder, startBuildkitd } from './buildkitd.mjs';
import { pushImage, pushStandIns } from './images.mjs';
import { killCommands, stopDaemons } from './procs.mjs';
import { startRegistry } from './registry.mjs';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The context, with its temporary root made and nothing started yet: tmp (the root, removed by
 * stop), buildctl, llbc (bin/llbc), emptyDir (a context for builds that have none), start(log)
 * and stop(), which may be called at any time, once started or not, and more than once. Once
 * started: addr (buildctl --addr), registry (host:port of the local registry, which buildkitd
 * mirrors docker.io to) and pushImage(dir, names, opts).
 */
export function createHarness(buildkit) {
  const tmp = mkdtempSync(join(tmpdir(), 'llbc-e2e-'));
  const ctx = { tmp, buildctl: buildkit.buildctl, llbc: join(REPO, 'bin', 'llbc'), emptyDir: join(tmp, 'empty') };
  mkdirSync(ctx.emptyDir);
  let stopping;
  ctx.stop = () =>
    (stopping ??= (async () => {
      ctx.stopped = true;
      killCommands();
      await stopDaemons();
      const left = await detachMounts(tmp);
      const still = mountsUnder(tmp);
      if (still.length === 0) rmSync(tmp, { recursive: true, force: true });
      return { detached: left, stillMounted: still };
    })());
  ctx.start = async (log) => {
    log('starting the registry');
    const registry = await startRegistry(join(tmp, 'registry'));
    ctx.registry = registry.host;
    log(`starting buildkitd ${buildkit.version}`);
    const bk = await startBuildkitd(buildkit, join(tmp, 'buildkitd'), registry.host);
    ctx.addr = bk.addr;
    ctx.pushImage = (dir, names, opts) => pushImage(ctx, dir, names, opts);
    log('pushing the stand-in base images');
    await pushStandIns(ctx);
  };
  return ctx;
}
