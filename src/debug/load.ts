import { isUtf8 } from 'node:buffer';
import { Diagnostic } from '../diagnostics.js';
import { compile, decodeSource, type CompileOptions } from '../compile.js';
import { decodeDefinition, DecodeError, type DecodedDefinition } from '../wire/decode.js';
import { parseDump } from './dump.js';

export type InputFormat = 'llb' | 'pb' | 'dump';

/** A Definition to inspect, whichever form it came in. */
export interface Loaded {
  readonly name: string;
  readonly def: DecodedDefinition;
}

/**
 * The extension decides when it is .llb, .pb, .json or .jsonl. Otherwise (standard input,
 * other names) the bytes do: text (valid UTF-8 without NUL) is a dump when it starts with
 * `{` and a build file when not; anything else is a Definition. A Definition is never text:
 * every op llbc or Go writes carries an empty WorkerConstraints, the bytes 0x5a 0x00.
 */
export function detectFormat(path: string, bytes: Uint8Array): InputFormat {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'llb') return 'llb';
  if (ext === 'pb') return 'pb';
  if (ext === 'json' || ext === 'jsonl') return 'dump';
  if (bytes.includes(0) || !isUtf8(bytes)) return 'pb';
  return new TextDecoder().decode(bytes).trimStart().startsWith('{') ? 'dump' : 'llb';
}

/** Compiles, decodes or parses `bytes`; bad input of any kind is a Diagnostic. */
export function load(name: string, bytes: Uint8Array, format: InputFormat, options: CompileOptions, warn: (d: Diagnostic) => void): Loaded {
  switch (format) {
    case 'llb': {
      const { bytes: compiled, warnings } = compile(decodeSource(name, bytes), options);
      for (const w of warnings) warn(w);
      return { name, def: decodeDefinition(compiled) };
    }
    case 'pb':
      try {
        return { name, def: decodeDefinition(bytes) };
      } catch (e) {
        if (e instanceof DecodeError) throw new Diagnostic(undefined, 0, `${name} is not a pb.Definition: ${e.message}`);
        throw e;
      }
    case 'dump':
      return { name, def: parseDump(name, decodeSource(name, bytes).text) };
  }
}
