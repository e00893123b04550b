import type { SourceFile } from '../diagnostics.js';
import type { InstructionName } from './instructions.js';

/** A token as the concrete tree keeps it: enough to reprint the file exactly. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly offset: number;
  readonly line: number;
}

export type TokenKind =
  | 'keyword'
  | 'word'
  | 'flag'
  | 'whitespace'
  | 'continuation'
  | 'comment'
  | 'newline'
  /** A heredoc's body with its terminator line (and that line's end): after the instruction's line end, which is a 'newline' token of its body. */
  | 'heredoc';

/**
 * The concrete syntax tree: every line of the file, in order, with comments and
 * continuations kept. Lowering reads instructions from it; the formatter reprints it.
 */
export interface BuildFile {
  readonly source: SourceFile;
  readonly items: readonly Item[];
  /** Parser directives (`# key=value` lines at the top), keys lower-cased. */
  readonly directives: ReadonlyMap<string, Directive>;
  /** The escape character (`# escape=`): continues lines and escapes in words. */
  readonly escape: '\\' | '`';
}

export interface Directive {
  readonly value: string;
  readonly offset: number;
}

export type Item = CommentLine | BlankLine | Instruction;

export interface CommentLine {
  readonly kind: 'comment';
  readonly token: Token;
}

export interface BlankLine {
  readonly kind: 'blank';
  readonly line: number;
}

export interface Instruction {
  readonly kind: 'instruction';
  /** Its position among the file's instructions, from 0: a key for tables indexed by instruction. */
  readonly index: number;
  readonly name: InstructionName;
  readonly keyword: Token;
  /**
   * Everything after the keyword up to the end of the instruction, trivia included. The parser
   * builds it on each read from a compact store, so read it once and keep the array.
   */
  readonly body: readonly Token[];
  readonly startLine: number;
  readonly endLine: number;
}
