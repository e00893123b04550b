import type { SourceFile } from '../diagnostics.js';
import type { Instruction, Token } from './cst.js';
import type { Escape } from './expand.js';
import { heredocLineMarkers, heredocTokenContent, type HeredocMarker } from './heredoc.js';

/**
 * An instruction's arguments as one logical line: continuation lines joined the way
 * Dockerfile joins them (the backslash and newline removed, nothing inserted), comment lines
 * inside the continuation dropped. Every character maps back to its source offset.
 */
export class LogicalText {
  private constructor(
    readonly source: SourceFile,
    readonly text: string,
    private readonly segments: readonly { at: number; offset: number }[],
    private readonly endOffset: number,
    /** The file's escape character, which word expansion uses. */
    readonly escape: Escape,
    /**
     * Whether word expansion follows BuildKit v0.11.6's lexer (Dockerfile mode), which knows
     * only the `${V}`, `${V:-w}`, `${V:+w}`, `${V:?w}` and `${V?w}` forms.
     */
    readonly v011: boolean,
  ) {}

  static of(source: SourceFile, instr: Instruction, escape: Escape = '\\', v011 = false): LogicalText {
    const parts: string[] = [];
    const segments: { at: number; offset: number }[] = [];
    let at = 0;
    const body = instr.body;
    // Leading whitespace after the keyword is not part of the arguments.
    let i = 0;
    while (i < body.length && isTrivia(body[i])) i++;
    let end = i;
    for (let j = body.length - 1; j >= i; j--) {
      if (!isTrivia(body[j])) {
        end = j + 1;
        break;
      }
    }
    // Tokens within one physical line are contiguous in the source, so a segment starts only
    // where a continuation or comment was dropped, and a one-line instruction's text is a
    // slice of the source rather than a copy.
    let runStart = -1;
    let runEnd = -1;
    for (let j = i; j < end; j++) {
      const t = body[j];
      if (t.kind === 'continuation' || t.kind === 'comment' || t.kind === 'newline' || t.kind === 'heredoc') continue;
      // A comment or blank line inside a continuation goes whole, its indentation too.
      if (t.kind === 'whitespace' && (body[j + 1]?.kind === 'comment' || body[j + 1]?.kind === 'newline')) continue;
      if (t.offset !== runEnd) {
        if (runStart >= 0) parts.push(source.text.slice(runStart, runEnd));
        segments.push({ at, offset: t.offset });
        runStart = t.offset;
      }
      runEnd = t.offset + t.text.length;
      at += t.text.length;
    }
    if (runStart >= 0) parts.push(source.text.slice(runStart, runEnd));
    const last = body[end - 1] ?? instr.keyword;
    return new LogicalText(source, parts.length === 1 ? parts[0] : parts.join(''), segments.slice(), last.offset + last.text.length, escape, v011);
  }

  /** The source offset of character `index` of the text (the end of the text maps past the last token). */
  offsetAt(index: number): number {
    if (this.segments.length === 0 || index >= this.text.length) return this.endOffset;
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].at <= index) lo = mid;
      else hi = mid - 1;
    }
    const s = this.segments[lo];
    return s.offset + (index - s.at);
  }

  slice(from: number, to = this.text.length): LogicalSlice {
    return { text: this.text.slice(from, to), start: from, source: this };
  }
}

/** A piece of a logical line, remembering where it starts so errors can point into it. */
export interface LogicalSlice {
  readonly text: string;
  readonly start: number;
  readonly source: LogicalText;
}

export function offsetOf(s: LogicalSlice, index = 0): number {
  return s.source.offsetAt(s.start + index);
}

function isTrivia(t: Token): boolean {
  return t.kind === 'whitespace' || t.kind === 'continuation' || t.kind === 'comment' || t.kind === 'newline' || t.kind === 'heredoc';
}

/** A heredoc of an instruction: how it was opened, where, and its body as written. */
export interface InstructionHeredoc {
  readonly marker: HeredocMarker;
  /** The `<<EOF` word in the logical line. */
  readonly at: LogicalSlice;
  /** The body without its terminator line, line ends included; for `<<-`, tabs not yet stripped. */
  readonly content: string;
}

/** The heredocs of an instruction (RUN, COPY, ADD), in order; none for most. */
export function instructionHeredocs(instr: Instruction, line: LogicalText): InstructionHeredoc[] {
  // Every heredoc opens with a `<<` in the line; without one, the body's tokens are not made again.
  if (!line.text.includes('<<')) return [];
  const bodies = instr.body.filter((t) => t.kind === 'heredoc');
  if (bodies.length === 0) return [];
  const markers = heredocLineMarkers(line.text);
  return markers.map((marker, i) => ({
    marker,
    at: line.slice(marker.start, marker.end),
    content: heredocTokenContent(bodies[i].text),
  }));
}

/**
 * Whether arguments are meant as the JSON form (`["a", "b"]`): text that starts like a JSON
 * array must be one; other text starting with `[` (a shell test, say) is not the JSON form.
 */
export function looksLikeJsonForm(text: string): boolean {
  return jsonStart.test(text);
}

const jsonStart = /^\[\s*(?:"|\])/;

/**
 * Splits on unquoted whitespace, keeping quotes and escapes in the words (Dockerfile's
 * parseWords for ENV and ARG): `A="x y" B=z` is two words.
 */
export function quotedFields(s: LogicalSlice): LogicalSlice[] {
  const out: LogicalSlice[] = [];
  const text = s.text;
  const escape = s.source.escape;
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
      else if (ch === escape && quote === '"') i++;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === escape) {
      i++;
    }
  }
  return out;
}

/** Splits on runs of spaces and tabs, like Go's strings.Fields on a Dockerfile line. */
export function fields(s: LogicalSlice): LogicalSlice[] {
  const out: LogicalSlice[] = [];
  const re = /[^ \t]+/g;
  for (let m = re.exec(s.text); m; m = re.exec(s.text)) {
    out.push({ text: m[0], start: s.start + m.index, source: s.source });
  }
  return out;
}

export interface Flag {
  readonly name: string;
  readonly value?: LogicalSlice;
  readonly slice: LogicalSlice;
}

/** Leading `--name[=value]` words (Dockerfile's builder flags); the rest is the instruction's arguments. */
export function splitFlags(s: LogicalSlice): { flags: Flag[]; rest: LogicalSlice } {
  if (s.source.v011) return splitDockerfileFlags(s);
  const flags: Flag[] = [];
  const re = /[ \t]*([^ \t]+)/y;
  let pos = 0;
  for (;;) {
    re.lastIndex = pos;
    const m = re.exec(s.text);
    if (!m || !m[1].startsWith('--')) break;
    const wordStart = pos + m[0].length - m[1].length;
    const word = m[1];
    const eq = word.indexOf('=');
    const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
    const value = eq < 0 ? undefined : { text: word.slice(eq + 1), start: s.start + wordStart + eq + 1, source: s.source };
    flags.push({ name, value, slice: { text: word, start: s.start + wordStart, source: s.source } });
    pos = re.lastIndex;
  }
  const rest = s.text.slice(pos);
  const lead = rest.length - rest.trimStart().length;
  return { flags, rest: { text: rest.trim(), start: s.start + pos + lead, source: s.source } };
}

/**
 * Dockerfile mode's flags, as BuildKit's parser extracts them (extractBuilderFlags): a flag word
 * runs on through quotes, which it removes, and a backslash escapes the next character (whatever
 * the escape directive), so `--chown="a b"` is one flag with the value `a b`; a lone `--` ends
 * the flags. A value's text is the word so read; its position is where it starts.
 */
function splitDockerfileFlags(s: LogicalSlice): { flags: Flag[]; rest: LogicalSlice } {
  const text = s.text;
  const n = text.length;
  const flags: Flag[] = [];
  const at = (from: number, t: string): LogicalSlice => ({ text: t, start: s.start + from, source: s.source });
  let pos = 0;
  for (;;) {
    while (pos < n && /\s/.test(text[pos]!)) pos++;
    if (pos >= n || !text.startsWith('--', pos)) break;
    const wordStart = pos;
    let word = '';
    let eqAt = -1;
    let eqSource = -1;
    while (pos < n && !/\s/.test(text[pos]!)) {
      const c = text[pos]!;
      if (c === "'" || c === '"') {
        // A quote runs to its match (to the end of the line if none), escapes inside it too.
        pos++;
        while (pos < n && text[pos] !== c) {
          if (text[pos] === '\\' && pos + 1 < n) pos++;
          word += text[pos++];
        }
        pos++;
        continue;
      }
      if (c === '\\') {
        pos++;
        if (pos < n) word += text[pos++];
        continue;
      }
      if (c === '=' && eqAt < 0) {
        eqAt = word.length;
        eqSource = pos;
      }
      word += c;
      pos++;
    }
    pos = Math.min(pos, n);
    if (word === '--') break;
    const name = eqAt < 0 ? word.slice(2) : word.slice(2, eqAt);
    const value = eqAt < 0 ? undefined : at(eqSource + 1, word.slice(eqAt + 1));
    flags.push({ name, value, slice: at(wordStart, text.slice(wordStart, pos)) });
  }
  const rest = text.slice(pos);
  const lead = rest.length - rest.trimStart().length;
  return { flags, rest: { text: rest.trim(), start: s.start + pos + lead, source: s.source } };
}
