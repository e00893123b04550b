import { createToken, Lexer, type TokenType } from 'chevrotain';
import { instructionNames, type InstructionName } from './instructions.js';

/**
 * Tokens of the build language. The lexer has three modes because the same characters mean
 * different things by position: `#` starts a comment only at the start of a line, a word at
 * the start of a line is an instruction keyword, and the line after a `\` continuation may
 * hold comments or be blank without ending the instruction.
 */

// A word is anything up to whitespace; a backslash is part of it unless it ends the line.
const word = /(?:[^ \t\r\n\\]|\\(?![ \t]*(?:\r?\n|$)))+/;

export const Arg = createToken({ name: 'Arg', pattern: Lexer.NA });
export const FlagArg = createToken({ name: 'FlagArg', pattern: Lexer.NA, categories: [Arg] });

// Skipped: whitespace is whatever lies between tokens, and the parser puts it back from the
// gaps, which spares a large file a third of its token objects.
export const Whitespace = createToken({ name: 'Whitespace', pattern: /[ \t\r]+/, group: Lexer.SKIPPED, line_breaks: false });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, line_breaks: true });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/ });
export const LineEnd = createToken({ name: 'LineEnd', pattern: /\r?\n/, line_breaks: true, pop_mode: true });
export const Continuation = createToken({
  name: 'Continuation',
  pattern: /\\[ \t]*(?:\r?\n|$)/,
  line_breaks: true,
  group: 'trivia',
  push_mode: 'continued',
});

// Inside a continuation: blank lines and comment lines belong to the instruction.
export const ContinuedNewline = createToken({ name: 'ContinuedNewline', pattern: /\r?\n/, line_breaks: true, group: 'trivia' });
export const ContinuedComment = createToken({ name: 'ContinuedComment', pattern: /#[^\r\n]*/, group: 'trivia' });
export const ContinuedContinuation = createToken({
  name: 'ContinuedContinuation',
  pattern: /\\[ \t]*(?:\r?\n|$)/,
  line_breaks: true,
  group: 'trivia',
});
export const ContinuedFlag = createToken({ name: 'ContinuedFlag', pattern: /--(?:[^ \t\r\n\\]|\\(?![ \t]*(?:\r?\n|$)))*/, categories: [FlagArg], pop_mode: true });
export const ContinuedWord = createToken({ name: 'ContinuedWord', pattern: word, categories: [Arg], pop_mode: true });

export const Flag = createToken({ name: 'Flag', pattern: /--(?:[^ \t\r\n\\]|\\(?![ \t]*(?:\r?\n|$)))*/, categories: [FlagArg] });
export const Word = createToken({ name: 'Word', pattern: word, categories: [Arg] });

export const UnknownKeyword = createToken({ name: 'UnknownKeyword', pattern: word, push_mode: 'args' });

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

export const allTokens: TokenType[] = [
  Arg,
  FlagArg,
  Whitespace,
  Newline,
  Comment,
  LineEnd,
  Continuation,
  ContinuedNewline,
  ContinuedComment,
  ContinuedContinuation,
  ContinuedFlag,
  ContinuedWord,
  Flag,
  Word,
  ...Object.values(keywords),
  UnknownKeyword,
];

// Lines are counted by the parser and offsets are all the lexer tracks. Safe mode skips
// analysing every pattern's possible first characters, which cost more at start-up than it
// saves: each mode has only a handful of patterns to try.
export const lexer = new Lexer(
  {
    modes: {
      line: [Newline, Whitespace, Comment, ...Object.values(keywords), UnknownKeyword],
      args: [LineEnd, Whitespace, Continuation, Flag, Word],
      continued: [ContinuedNewline, Whitespace, ContinuedComment, ContinuedContinuation, ContinuedFlag, ContinuedWord],
    },
    defaultMode: 'line',
  },
  { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true, safeMode: true },
);
