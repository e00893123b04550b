import { ExpandError, expandRaw, processWord, type Lookup } from '../syntax/expand.js';
import { fail } from './words.js';
import type { LogicalSlice } from '../syntax/args.js';

/** Dockerfile word expansion of a slice, with errors pointing into the slice. */
export function expandWord(s: LogicalSlice, lookup: Lookup): string {
  return withPosition(s, () => processWord(s.text, lookup, s.source.escape));
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
