import { Diagnostic } from '../diagnostics.js';
import { offsetOf, type Flag, type LogicalSlice } from '../syntax/args.js';

/** Raises a diagnostic pointing into a slice of an instruction's arguments. */
export function fail(s: LogicalSlice, message: string, index = 0, length = 1): never {
  throw new Diagnostic(s.source.source, offsetOf(s, index), message, length);
}

/**
 * Splits on unquoted whitespace, keeping quotes and escapes in the words (Dockerfile's
 * parseWords for ENV and ARG): `A="x y" B=z` is two words.
 */
export function quotedFields(s: LogicalSlice): LogicalSlice[] {
  const out: LogicalSlice[] = [];
  const text = s.text;
  let start = -1;
  let quote = '';
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (i === text.length || (!quote && (ch === ' ' || ch === '\t'))) {
      if (start >= 0) out.push({ text: text.slice(start, i), start: s.start + start, source: s.source });
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === '\\' && quote === '"') i++;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '\\') {
      i++;
    }
  }
  return out;
}

/**
 * The JSON exec form (`["a", "b"]`). Text that starts like a JSON array must be one; other
 * text starting with `[` (a shell test, say) is not the exec form.
 */
export function parseJsonForm(s: LogicalSlice): string[] | undefined {
  if (!/^\[\s*(?:"|\])/.test(s.text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(s.text);
  } catch (e) {
    const at = /position (\d+)/.exec(String((e as Error).message));
    const index = at ? Math.min(Number(at[1]), s.text.length) : s.text.length;
    const unterminated = index >= s.text.length || /Unterminated|end of JSON/i.test(String((e as Error).message));
    fail(s, unterminated ? 'unterminated JSON array' : 'invalid JSON array', index);
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(s, 'the exec form must be a JSON array of strings');
  // Go decodes a lone surrogate escape as U+FFFD; match it so the bytes agree.
  return (value as string[]).map(wellFormed);
}

/** Checks an instruction's flags against what it accepts; returns the last value of each. */
export function checkFlags(
  instruction: string,
  flags: readonly Flag[],
  spec: Readonly<Record<string, 'value' | 'repeat'>>,
): Map<string, Flag[]> {
  const out = new Map<string, Flag[]>();
  for (const f of flags) {
    const kind = spec[f.name];
    if (!kind) {
      const known = Object.keys(spec).map((k) => `--${k}`);
      fail(f.slice, `unknown flag --${f.name} for ${instruction}${known.length ? ` (it takes ${known.join(', ')})` : ''}`, 0, f.slice.text.length);
    }
    if (f.value === undefined) fail(f.slice, `flag --${f.name} needs a value: --${f.name}=...`, 0, f.slice.text.length);
    const seen = out.get(f.name) ?? [];
    if (kind === 'value' && seen.length > 0) fail(f.slice, `flag --${f.name} given more than once`, 0, f.slice.text.length);
    seen.push(f);
    out.set(f.name, seen);
  }
  return out;
}

/** Replaces unpaired UTF-16 surrogates with U+FFFD, as Go's UTF-8 strings would hold them. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
