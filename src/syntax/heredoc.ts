// Dockerfile heredocs with the rules of BuildKit v0.11.6's parser (frontend/dockerfile/parser):
// which words of an instruction open a heredoc, what its delimiter is, whether its body is
// expanded, and where each body ends. Offsets, not copies, so a lexer can make tokens of them.

import { heredocInstructionNames } from './instructions.js';

/** Instructions whose shell-form (not JSON) line may open heredocs; ONBUILD's inner one too. */
export const heredocInstructions: ReadonlySet<string> = new Set(heredocInstructionNames);

export interface HeredocMarker {
  /** The delimiter with its quotes removed. */
  readonly name: string;
  /** False when any part of the delimiter was quoted (`<<"EOF"`, `<<'EOF'`, `<<E"O"F`): the body is literal. */
  readonly expand: boolean;
  /** `<<-`: leading tabs are stripped from the body's lines and from the terminator line. */
  readonly chomp: boolean;
  /** `3<<EOF` gives 3; 0 when none is written. */
  readonly fileDescriptor: number;
  /** The word `<<EOF` in the instruction line: [start, end) offsets into it. */
  readonly start: number;
  readonly end: number;
}

export interface HeredocBody {
  readonly marker: HeredocMarker;
  /** [start, end) offsets into the text of the body, line endings included, terminator excluded. */
  readonly start: number;
  readonly end: number;
  /** [start, end) offsets of the terminator line (without its line ending). */
  readonly terminatorStart: number;
  readonly terminatorEnd: number;
}

export class HeredocError extends Error {
  constructor(
    message: string,
    /** Offset in the text (for bodies) or the line (for markers) where the problem is. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'HeredocError';
  }
}

// The parser's reHeredoc, applied to each word of the line.
const heredocWord = /^(\d*)<<(-?)([^<]*)$/;

/**
 * The heredocs an instruction line opens, in order. `line` is the instruction's logical line
 * (continuations joined, as BuildKit joins them). BuildKit looks only when the instruction is in
 * `heredocInstructions`, is not JSON form, and the line contains `<<`: callers check the first two.
 */
export function findHeredocs(line: string): HeredocMarker[] {
  if (!line.includes('<<')) return [];
  const markers: HeredocMarker[] = [];
  // BuildKit splits with a backslash escape whatever the file's escape directive says.
  for (const word of splitRawWords(line)) {
    const match = heredocWord.exec(word.text);
    if (!match) continue;
    const [, fd, dash, rest] = match;
    if (rest === '') continue;
    const unquoted = unquoteWords(rest);
    // The parser ignores a delimiter that is not exactly one word.
    if (unquoted === undefined || unquoted.length !== 1) continue;
    const name = unquoted[0];
    markers.push({
      name,
      expand: quoteCount(name) === quoteCount(rest),
      chomp: dash === '-',
      fileDescriptor: fd === '' ? 0 : Number(fd),
      start: word.start,
      end: word.end,
    });
  }
  return markers;
}

/**
 * The heredocs an instruction's logical line opens (the keyword left out, flags kept): none in
 * the JSON form, which BuildKit takes literally.
 */
export function heredocLineMarkers(line: string): HeredocMarker[] {
  if (!line.includes('<<')) return [];
  const rest = line.replace(/^(?:[ \t]*--[^ \t]*)*[ \t]*/, '');
  if (rest.startsWith('[')) {
    try {
      const json: unknown = JSON.parse(rest);
      if (Array.isArray(json) && json.every((v) => typeof v === 'string')) return [];
    } catch {
      // Not JSON: the shell form, which may open heredocs.
    }
  }
  return findHeredocs(line);
}

/**
 * Where the bodies of `markers` lie in `text`, read line by line from `offset` (the start of the
 * line after the instruction): each body runs until a line that, without its line ending (and
 * its leading tabs for `<<-`), is the delimiter. Throws HeredocError for a missing terminator.
 * Returns the bodies and the offset just after the last terminator line.
 */
export function readHeredocBodies(text: string, offset: number, markers: readonly HeredocMarker[]): { bodies: HeredocBody[]; end: number } {
  const bodies: HeredocBody[] = [];
  let pos = offset;
  for (const marker of markers) {
    const start = pos;
    let found = false;
    while (pos < text.length) {
      const newline = text.indexOf('\n', pos);
      const next = newline < 0 ? text.length : newline + 1;
      const line = text.slice(pos, next);
      let candidate = line.replace(/[\r\n]+$/, '');
      if (marker.chomp) candidate = candidate.replace(/^\t+/, '');
      if (candidate === marker.name) {
        bodies.push({ marker, start, end: pos, terminatorStart: pos, terminatorEnd: pos + line.replace(/[\r\n]+$/, '').length });
        pos = next;
        found = true;
        break;
      }
      pos = next;
    }
    if (!found) throw new HeredocError('unterminated heredoc', start);
  }
  return { bodies, end: pos };
}

/** A `<<-` body as the frontend uses it: leading tabs removed from every line. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}

function quoteCount(s: string): number {
  let n = 0;
  for (const c of s) if (c === '"' || c === "'") n++;
  return n;
}

// Go's unicode.IsSpace.
const space = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

interface RawWord {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Words as BuildKit's shell lexer gives them with raw quotes and raw escapes (quotes and
 * backslashes kept): white space outside quotes separates words. Like the parser, which ignores
 * the lexer's error, an unterminated quote gives no words at all.
 */
function splitRawWords(line: string): RawWord[] {
  const words: RawWord[] = [];
  let start = -1;
  const open = (i: number) => {
    if (start < 0) start = i;
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'" || c === '"') {
      open(i);
      const close = findClosingQuote(line, i);
      if (close < 0) return [];
      i = close + 1;
    } else if (c === '\\') {
      open(i);
      i += 2;
    } else if (space.test(c)) {
      if (start >= 0) words.push({ text: line.slice(start, i), start, end: i });
      start = -1;
      i++;
    } else {
      open(i);
      i++;
    }
  }
  if (start >= 0) words.push({ text: line.slice(start, Math.min(i, line.length)), start, end: Math.min(i, line.length) });
  return words;
}

/** The index of the quote closing the one at `at`, or -1. In double quotes a backslash escapes. */
function findClosingQuote(s: string, at: number): number {
  const q = s[at];
  for (let i = at + 1; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

/**
 * The words of a delimiter with quotes and escapes removed, as BuildKit's shell lexer gives them
 * with an empty environment that keeps unset variables as written; undefined on an unterminated quote.
 */
function unquoteWords(s: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const close = s.indexOf("'", i + 1);
      if (close < 0) return undefined;
      word += s.slice(i + 1, close);
      inWord = true;
      i = close;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        // In double quotes only these can be escaped; other backslashes stay.
        if (s[j] === '\\' && j + 1 < s.length && '"$\\'.includes(s[j + 1])) j++;
        word += s[j];
      }
      if (j >= s.length) return undefined;
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= s.length) break;
      word += s[++i];
      inWord = true;
    } else if (space.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Splits a heredoc token (a body and its terminator line, with that line's end if any) into its
 * body: everything before the last line.
 */
export function heredocTokenContent(token: string): string {
  let end = token.length;
  if (token.endsWith('\n')) end--;
  const lastLine = token.lastIndexOf('\n', end - 1);
  return lastLine < 0 ? '' : token.slice(0, lastLine + 1);
}
