import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import { heredocInstructionNames, instructionNames, type InstructionName } from './instructions.js';
import { heredocInstructions, heredocLineMarkers, readHeredocBodies, HeredocError, type HeredocMarker } from './heredoc.js';

/**
 * Tokens of the build language. The lexer has three modes because the same characters mean
 * different things by position: `#` starts a comment only at the start of a line, a word at
 * the start of a line is an instruction keyword, and the line after a `\` continuation may
 * hold comments or be blank without ending the instruction. After the line end of a RUN, COPY
 * or ADD that opens heredocs (`<<EOF`), each body, with its terminator line, is one token.
 *
 * The escape character (`\`, or `` ` `` with the `# escape=` directive) decides what a
 * continuation is and whether it ends a word, so there is a lexer for each; the tokens that do
 * not depend on it are shared, and the others are in the categories the grammar consumes.
 */

export type EscapeChar = '\\' | '`';

export const Arg = createToken({ name: 'Arg', pattern: Lexer.NA });
export const FlagArg = createToken({ name: 'FlagArg', pattern: Lexer.NA, categories: [Arg] });

// Skipped: whitespace is whatever lies between tokens, and the parser puts it back from the
// gaps, which spares a large file a third of its token objects.
export const Whitespace = createToken({ name: 'Whitespace', pattern: /[ \t\r]+/, group: Lexer.SKIPPED, line_breaks: false });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, line_breaks: true });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/ });
export const LineEnd = createToken({ name: 'LineEnd', pattern: /\r?\n/, line_breaks: true, pop_mode: true });

// Inside a continuation: blank lines and comment lines belong to the instruction.
export const ContinuedNewline = createToken({ name: 'ContinuedNewline', pattern: /\r?\n/, line_breaks: true, group: 'trivia' });
export const ContinuedComment = createToken({ name: 'ContinuedComment', pattern: /#[^\r\n]*/, group: 'trivia' });

/** The tokens whose pattern depends on the escape character. */
export interface EscapedTokens {
  readonly Continuation: TokenType;
  readonly ContinuedContinuation: TokenType;
  readonly ContinuedFlag: TokenType;
  readonly ContinuedWord: TokenType;
  readonly Flag: TokenType;
  readonly Word: TokenType;
}

function escapedTokens(escape: EscapeChar, suffix: string): EscapedTokens {
  const e = escape === '\\' ? '\\\\' : '`';
  // A word is anything up to whitespace; the escape is part of it unless it ends the line.
  const wordChar = `(?:[^ \\t\\r\\n${e}]|${e}(?![ \\t]*(?:\\r?\\n|$)))`;
  const word = new RegExp(`${wordChar}+`);
  const flag = new RegExp(`--${wordChar}*`);
  const continuation = new RegExp(`${e}[ \\t]*(?:\\r?\\n|$)`);
  return {
    Continuation: createToken({ name: `Continuation${suffix}`, pattern: continuation, line_breaks: true, group: 'trivia', push_mode: 'continued' }),
    ContinuedContinuation: createToken({ name: `ContinuedContinuation${suffix}`, pattern: continuation, line_breaks: true, group: 'trivia' }),
    ContinuedFlag: createToken({ name: `ContinuedFlag${suffix}`, pattern: flag, categories: [FlagArg], pop_mode: true }),
    ContinuedWord: createToken({ name: `ContinuedWord${suffix}`, pattern: word, categories: [Arg], pop_mode: true }),
    Flag: createToken({ name: `Flag${suffix}`, pattern: flag, categories: [FlagArg] }),
    Word: createToken({ name: `Word${suffix}`, pattern: word, categories: [Arg] }),
  };
}

export const backslashTokens = escapedTokens('\\', '');
export const backtickTokens = escapedTokens('`', 'Backtick');
export const { Continuation, ContinuedContinuation, ContinuedFlag, ContinuedWord, Flag, Word } = backslashTokens;

export const UnknownKeyword = createToken({ name: 'UnknownKeyword', pattern: /(?:[^ \t\r\n\\]|\\(?![ \t]*(?:\r?\n|$)))+/, push_mode: 'args' });

function keyword(name: InstructionName): TokenType {
  return createToken({
    name,
    pattern: new RegExp(name.toLowerCase(), 'i'),
    longer_alt: UnknownKeyword,
    push_mode: 'args',
  });
}

export const keywords: Record<InstructionName, TokenType> = Object.fromEntries(
  instructionNames.map((n) => [n, keyword(n)]),
) as Record<InstructionName, TokenType>;

const keywordTypes: ReadonlySet<TokenType> = new Set([...Object.values(keywords), UnknownKeyword]);
const heredocKeywords: ReadonlySet<TokenType> = new Set(heredocInstructionNames.map((n) => keywords[n]));

/**
 * An unterminated heredoc met while lexing: `offset` is the `<<` word's, in the lexed text.
 * The parser turns it into a diagnostic (or, lexing a piece of a file, reads a longer piece).
 */
export class UnterminatedHeredoc extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {
    super('unterminated heredoc');
    this.name = 'UnterminatedHeredoc';
  }
}

/**
 * The heredocs opened by the instruction that ends at offset `to` (its line end), its tokens
 * before `tokens[end]`, with the offsets of their `<<` words in `text`: Dockerfile looks for them
 * in RUN, COPY and ADD (ONBUILD's too), on the whole logical line (continuations joined, comment
 * lines dropped). `trivia`: the trivia tokens, in order, or what finds them when they are needed
 * (rarely: only for a line with a `<` in it).
 */
export function heredocsEndingAt(text: string, tokens: readonly IToken[], end: number, to: number, triviaOr: readonly IToken[] | (() => readonly IToken[])): { markers: HeredocMarker[]; offsets: number[] } | undefined {
  let k = end - 1;
  while (k >= 0 && !keywordTypes.has(tokens[k].tokenType)) k--;
  if (k < 0) return undefined;
  const kw = tokens[k];
  const inner = kw.tokenType === keywords.ONBUILD ? tokens[k + 1] : undefined;
  if (!heredocKeywords.has(kw.tokenType) && !(inner && k + 1 < end && heredocInstructions.has(inner.image.toUpperCase()))) return undefined;
  const from = kw.startOffset + kw.image.length;
  // `<<` may be broken across a continuation: only the logical line tells.
  if (!text.slice(from, to).includes('<')) return undefined;
  // The logical line, and where each of its characters is in the text.
  let line = '';
  const at: number[] = [];
  let pos = from;
  const trivia = typeof triviaOr === 'function' ? triviaOr() : triviaOr;
  let c = trivia.length;
  while (c > 0 && trivia[c - 1].startOffset >= from) c--;
  const cut = trivia.slice(c).filter((t) => t.startOffset < to);
  for (const t of [...cut, { startOffset: to, image: '', tokenType: undefined }]) {
    // A comment or blank line inside the continuation goes whole, its indentation too (as in LogicalText).
    const blankLine = (t.tokenType === ContinuedNewline || t.tokenType === ContinuedComment) && /^[ \t]*$/.test(text.slice(pos, t.startOffset));
    if (!blankLine) {
      for (let i = pos; i < t.startOffset; i++) at.push(i);
      line += text.slice(pos, t.startOffset);
    }
    pos = t.startOffset + t.image.length;
  }
  at.push(to);
  const markers = heredocLineMarkers(inner ? line.replace(/^[ \t]*\S+/, (m) => ' '.repeat(m.length)) : line);
  if (markers.length === 0) return undefined;
  return { markers, offsets: markers.map((m) => at[m.start]) };
}

// One token per body, from the end of the instruction's line: the first is read (and all of
// them found) after the LineEnd, each next one after the one before.
let pending: { lineEnd: IToken; ends: number[] } | undefined;

function matchHeredoc(text: string, offset: number, tokens: IToken[], groups: { [group: string]: IToken[] }): [string] | null {
  let i = tokens.length - 1;
  let n = 0;
  while (i >= 0 && tokens[i].tokenType === Heredoc) {
    i--;
    n++;
  }
  if (i < 0 || tokens[i].tokenType !== LineEnd) return null;
  // A body starts right after the line end or the body before it, never after blanks.
  const last = tokens[tokens.length - 1];
  if (offset !== last.startOffset + last.image.length) return null;
  if (n === 0) {
    pending = undefined;
    const found = heredocsEndingAt(text, tokens, i, tokens[i].startOffset, groups.trivia ?? []);
    if (!found) return null;
    try {
      const { bodies, end } = readHeredocBodies(text, offset, found.markers);
      pending = { lineEnd: tokens[i], ends: bodies.map((b, k) => (k + 1 < bodies.length ? bodies[k + 1].start : end)) };
    } catch (e) {
      if (!(e instanceof HeredocError)) throw e;
      const last = found.markers.length - 1;
      throw new UnterminatedHeredoc(found.offsets[last], found.markers[last].end - found.markers[last].start);
    }
  }
  if (!pending || pending.lineEnd !== tokens[i] || n >= pending.ends.length) return null;
  return [text.slice(offset, pending.ends[n])];
}

export const Heredoc = createToken({ name: 'Heredoc', pattern: { exec: matchHeredoc }, line_breaks: true });

export const allTokens: TokenType[] = [
  Arg,
  FlagArg,
  Whitespace,
  Newline,
  Comment,
  LineEnd,
  Heredoc,
  ...Object.values(backslashTokens),
  ...Object.values(backtickTokens),
  ContinuedNewline,
  ContinuedComment,
  ...Object.values(keywords),
  UnknownKeyword,
];

// Lines are counted by the parser and offsets are all the lexer tracks. Safe mode skips
// analysing every pattern's possible first characters, which cost more at start-up than it
// saves: each mode has only a handful of patterns to try.
function makeLexer(t: EscapedTokens): Lexer {
  return new Lexer(
    {
      modes: {
        line: [Heredoc, Newline, Whitespace, Comment, ...Object.values(keywords), UnknownKeyword],
        args: [LineEnd, Whitespace, t.Continuation, t.Flag, t.Word],
        continued: [ContinuedNewline, Whitespace, ContinuedComment, t.ContinuedContinuation, t.ContinuedFlag, t.ContinuedWord],
      },
      defaultMode: 'line',
    },
    { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true, safeMode: true },
  );
}

export const lexer = makeLexer(backslashTokens);
let backtickLexer: Lexer | undefined;

/** The lexer for a file with this escape character. */
export function lexerFor(escape: EscapeChar): Lexer {
  if (escape === '\\') return lexer;
  backtickLexer ??= makeLexer(backtickTokens);
  return backtickLexer;
}
