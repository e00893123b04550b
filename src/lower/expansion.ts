import { ExpandError, expandWith, processWords, type Lookup } from '../syntax/expand.js';
import { fail } from './words.js';
import type { LogicalSlice } from '../syntax/args.js';

/** Dockerfile word expansion of a slice, with errors pointing into the slice. */
export function expandWord(s: LogicalSlice, lookup: Lookup): string {
  return withPosition(s, () => expandWith(s.text, lookup, { escape: s.source.escape, v011: s.source.v011 }));
}

/**
 * A COPY or ADD heredoc's body as the frontend expands it: variables and backslash escapes, quotes
 * kept as they are (its ExpandRaw: a backslash Lex with SkipProcessQuotes, whatever the file's
 * escape character).
 */
export function expandHeredocBody(s: LogicalSlice, lookup: Lookup): string {
  return withPosition(s, () => expandWith(s.text, lookup, { literalQuotes: true, v011: s.source.v011 }));
}

/** expandWord, with "" for text it cannot expand. */
export function expandWordOrEmpty(s: LogicalSlice, lookup: Lookup): string {
  try {
    return expandWith(s.text, lookup, { escape: s.source.escape, v011: s.source.v011 });
  } catch (e) {
    if (e instanceof ExpandError) return '';
    throw e;
  }
}

/**
 * Dockerfile word expansion of one string of a JSON form (COPY, ADD and VOLUME expand theirs
 * like any word); errors point at the JSON form.
 */
export function expandJsonElement(text: string, at: LogicalSlice, lookup: Lookup): string {
  try {
    return expandWith(text, lookup, { escape: at.source.escape, v011: at.source.v011 });
  } catch (e) {
    if (e instanceof ExpandError) fail(at, at.source.v011 ? v011Message(text, e.message) : e.message, 0, at.text.length);
    throw e;
  }
}

/** Dockerfile expansion of a slice into words (Lex.ProcessWords): one that expands to nothing is none. */
export function expandWords(s: LogicalSlice, lookup: Lookup): string[] {
  return withPosition(s, () => processWords(s.text, lookup, s.source.escape, s.source.v011));
}

/** Expansion that keeps quotes and escapes, for text that shlex splits afterwards. */
export function expandKeepingQuotes(s: LogicalSlice, lookup: Lookup): string {
  return withPosition(s, () => expandWith(s.text, lookup, { rawQuotes: true, rawEscapes: true, escape: s.source.escape, v011: s.source.v011 }));
}

function withPosition<T>(s: LogicalSlice, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ExpandError) fail(s, s.source.v011 ? v011Message(s.text, e.message) : e.message, e.offset);
    throw e;
  }
}

/** Dockerfile mode's message: the frontend's, and which forms v0.11.6 has when it lacks one. */
function v011Message(text: string, message: string): string {
  const hint = message === "missing ':' in substitution" ? " (BuildKit v0.11.6's Dockerfile frontend has only ${V}, ${V:-word}, ${V:+word}, ${V:?word} and ${V?word})" : '';
  return `failed to process ${JSON.stringify(text)}: ${message}${hint}`;
}
