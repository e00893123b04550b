import { SourceFile } from '../diagnostics.js';
import { fields, isDroppedBlank, LogicalText, looksLikeJsonForm, quotedFields, splitFlags, type LogicalSlice } from './args.js';
import type { BuildFile, Instruction, Token } from './cst.js';
import { processWord } from './expand.js';
import { instruction, type ArgsLayout, type InstructionInfo } from './instructions.js';
import { parse } from './parser.js';

/**
 * `llbc fmt`: reprints the concrete syntax tree in the canonical style described in the README.
 *
 * The invariant everything here serves: the formatted file compiles to the same bytes. An
 * instruction's meaning is its logical line (see LogicalText): the atoms (words and flags, which
 * are never changed, apart from the upper-cased `AS` of FROM and re-serialised JSON arrays) and
 * the whitespace between them. The formatter only ever rewrites that whitespace where the
 * instruction's own splitting makes any run of spaces mean the same as one space; elsewhere the
 * whitespace is kept character for character, only its layout across lines may change.
 */

/** Continuation lines are indented by this much. */
export const continuationIndent = '    ';

interface Entry {
  readonly kind: 'directive' | 'comment' | 'instruction';
  readonly text: string;
  readonly isFrom: boolean;
  blankBefore: boolean;
}

/** The canonical text of a parsed build file. */
export function format(file: BuildFile): string {
  const directiveAt = new Map<number, string>();
  for (const [key, d] of file.directives) directiveAt.set(d.offset, `# ${key}=${d.value}`);
  const tainted = quoteCarryingVariables(file);

  const entries: Entry[] = [];
  let blank = false;
  let leadingBlank = false;
  for (const item of file.items) {
    if (item.kind === 'blank') {
      if (entries.length === 0) leadingBlank = true;
      else blank = true;
      continue;
    }
    if (item.kind === 'comment') {
      const directive = directiveAt.get(item.token.offset);
      const text = directive ?? trimEnd(item.token.text);
      entries.push({ kind: directive ? 'directive' : 'comment', text, isFrom: false, blankBefore: blank });
    } else {
      const { text, trailing } = formatInstruction(file.source, item, tainted);
      entries.push({ kind: 'instruction', text, isFrom: item.name === 'FROM', blankBefore: blank });
      for (const c of trailing) entries.push({ kind: 'comment', text: c, isFrom: false, blankBefore: false });
    }
    blank = false;
  }
  if (entries.length === 0) return '';

  // A comment block directly above a FROM belongs to it, so the blank line goes above the block.
  for (let i = 0; i < entries.length; i++) {
    if (!entries[i].isFrom) continue;
    let k = i;
    while (k > 0 && entries[k - 1].kind === 'comment' && !entries[k].blankBefore) k--;
    if (k > 0 && entries[k - 1].kind !== 'directive') entries[k].blankBefore = true;
  }

  // Removing the blank lines at the top would turn a `# key=value` comment into a directive.
  const keepTopBlank = leadingBlank && entries[0].kind === 'comment' && looksLikeDirective(entries[0].text);
  let out = keepTopBlank ? '\n' : '';
  for (let i = 0; i < entries.length; i++) {
    if (i > 0 && entries[i].blankBefore) out += '\n';
    out += entries[i].text;
    out += '\n';
  }
  return out;
}

function looksLikeDirective(comment: string): boolean {
  return parse(new SourceFile('', `${comment}\n`)).directives.size > 0;
}

/** Trailing spaces and tabs only: other characters that look blank are text. */
function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return s.slice(0, end);
}

// ---------------------------------------------------------------------------------------------
// Instructions
// ---------------------------------------------------------------------------------------------

/** The trivia between two atoms of an instruction (or before the first, or after the last). */
interface Gap {
  readonly tokens: readonly Token[];
  /** The whitespace that is part of the logical line: every whitespace token, concatenated. */
  readonly space: string;
  readonly broken: boolean;
  readonly comments: readonly string[];
}

function gapOf(tokens: Token[]): Gap {
  let space = '';
  let broken = false;
  const comments: string[] = [];
  for (const [j, t] of tokens.entries()) {
    if (t.kind === 'whitespace') {
      if (!isDroppedBlank(tokens, j)) space += t.text;
    }
    else if (t.kind === 'continuation') broken = true;
    else if (t.kind === 'comment') comments.push(trimEnd(t.text));
  }
  return { tokens, space, broken, comments };
}

/** Only runs of spaces and tabs separate words; an empty run (a word broken by `\`) or a CR does not. */
function isClean(g: Gap): boolean {
  return /^[ \t]+$/.test(g.space);
}

/** How the whitespace of a gap may be printed. */
const enum Layout {
  /** Any non-empty run of blanks means the same: print one space, or a canonical line break. */
  Free,
  /** The exact whitespace matters: keep it, and the author's line breaks. */
  Kept,
}

interface Formatted {
  readonly text: string;
  /** Comments after the last word (a continuation at the end of the file): printed on their own lines. */
  readonly trailing: readonly string[];
}

function formatInstruction(source: SourceFile, instr: Instruction, tainted: ReadonlySet<string>): Formatted {
  const atoms: Token[] = [];
  const gapTokens: Token[][] = [[]];
  for (const t of instr.body) {
    if (t.kind === 'word' || t.kind === 'flag') {
      atoms.push(t);
      gapTokens.push([]);
    } else {
      gapTokens[gapTokens.length - 1].push(t);
    }
  }
  const gaps = gapTokens.map(gapOf);
  const n = atoms.length;
  const trailing = gaps[n].comments;
  if (n === 0) return { text: instr.name, trailing };

  // Where each atom starts in the logical line.
  const starts: number[] = new Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    starts[i] = pos;
    pos += atoms[i].text.length;
    if (i + 1 < n) pos += gaps[i + 1].space.length;
  }
  const line = LogicalText.of(source, instr);
  if (line.text.length !== pos) throw new Error(`formatter and lowering disagree on the logical line of ${instr.name} at line ${instr.startLine}`);
  const { flags, rest } = splitFlags(line.slice(0));
  const spec = instruction(instr.name);

  const texts = atoms.map((a) => a.text);
  const layout: Layout[] = new Array(n + 1).fill(Layout.Kept);
  layout[0] = Layout.Free;
  let firstRest = n;
  for (let i = 0; i < n; i++) {
    if (starts[i] > rest.start) {
      firstRest = i - 1;
      break;
    }
  }
  if (firstRest === n && rest.text !== '') firstRest = n - 1;
  // Flags are split on blanks and the rest is trimmed, whatever the instruction.
  for (let i = 1; i <= Math.min(firstRest, n - 1); i++) if (isClean(gaps[i])) layout[i] = Layout.Free;

  // Words after the rest's end hold only characters trim() removes (a no-break space, say).
  let lastRest = firstRest;
  while (lastRest + 1 < n && starts[lastRest + 1] < rest.start + rest.text.length) lastRest++;
  let json: string | undefined;
  if (rest.text !== '') {
    const restGaps = { from: firstRest + 1, to: n - 1 };
    if (spec.json !== 'none' && looksLikeJsonForm(rest.text)) {
      // Blanks inside the strings matter; when the array cannot be reprinted, all are kept.
      json = formatJson(rest, gaps, starts, atoms, { from: firstRest + 1, to: lastRest });
    } else {
      for (const i of freeRestGaps(spec.layout, rest, gaps, starts, atoms, restGaps, tainted)) layout[i] = Layout.Free;
    }
    if (instr.name === 'FROM') upperCaseAs(rest, starts, texts);
  }
  if (firstRest === flags.length) reorderFlags(spec, flags.length, gaps, texts);

  let text = instr.name + renderGap(gaps[0], Layout.Free);
  for (let i = 0; i < n; i++) {
    if (json !== undefined && i === firstRest) {
      text += json;
      i = lastRest;
    } else {
      text += texts[i];
    }
    if (i + 1 < n) text += renderGap(gaps[i + 1], layout[i + 1]);
  }
  // A last word can end in `\` only when something other than a line end follows it: a CR, or
  // (at the end of the file) a continuation. Without it the `\` would become a continuation.
  if ((json === undefined || lastRest < n - 1) && atoms[n - 1].text.endsWith('\\')) text += guardBackslash(gaps[n]);
  return { text, trailing };
}

/** What must follow a last word ending in `\` (before the newline added after it) to keep the `\`. */
function guardBackslash(trailing: Gap): string {
  const [first, second] = trailing.tokens;
  const blanks = first.kind === 'whitespace' ? first.text : '';
  if (first.kind === 'continuation' || second?.kind === 'continuation') return `${blanks}\\`;
  // A CR last (the file ended there) would make a CRLF with the newline.
  return /^[ \t]*\r?$/.test(blanks) ? `${blanks} ` : blanks;
}

function renderGap(g: Gap, layout: Layout): string {
  if (layout === Layout.Free) {
    if (!g.broken) return ' ';
    let s = ' \\\n';
    for (const c of g.comments) s += `${continuationIndent}${c}\n`;
    return s + continuationIndent;
  }
  // Kept: the same whitespace in the same order, the author's line breaks and comments, but
  // no blank lines (their blanks are not part of the logical line either) and no trailing blanks.
  let s = '';
  let pending = '';
  let lineHasText = false;
  for (const [j, t] of g.tokens.entries()) {
    if (t.kind === 'whitespace') {
      if (!isDroppedBlank(g.tokens, j) || g.tokens[j + 1].kind === 'comment') pending += t.text;
    } else if (t.kind === 'continuation') {
      s += `${pending}\\\n`;
      pending = '';
      lineHasText = false;
    } else if (t.kind === 'comment') {
      s += pending + trimEnd(t.text);
      pending = '';
      lineHasText = true;
    } else if (t.kind === 'newline' && lineHasText) {
      s += '\n';
      lineHasText = false;
    }
  }
  return s + pending;
}

/** The gaps after the flags whose blanks can be normalised, by how the instruction splits its arguments. */
function freeRestGaps(
  layout: ArgsLayout,
  rest: LogicalSlice,
  gaps: readonly Gap[],
  starts: readonly number[],
  atoms: readonly Token[],
  range: { from: number; to: number },
  tainted: ReadonlySet<string>,
): number[] {
  const out: number[] = [];
  const at = (i: number) => ({ from: starts[i - 1] + atoms[i - 1].text.length - rest.start, to: starts[i] - rest.start });
  const candidates: number[] = [];
  for (let i = range.from; i <= range.to; i++) if (isClean(gaps[i])) candidates.push(i);
  switch (layout) {
    case 'fields':
      // Split on blanks (fields), quotes or not; a JSON array is reprinted separately.
      return candidates;
    case 'shell': {
      const plain = shellSeparators(rest.text, tainted);
      for (const i of candidates) {
        const { from, to } = at(i);
        let ok = true;
        for (let p = from; p < to && ok; p++) ok = plain[p] === 1;
        if (ok) out.push(i);
      }
      return out;
    }
    case 'assignments':
    case 'name-value': {
      const words = quotedFields(rest);
      // `ENV K V`: the value is the rest of the line, blanks included.
      const limit = layout === 'name-value' && words.length > 1 && !words[0].text.includes('=') ? words[1].start - rest.start : rest.text.length;
      const inWord = new Uint8Array(rest.text.length);
      for (const w of words) inWord.fill(1, w.start - rest.start, w.start - rest.start + w.text.length);
      for (const i of candidates) {
        const { from, to } = at(i);
        if (to <= limit && inWord[from] === 0) out.push(i);
      }
      return out;
    }
    case 'whole':
      // The whole rest of the line is one value.
      return out;
  }
}

/** `FROM image as name`: `AS` is a keyword. */
function upperCaseAs(rest: LogicalSlice, starts: readonly number[], texts: string[]): void {
  const words = fields(rest);
  if (words.length !== 3 || words[1].text.toLowerCase() !== 'as' || words[1].text === 'AS') return;
  const i = starts.indexOf(words[1].start);
  if (i >= 0 && texts[i].length === 2) texts[i] = 'AS';
}

/**
 * Sorts the leading flags into the canonical order. The line breaks stay where they were (the
 * flags move between them). Flags are left alone when a comment sits among them (it would no
 * longer be next to the flag it was written for), and when one is not a `--name=value` flag the
 * instruction takes: the compiler reports the first bad flag, and that must stay the same one.
 */
function reorderFlags(spec: InstructionInfo, count: number, gaps: readonly Gap[], texts: string[]): void {
  const order = spec.flagNames;
  if (count < 2 || gaps[0].comments.length > 0) return;
  for (let i = 1; i < count; i++) if (!isClean(gaps[i]) || gaps[i].comments.length > 0) return;
  const ranked = texts.slice(0, count).map((t, i) => {
    const eq = t.indexOf('=');
    return { t, i, r: eq < 0 ? -1 : order.indexOf(t.slice(2, eq)) };
  });
  if (ranked.some((f) => f.r < 0)) return;
  // A flag ending in `\` keeps it only where a blank follows; at the end of the line it would
  // become a continuation.
  if (ranked.some((f) => f.t.endsWith('\\'))) return;
  ranked.sort((a, b) => a.r - b.r || a.i - b.i);
  for (let i = 0; i < count; i++) texts[i] = ranked[i].t;
}

// ---------------------------------------------------------------------------------------------
// JSON exec form
// ---------------------------------------------------------------------------------------------

interface JsonToken {
  readonly kind: '[' | ']' | ',' | 'string';
  readonly start: number;
  readonly end: number;
}

/**
 * `["a", "b"]`: each string re-serialised (the same value), `, ` between them. A line break the
 * author put between two elements is kept, after the comma; a break inside a string keeps the
 * whole array as written (undefined).
 */
function formatJson(
  rest: LogicalSlice,
  gaps: readonly Gap[],
  starts: readonly number[],
  atoms: readonly Token[],
  range: { from: number; to: number },
): string | undefined {
  let values: unknown;
  try {
    values = JSON.parse(rest.text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) return undefined;
  const tokens = jsonTokens(rest.text);

  // The break (and its comments) in the gap between token j and token j + 1.
  const breaks = new Map<number, readonly string[]>();
  let j = 0;
  for (let i = range.from; i <= range.to; i++) {
    const g = gaps[i];
    if (!g.broken) continue;
    const at = starts[i - 1] + atoms[i - 1].text.length - rest.start;
    while (j + 1 < tokens.length && tokens[j + 1].start <= at) j++;
    if (tokens[j].end > at) return undefined;
    breaks.set(j, g.comments);
  }

  let out = '';
  let carried: string[] | undefined;
  let k = 0;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    out += tok.kind === 'string' ? JSON.stringify(values[k++]) : tok.kind;
    if (t + 1 === tokens.length) break;
    const brk = breaks.get(t);
    if (tokens[t + 1].kind === ',') {
      if (brk) carried = [...(carried ?? []), ...brk];
      continue;
    }
    const comments = brk || carried ? [...(carried ?? []), ...(brk ?? [])] : undefined;
    carried = undefined;
    if (comments) {
      out += ' \\\n';
      for (const c of comments) out += `${continuationIndent}${c}\n`;
      out += continuationIndent;
    } else if (tok.kind === ',') {
      out += ' ';
    }
  }
  return out;
}

function jsonTokens(text: string): JsonToken[] {
  const out: JsonToken[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"') {
      let e = i + 1;
      while (text[e] !== '"') e += text[e] === '\\' ? 2 : 1;
      out.push({ kind: 'string', start: i, end: e + 1 });
      i = e + 1;
    } else if (c === '[' || c === ']' || c === ',') {
      out.push({ kind: c, start: i, end: i + 1 });
      i++;
    } else {
      i++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Where blanks separate words in a RUN command
// ---------------------------------------------------------------------------------------------

/**
 * Marks the characters of a shell-form command that are plain, unquoted, unescaped text outside
 * any `${...}`: there shlex splits on blanks, so any run of them is one separator.
 *
 * RUN is expanded before it is split, with quotes and backslashes kept (expandRaw), so a
 * variable whose value holds a quote or a backslash can open or close a quote that is not in
 * the source. After a use of such a variable (and after a `${...}` whose operand holds quotes
 * or backslashes), nothing is marked: the whitespace is kept exactly.
 */
export function shellSeparators(text: string, tainted: ReadonlySet<string>): Uint8Array {
  const plain = new Uint8Array(text.length);
  const scan = new ShellScan(text, tainted);
  while (scan.pos < text.length) {
    const c = text[scan.pos];
    if (c === '$' || c === "'" || c === '"') {
      if (!scan.construct()) break;
    } else if (c === '\\') {
      scan.pos += 2;
    } else {
      plain[scan.pos++] = 1;
    }
  }
  return plain;
}

/** Walks quotes and expansions the way expand.ts reads them; false means "stop trusting". */
class ShellScan {
  pos = 0;

  constructor(
    private readonly text: string,
    private readonly tainted: ReadonlySet<string>,
  ) {}

  /** Skips the quote or expansion at pos. */
  construct(): boolean {
    const c = this.text[this.pos];
    if (c === "'") {
      const end = this.text.indexOf("'", this.pos + 1);
      if (end < 0) return false;
      this.pos = end + 1;
      return true;
    }
    if (c === '"') return this.doubleQuoted();
    return this.dollar();
  }

  private doubleQuoted(): boolean {
    const text = this.text;
    this.pos++;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c === '"') {
        this.pos++;
        return true;
      }
      if (c === '$') {
        if (!this.dollar()) return false;
        continue;
      }
      this.pos += c === '\\' ? 2 : 1;
    }
    return false;
  }

  private dollar(): boolean {
    const text = this.text;
    this.pos++;
    if (text[this.pos] !== '{') return !this.tainted.has(this.name());
    const open = this.pos;
    this.pos++;
    const name = this.name();
    if (name === '' || this.tainted.has(name) || this.pos >= text.length) return false;
    const mod = text[this.pos++];
    if (mod === '}') return true;
    if (mod === '/') {
      if (text[this.pos] === '/') this.pos++;
      if (!this.operand('/') || !this.operand('}')) return false;
    } else {
      if (mod === ':') this.pos++;
      if (!this.operand('}')) return false;
    }
    // An operand's quotes and escapes are processed, so its result may hold a lone quote.
    return !/['"\\]/.test(text.slice(open, this.pos));
  }

  private operand(stop: string): boolean {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c === stop) {
        this.pos++;
        return true;
      }
      if (c === '$' || c === "'" || c === '"') {
        if (!this.construct()) return false;
      } else {
        this.pos += c === '\\' ? 2 : 1;
      }
    }
    return false;
  }

  private name(): string {
    const name = readName(this.text, this.pos);
    this.pos += name.length;
    return name;
  }
}

/** The variable name at `start`, read as expand.ts's processName reads it. */
function readName(text: string, start: number): string {
  const c = text[start] ?? '';
  if (c !== '' && '@*#?-$!'.includes(c)) return c;
  digitsName.lastIndex = start;
  const digits = digitsName.exec(text);
  if (digits) return digits[0];
  wordName.lastIndex = start;
  return wordName.exec(text)![0];
}

// Go's unicode.IsDigit and IsLetter, as expand.ts tests them.
const digitsName = /\p{Nd}+/uy;
const wordName = /[\p{L}\p{Nd}_]*/uy;

/**
 * Names of ARG and ENV variables whose value may contain a quote or a backslash: their own text
 * can produce one, or they use a variable that can. A value given with --build-arg is not seen
 * here (see the README).
 */
function quoteCarryingVariables(file: BuildFile): Set<string> {
  const tainted = new Set<string>();
  const usedBy = new Map<string, string[]>();
  for (const item of file.items) {
    if (item.kind !== 'instruction' || (item.name !== 'ARG' && item.name !== 'ENV')) continue;
    for (const [name, value] of assignments(file.source, item)) {
      if (mayHoldQuote(value)) tainted.add(name);
      for (const used of referencedNames(value)) {
        const users = usedBy.get(used) ?? [];
        users.push(name);
        usedBy.set(used, users);
      }
    }
  }
  const work = [...tainted];
  while (work.length > 0) {
    for (const user of usedBy.get(work.pop()!) ?? []) {
      if (!tainted.has(user)) {
        tainted.add(user);
        work.push(user);
      }
    }
  }
  return tainted;
}

function assignments(source: SourceFile, instr: Instruction): [string, string][] {
  const { rest } = splitFlags(LogicalText.of(source, instr).slice(0));
  const words = quotedFields(rest);
  if (instr.name === 'ENV' && words.length > 1 && !words[0].text.includes('=')) {
    return [[words[0].text, rest.text.slice(words[1].start - rest.start)]];
  }
  return words.flatMap((w): [string, string][] => {
    const eq = w.text.indexOf('=');
    return eq < 0 ? [] : [[w.text.slice(0, eq), w.text.slice(eq + 1)]];
  });
}

/** Every name after a `$`, quoted or not: using more names than the expansion does only keeps more blanks. */
function referencedNames(value: string): string[] {
  const out: string[] = [];
  for (let i = value.indexOf('$'); i >= 0; i = value.indexOf('$', i + 1)) {
    const name = readName(value, value[i + 1] === '{' ? i + 2 : i + 1);
    if (name !== '') out.push(name);
  }
  return out;
}

/**
 * Whether a value's own text (variables aside) can expand to something with a quote or a
 * backslash: an escape, a quote inside the other kind of quotes, or quotes in a `${...}`
 * operand (whose result depends on values this check does not know).
 */
function mayHoldQuote(value: string): boolean {
  if (value.includes('\\')) return true;
  // Without a quote in the text, only a variable's value could bring one.
  if (!/['"]/.test(value)) return false;
  if (value.includes('${')) return true;
  try {
    return /['"]/.test(processWord(value, () => undefined)) || /['"]/.test(processWord(value, () => 'x'));
  } catch {
    return true;
  }
}
