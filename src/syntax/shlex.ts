// Word splitting with the semantics of github.com/google/shlex Split, which
// BuildKit's llb.Shlex uses to turn a shell-form command into argv. Our argv
// must be byte-identical to what that Go code produces, so the state machine
// below mirrors its character classes and transitions exactly, including the
// quirks (a backslash inside double quotes escapes *any* character; '#' only
// starts a comment at the beginning of a word).

export class ShlexError extends Error {
  /** Index into the input where the problem was detected. */
  readonly offset: number;
  /**
   * Words completed before the error. Go's Split returns these alongside its
   * error, and llb.Shlex ignores the error and uses them, so callers that
   * need to reproduce that leniency can.
   */
  readonly words: string[];

  constructor(message: string, offset: number, words: string[]) {
    super(message);
    this.name = 'ShlexError';
    this.offset = offset;
    this.words = words;
  }
}

const enum State {
  Start,
  InWord,
  Escaping,
  EscapingQuoted,
  DoubleQuoted,
  SingleQuoted,
  Comment,
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

export function shlexSplit(input: string): string[] {
  const words: string[] = [];
  const n = input.length;
  let state = State.Start;
  // Characters collected in an array and joined once: a string grown one character at a time
  // is a chain of pieces, and an exec keeps its argv until it is marshalled.
  const word: string[] = [];
  // Position of the quote or backslash that opened the current construct,
  // reported if the input ends inside it.
  let openedAt = 0;

  // Code units rather than code points are fine: every special character is
  // ASCII, and surrogate halves are always appended as a pair in order.
  for (let i = 0; i < n; i++) {
    const c = input[i]!;
    switch (state) {
      case State.Start:
        if (isSpace(c)) break;
        if (c === '"') {
          state = State.DoubleQuoted;
          openedAt = i;
        } else if (c === "'") {
          state = State.SingleQuoted;
          openedAt = i;
        } else if (c === '\\') {
          state = State.Escaping;
          openedAt = i;
        } else if (c === '#') {
          state = State.Comment;
        } else {
          word.push(c);
          state = State.InWord;
        }
        break;
      case State.InWord:
        if (isSpace(c)) {
          words.push(word.join(''));
          word.length = 0;
          state = State.Start;
        } else if (c === '"') {
          state = State.DoubleQuoted;
          openedAt = i;
        } else if (c === "'") {
          state = State.SingleQuoted;
          openedAt = i;
        } else if (c === '\\') {
          state = State.Escaping;
          openedAt = i;
        } else {
          word.push(c);
        }
        break;
      case State.Escaping:
        word.push(c);
        state = State.InWord;
        break;
      case State.EscapingQuoted:
        word.push(c);
        state = State.DoubleQuoted;
        break;
      case State.DoubleQuoted:
        if (c === '"') {
          state = State.InWord;
        } else if (c === '\\') {
          state = State.EscapingQuoted;
          openedAt = i;
        } else {
          word.push(c);
        }
        break;
      case State.SingleQuoted:
        if (c === "'") {
          state = State.InWord;
        } else {
          word.push(c);
        }
        break;
      case State.Comment:
        if (c === '\n') state = State.Start;
        break;
    }
  }

  switch (state) {
    case State.InWord:
      words.push(word.join(''));
      break;
    case State.Escaping:
    case State.EscapingQuoted:
      throw new ShlexError('unfinished escape at end of input', openedAt, words);
    case State.DoubleQuoted:
      throw new ShlexError('unterminated double quote', openedAt, words);
    case State.SingleQuoted:
      throw new ShlexError('unterminated single quote', openedAt, words);
    case State.Start:
    case State.Comment:
      break;
  }
  // An exact-size copy: an exec keeps its argv, and an array grown by push has room for 17.
  return words.slice();
}
