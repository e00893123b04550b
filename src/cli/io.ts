import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { Chalk, type ChalkInstance } from 'chalk';
import { decodeSource, Diagnostic, renderDiagnostic, type SourceFile } from '../diagnostics.js';

/** Colors only when stderr is a terminal, and never with NO_COLOR set. */
export function stderrColors(): ChalkInstance {
  const enabled = process.stderr.isTTY === true && !process.env.NO_COLOR;
  return new Chalk({ level: enabled ? 1 : 0 });
}

/** The same rule for output written to stdout. */
export function stdoutColors(): ChalkInstance {
  const enabled = process.stdout.isTTY === true && !process.env.NO_COLOR;
  return new Chalk({ level: enabled ? 1 : 0 });
}

/** Thrown by a command to end with this exit status, having said what it had to say. */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit status ${code}`);
  }
}

export function report(d: Diagnostic): void {
  process.stderr.write(renderDiagnostic(d, stderrColors()));
}

/** Reads a build file, `-` meaning standard input. */
export async function readSource(path: string, displayName?: string): Promise<SourceFile> {
  const name = displayName ?? (path === '-' ? '<stdin>' : path);
  return decodeSource(name, await readBytes(path, name));
}

/** Reads a file's bytes, `-` meaning standard input; failures are diagnostics naming the file. */
export async function readBytes(path: string, name = path === '-' ? '<stdin>' : path): Promise<Uint8Array> {
  try {
    return path === '-' ? await readStdin() : await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new Diagnostic(undefined, 0, `cannot read ${name}: ${why}`);
  }
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Writes all of `data` to stdout, resolving once it is flushed; a closed pipe is not an error. */
export function writeStdout(data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? resolve() : reject(e)));
    process.stdout.write(data, () => resolve());
  });
}

/** Writes pieces to stdout, each made once the previous ones are flushed; like writeStdout otherwise. */
export function writeStdoutPieces(pieces: Iterable<Uint8Array>): Promise<void> {
  return new Promise((resolve, reject) => {
    const it = pieces[Symbol.iterator]();
    let done = false;
    process.stdout.once('error', (e: NodeJS.ErrnoException) => {
      done = true;
      if (e.code === 'EPIPE') resolve();
      else reject(e);
    });
    const next = () => {
      if (done) return;
      const piece = it.next();
      if (piece.done) {
        done = true;
        resolve();
      } else {
        process.stdout.write(piece.value, next);
      }
    };
    next();
  });
}

/**
 * Writes pieces to a file, each made while the one before is being written. The writes are
 * asynchronous, and the event loop turns between pieces: written synchronously, a 100,000-op
 * Definition's peak memory jumped by 50 to 150 MB in some runs (measured while the metadata was
 * still encoded in batches, which set off V8's pretenuring: see encodeDefinitionPieces; not
 * measured again since). The file's trouble (no such directory, no space) is a diagnostic.
 * If anything fails partway, the truncated file is removed, as no file is better than half a
 * Definition; only a regular file, never /dev/null or a pipe.
 */
export async function writeFilePieces(path: string, pieces: Iterable<Uint8Array>): Promise<void> {
  let file: FileHandle;
  try {
    file = await open(path, 'w');
  } catch (e) {
    throw cannotWrite(path, e);
  }
  let writing: Promise<void> = Promise.resolve();
  let written = false;
  try {
    for (const piece of pieces) {
      await writing;
      writing = writeAll(file, path, piece);
    }
    await writing;
    written = true;
  } finally {
    // A piece that failed to be made may leave a write under way.
    await writing.catch(() => undefined);
    const regular = (await file.stat()).isFile();
    await file.close();
    if (!written && regular) await rm(path, { force: true });
  }
}

async function writeAll(file: FileHandle, path: string, piece: Uint8Array): Promise<void> {
  try {
    for (let at = 0; at < piece.length; ) at += (await file.write(piece, at)).bytesWritten;
  } catch (e) {
    throw cannotWrite(path, e);
  }
}

function cannotWrite(path: string, e: unknown): Diagnostic {
  const err = e as NodeJS.ErrnoException;
  const why =
    err.code === 'ENOENT' ? 'no such directory' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'ENOSPC' ? 'no space left on the device' : err.message;
  return new Diagnostic(undefined, 0, `cannot write ${path}: ${why}`);
}
