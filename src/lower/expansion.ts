import { ExpandError, expandRaw, processWord, type Lookup } from '../syntax/expand.js';
import { fail } from './words.js';
import type { LogicalSlice } from '../syntax/args.js';

/** Dockerfile word expansion of a slice, with errors pointing into the slice. */
export function expandWord(s: LogicalSlice, lookup: Lookup): string {
  return withPosition(s, () => processWord(s.text, lookup, s.source.escape));
}

/**
 * Dockerfile word expansion of one string of a JSON form (COPY, ADD and VOLUME expand theirs
 * like any word); errors point at the JSON form.
 */
export function expandJsonElement(text: string, at: LogicalSlice, lookup: Lookup): string {
  try {
    return processWord(text, lookup, at.source.escape);
  } catch (e) {
    if (e instanceof ExpandError) fail(at, e.message, 0, at.text.length);
    throw e;
  }
}

/** Expansion that keeps quotes and escapes, for text that shlex splits afterwards. */
export function expandKeepingQuotes(s: LogicalSlice, lookup: Lookup): string {
  return withPosition(s, () => expandRaw(s.text, lookup, s.source.escape));
}

function withPosition<T>(s: LogicalSlice, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ExpandError) fail(s, e.message, e.offset);
    throw e;
  }
}
