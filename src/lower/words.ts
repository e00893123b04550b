import { Diagnostic } from '../diagnostics.js';
import { offsetOf, type Flag, type LogicalSlice } from '../syntax/args.js';
import type { InstructionInfo } from '../syntax/instructions.js';

/** Raises a diagnostic pointing into a slice of an instruction's arguments. */
export function fail(s: LogicalSlice, message: string, index = 0, length = 1): never {
  throw new Diagnostic(s.source.source, offsetOf(s, index), message, length);
}

/**
 * The JSON exec form (`["a", "b"]`): text that parses as a JSON array of strings. Anything
 * else, even when it starts with `[` (`RUN [ "$x" = y ]`), is the shell form, as Docker reads it.
 */
export function parseJsonForm(s: LogicalSlice): string[] | undefined {
  if (!s.text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(s.text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return undefined;
  // Go decodes a lone surrogate escape as U+FFFD; match it so the bytes agree.
  return (value as string[]).map(wellFormed);
}

/**
 * Dockerfile's parseMaybeJSON: a JSON array of strings is the JSON form; anything else,
 * text starting with `[` included, is not, and no error.
 */
export function dockerfileJson(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return (value as string[]).map(wellFormed);
  } catch {
    // Shell form.
  }
  return undefined;
}

/**
 * Checks an instruction's flags against its row of the instruction table; returns each flag's
 * occurrences by name, in order.
 */
export function checkFlags(spec: InstructionInfo, flags: readonly Flag[]): Map<string, Flag[]> {
  const out = new Map<string, Flag[]>();
  for (const f of flags) {
    const kind = spec.flagsByName.get(f.name)?.kind;
    if (!kind) {
      const known = spec.flags.map((k) => `--${k.name}`);
      fail(f.slice, `unknown flag --${f.name} for ${spec.name}${known.length ? ` (it takes ${known.join(', ')})` : ''}`, 0, f.slice.text.length);
    }
    if (kind === 'boolean') {
      if (f.value !== undefined && parseBool(f.value.text) === undefined) fail(f.value, `flag --${f.name} takes true or false`, 0, Math.max(1, f.value.text.length));
    } else if (f.value === undefined) {
      fail(f.slice, `flag --${f.name} needs a value: --${f.name}=...`, 0, f.slice.text.length);
    }
    const seen = out.get(f.name) ?? [];
    if (kind !== 'repeatable' && seen.length > 0) fail(f.slice, `flag --${f.name} given more than once`, 0, f.slice.text.length);
    seen.push(f);
    out.set(f.name, seen);
  }
  return out;
}

/** Go's strconv.ParseBool, which Dockerfile uses for boolean options. */
export function parseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** Replaces unpaired UTF-16 surrogates with U+FFFD, as Go's UTF-8 strings would hold them. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
