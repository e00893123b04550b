// A local image registry (Debian's docker-registry, i.e. CNCF distribution) on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startDaemon, stopDaemon } from './procs.mjs';
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

/** Whether the registry at `url` answers, and is the one whose responses carry this `token` (see startRegistry). */
function answers(url, token) {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200 && res.headers[TOKEN_HEADER] === token);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

const TOKEN_HEADER = 'x-llbc-e2e-run';

/**
 * Starts the registry with its storage under `dir`; resolves once it answers /v2/. Other e2e
 * runs may start theirs at the same time: the port found free can be taken before this registry
 * binds it, so a registry is known as this run's by a header of its own on every response, and
 * one that lost its port is started again on another.
 */
export async function startRegistry(dir) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOnce(dir, attempt);
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

async function startRegistryOnce(dir, attempt) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const token = `${process.pid}-${attempt}-${randomBytes(8).toString('hex')}`;
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
      '  headers:',
      `    ${TOKEN_HEADER}: [${JSON.stringify(token)}]`,
      '',
    ].join('\n'),
  );
  const daemon = startDaemon('docker-registry', which('docker-registry'), ['serve', config], {
    env: { PATH: process.env.PATH },
    logFile: join(dir, 'registry.log'),
  });
  try {
    await waitFor(`docker-registry on ${host}`, daemon, () => answers(`http://${host}/v2/`, token), 20_000);
  } catch (e) {
    await stopDaemon(daemon);
    throw e;
  }
  return { daemon, host };
}

