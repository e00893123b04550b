// A local image registry (Debian's docker-registry, i.e. CNCF distribution) on 127.0.0.1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startDaemon } from './procs.mjs';
import { which } from './host.mjs';
import { waitFor } from './wait.mjs';

/** A port on 127.0.0.1 that nothing listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function answers(url) {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** Starts the registry with its storage under `dir`; resolves once it answers /v2/. */
export async function startRegistry(dir) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  const daemon = startDaemon('docker-registry', which('docker-registry'), ['serve', config], {
    env: { PATH: process.env.PATH },
    logFile: join(dir, 'registry.log'),
  });
  await waitFor(`docker-registry on ${host}`, daemon, () => answers(`http://${host}/v2/`), 20_000);
  return { daemon, host };
}

