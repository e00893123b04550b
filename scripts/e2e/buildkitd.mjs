// buildkitd: its configuration, start, readiness and stop, under one directory.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run, startDaemon } from './procs.mjs';
import { waitFor } from './wait.mjs';

/** buildkitd.toml (v0.11 keys): OCI worker, loopback-only CNI, docker.io mirrored to the local registry. */
export function configToml({ root, cniConfig, registry }) {
  return `root = ${JSON.stringify(root)}
insecure-entitlements = ["network.host", "security.insecure"]

[worker.oci]
  enabled = true
  snapshotter = "auto"
  networkMode = "cni"
  cniConfigPath = ${JSON.stringify(cniConfig)}
  cniBinaryPath = "/usr/lib/cni"
  gc = false

[worker.containerd]
  enabled = false

[registry."docker.io"]
  mirrors = [${JSON.stringify(registry)}]

[registry.${JSON.stringify(registry)}]
  http = true
`;
}

// A RUN's own network namespace holds a loopback interface and nothing else: builds stay offline.
const LOOPBACK_ONLY = {
  cniVersion: '0.4.0',
  name: 'llbc-e2e',
  plugins: [{ type: 'loopback' }],
};

// Whatever a build tries to fetch from outside fails at once on a closed port.
const OFFLINE = 'http://127.0.0.1:9';

/** Starts buildkitd with everything under `dir`; resolves with its address once it lists its workers. */
export async function startBuildkitd({ buildkitd, buildctl }, dir, registry) {
  const root = join(dir, 'root');
  mkdirSync(root, { recursive: true });
  const cniConfig = join(dir, 'cni.conflist');
  writeFileSync(cniConfig, JSON.stringify(LOOPBACK_ONLY, null, 2));
  const config = join(dir, 'buildkitd.toml');
  writeFileSync(config, configToml({ root, cniConfig, registry }));
  const addr = `unix://${join(dir, 'buildkitd.sock')}`;
  const env = {
    PATH: `${dirname(buildkitd)}:${process.env.PATH}`,
    HTTP_PROXY: OFFLINE,
    HTTPS_PROXY: OFFLINE,
    http_proxy: OFFLINE,
    https_proxy: OFFLINE,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
  const daemon = startDaemon('buildkitd', buildkitd, ['--config', config, '--root', root, '--addr', addr, '--oci-worker=true'], {
    env,
    logFile: join(dir, 'buildkitd.log'),
  });
  const workers = async () => (await run(buildctl, ['--addr', addr, 'debug', 'workers'], { timeoutMs: 10_000 })).code === 0;
  await waitFor('buildkitd', daemon, workers, 60_000);
  return { daemon, addr, root };
}

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo, octal escapes decoded). */
export function mountsUnder(dir) {
  const unescape = (s) => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => unescape(line.split(' ')[4]))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Detaches whatever is still mounted under `dir` once buildkitd has stopped (runc's mounts
 * outlive a daemon that was killed). Returns the mounts it detached.
 */
export async function detachMounts(dir) {
  const left = mountsUnder(dir);
  for (const m of left) await run('umount', ['-l', m]);
  return left;
}
