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

/** What the bytes are, and the Definition when they are one (decoded once, to tell). */
type Detected = { readonly format: 'pb'; readonly def: DecodedDefinition } | { readonly format: InputFormat; readonly def?: undefined };

/**
 * The content decides, as `buildctl debug dump-llb` reads whatever it is given, whatever the
 * name: bytes that decode whole as a pb.Definition, its `def` field first and every op a
 * pb.Op, are one; otherwise text (UTF-8 without control characters but blanks) is a dump
 * when it starts with `{` and a build file when not; anything else is a Definition that does
 * not decode, and is reported as such. Only when there is no content (an empty file) does the
 * name's extension, .pb, .json or .jsonl, say which empty thing it is.
 */
function detect(path: string, bytes: Uint8Array): Detected {
  if (bytes.length === 0) return { format: formatByName(path) ?? 'llb' };
  const def = asDefinition(bytes);
  if (def) return { format: 'pb', def };
  if (!isText(bytes)) return { format: 'pb' };
  return { format: new TextDecoder().decode(bytes).trimStart().startsWith('{') ? 'dump' : 'llb' };
}

export function detectFormat(path: string, bytes: Uint8Array): InputFormat {
  return detect(path, bytes).format;
}

function formatByName(path: string): InputFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'pb') return 'pb';
  if (ext === 'json' || ext === 'jsonl') return 'dump';
  if (ext === 'llb') return 'llb';
  return undefined;
}

/** The Definition the bytes are, if they are one: Go writes `def` (field 1, bytes: key 0x0a) first. */
function asDefinition(bytes: Uint8Array): DecodedDefinition | undefined {
  if (bytes[0] !== 0x0a) return undefined;
  try {
    return decodeDefinition(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/** UTF-8 with no control character but tab, line feed, vertical tab, form feed and carriage return. */
function isText(bytes: Uint8Array): boolean {
  for (const b of bytes) if ((b < 0x20 && (b < 0x09 || b > 0x0d)) || b === 0x7f) return false;
  return isUtf8(bytes);
}

/** Compiles, decodes or parses `bytes`, told apart by their content (see detect); bad input of any kind is a Diagnostic. */
export function loadDetected(name: string, path: string, bytes: Uint8Array, options: CompileOptions, warn: (d: Diagnostic) => void): Loaded {
  const detected = detect(path, bytes);
  if (detected.def) return { name, def: detected.def };
  return load(name, bytes, detected.format, options, warn);
}

/** Compiles, decodes or parses `bytes` as the given format; bad input of any kind is a Diagnostic. */
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
