import { Diagnostic, rejectBinary, SourceFile } from '../diagnostics.js';
import type { BuildFile } from '../syntax/cst.js';
import { parse } from '../syntax/parser.js';

/** A parse that goes on past errors: the tree of what could be read, and every error found. */
export interface Recovered {
  /** Undefined when the file is not text at all. */
  readonly file?: BuildFile;
  readonly errors: readonly Diagnostic[];
}

/** Past this many syntax errors the rest of the file is not read: it is hardly a build file. */
const maxErrors = 100;

/**
 * Parses a document, reporting every instruction the parser rejects instead of the first. The
 * parser stops at an error; here the rejected instruction is blanked out (its characters but its
 * line breaks turned to spaces, so offsets and lines stay) and the text after it parsed again,
 * with what came before blanked too, so each error costs a parse of little more than the stretch
 * up to the next one. Then the text with every rejected instruction blanked is parsed for the
 * tree that the other features read.
 */
export function parseRecovering(name: string, text: string): Recovered {
  const source = new SourceFile(name, text);
  try {
    rejectBinary(source);
  } catch (e) {
    if (e instanceof Diagnostic) return { errors: [e] };
    throw e;
  }
  const errors: Diagnostic[] = [];
  const blanked: [number, number][] = [];
  let from = 0;
  for (;;) {
    try {
      const file = parse(from === 0 ? source : new SourceFile(name, ' '.repeat(from) + text.slice(from)));
      if (blanked.length === 0) return { file, errors };
      break;
    } catch (e) {
      if (!(e instanceof Diagnostic)) throw e;
      errors.push(new Diagnostic(source, e.offset, e.message, e.length, e.severity));
      const start = lineStart(text, e.offset);
      const end = instructionEnd(text, e.offset);
      blanked.push([start, end]);
      if (errors.length >= maxErrors || end >= text.length) break;
      from = end;
    }
  }
  const patched = new SourceFile(name, blank(text, blanked));
  try {
    const file = parse(patched);
    return { file: { ...file, source }, errors };
  } catch (e) {
    // Only when the error limit left some of the file unread.
    if (e instanceof Diagnostic) return { errors };
    throw e;
  }
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Just after the line break that ends the instruction at `offset`: continued lines (a `\` at
 * the end) belong to it, and so do blank and comment lines within a continuation, as the
 * lexer reads them.
 */
export function instructionEnd(text: string, offset: number): number {
  let pos = offset;
  let continued = false;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(pos, end);
    const blankOrComment = /^[ \t\r]*(?:#.*)?$/.test(line);
    if (!(continued && blankOrComment)) continued = /\\[ \t\r]*$/.test(line);
    if (nl < 0) return text.length;
    pos = nl + 1;
    if (!continued) return pos;
  }
}

/** The text with the ranges' characters, but line breaks, replaced by spaces. */
function blank(text: string, ranges: readonly [number, number][]): string {
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    parts.push(text.slice(at, start), text.slice(start, end).replace(/[^\n]/g, ' '));
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
