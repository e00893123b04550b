// Child processes: commands run to completion, and daemons that are stopped by their PID.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

const daemons = [];
const commands = new Set();

/**
 * Runs a command to completion; resolves with its exit code and output (never rejects on a
 * non-zero exit: callers decide what a failure means).
 */
export function run(cmd, args, { input, env, cwd, timeoutMs = 180_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    commands.add(child);
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    // A hung build must not hang the run: it is killed, and reported as timed out.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      commands.delete(child);
      resolve({
        code: code ?? (signal ? 128 : 1),
        signal,
        timedOut,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {}); // a child that exits before reading its input
    child.stdin.end(input);
  });
}

/** Runs a command and returns its standard output; throws with its standard error if it fails. */
export async function check(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr.trim()}`);
  return r.stdout.toString('utf8');
}

/**
 * Starts a daemon in a process group of its own (so that a Ctrl-C reaches the harness, which
 * stops it in order, and not the daemon directly), its output going to logFile.
 */
export function startDaemon(name, cmd, args, { env, logFile }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const d = { name, child, logFile, exited: new Promise((r) => child.on('exit', (code, signal) => r({ code, signal }))) };
  child.on('error', () => {});
  daemons.push(d);
  return d;
}

/** Stops a daemon by its PID: SIGTERM, then SIGKILL if it has not exited after graceMs. */
export async function stopDaemon(d, graceMs = 15_000) {
  const i = daemons.indexOf(d);
  if (i >= 0) daemons.splice(i, 1);
  if (d.child.exitCode !== null || d.child.signalCode !== null) return;
  try {
    process.kill(d.child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = new Promise((r) => setTimeout(() => r('timeout'), graceMs));
  if ((await Promise.race([d.exited, timer])) === 'timeout') {
    try {
      process.kill(d.child.pid, 'SIGKILL');
    } catch {}
    await d.exited;
  }
}

/** True while the daemon runs. */
export function alive(d) {
  return d.child.exitCode === null && d.child.signalCode === null;
}

/** Kills, by PID, the commands still running (on an interrupted run). */
export function killCommands() {
  for (const child of commands) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }
}

/** Stops every daemon still running, the last started first. */
export async function stopDaemons() {
  for (const d of [...daemons].reverse()) await stopDaemon(d);
}
