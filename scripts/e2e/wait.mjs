// Waiting for a daemon to be ready, failing early when it dies.
import { readFileSync } from 'node:fs';
import { alive } from './procs.mjs';

function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls `ready` until it is true; throws with the daemon's last log lines if it exits or times out. */
export async function waitFor(what, daemon, ready, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive(daemon)) throw new Error(`${what} exited while starting:\n${tail(daemon.logFile)}`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs / 1000} s:\n${tail(daemon.logFile)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

