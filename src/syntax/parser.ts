import type { IToken, TokenType } from 'chevrotain';
import { Diagnostic, SourceFile } from '../diagnostics.js';
import type { BuildFile, Directive, Instruction, Item, Token, TokenKind } from './cst.js';
import { ByteList, IntList } from '../intlist.js';
import {
  backslashTokens,
  backtickTokens,
  Comment,
  ContinuedComment,
  ContinuedNewline,
  FlagArg,
  Heredoc,
  heredocsEndingAt,
  keywords,
  LineEnd,
  lexerFor,
  Newline,
  UnknownKeyword,
  UnterminatedHeredoc,
  Whitespace,
  type EscapeChar,
} from './tokens.js';
import { instructionNames, type InstructionName } from './instructions.js';

// Every token type's kind, computed once: classifying 600,000 tokens of a large file by
// searching name lists was a measurable part of parsing.
const tokenKinds = new Map<TokenType, TokenKind>([
  [Whitespace, 'whitespace'],
  [backslashTokens.Continuation, 'continuation'],
  [backslashTokens.ContinuedContinuation, 'continuation'],
  [backtickTokens.Continuation, 'continuation'],
  [backtickTokens.ContinuedContinuation, 'continuation'],
  [Heredoc, 'heredoc'],
  [ContinuedComment, 'comment'],
  [ContinuedNewline, 'newline'],
  [Comment, 'comment'],
  [Newline, 'newline'],
  [LineEnd, 'newline'],
  [UnknownKeyword, 'keyword'],
  ...Object.values(keywords).map((t): [TokenType, TokenKind] => [t, 'keyword']),
]);

// Names by keyword token type: one string per name, not one per instruction.
const instructionOf = new Map<TokenType, InstructionName>(instructionNames.map((n) => [keywords[n], n]));

function kindOf(t: IToken): TokenKind {
  let kind = tokenKinds.get(t.tokenType);
  if (!kind) {
    kind = t.tokenType.CATEGORIES?.includes(FlagArg) ? 'flag' : 'word';
    tokenKinds.set(t.tokenType, kind);
  }
  return kind;
}

function toToken(t: IToken, line: number): Token {
  return { kind: kindOf(t), text: t.image, offset: t.startOffset, line };
}

/**
 * Parses a build file into its concrete syntax tree, or throws a Diagnostic.
 *
 * The grammar parser does not run here. The lexer's modes already give every token stream the
 * grammar's shape (a keyword starts an instruction, which runs to its line end; comments and
 * blank lines stand alone), so the parser could never reject one, and building it cost more
 * start-up time than compiling a small file (and loading it, more). checkGrammar() in
 * grammar.ts runs it, and the tests hold the two to agreeing on any input.
 */
export function parse(source: SourceFile, pieceSize = 1 << 16): BuildFile {
  const escape = fileEscape(source);
  const items = parseItems(source, pieceSize, escape);
  return { source, items, directives: readDirectives(items), escape };
}

/**
 * The escape character the file's directives set. Directives are comment lines at the top, which
 * lex the same whatever the escape: those lines are parsed first to find it.
 */
export function fileEscape(source: SourceFile): EscapeChar {
  const text = source.text;
  let end = 0;
  for (;;) {
    let i = end;
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\r') i++;
    if (text[i] !== '#') break;
    const nl = text.indexOf('\n', i);
    end = nl < 0 ? text.length : nl + 1;
    if (nl < 0) break;
  }
  if (end === 0 || !/escape/i.test(text.slice(0, end))) return '\\';
  const directive = readDirectives(parseItems(new SourceFile(source.name, text.slice(0, end)), 1 << 16, '\\')).get('escape');
  if (!directive) return '\\';
  if (directive.value !== '\\' && directive.value !== '`') {
    throw new Diagnostic(source, directive.offset, `invalid escape character ${JSON.stringify(directive.value)} in directive: use \\ or \``);
  }
  return directive.value;
}

function parseItems(source: SourceFile, pieceSize: number, escape: EscapeChar): Item[] {
  const builder = new ItemBuilder(source);
  const text = source.text;
  // A large file is lexed a piece at a time, each piece's tokens turned into items before the
  // next is lexed: the lexer's token objects then die young instead of all living at once. A
  // piece ends after a line break where the lexer is back at the start of a line (not inside
  // a continuation); when it is not, the piece is lexed again, twice as long.
  for (let start = 0, size = pieceSize; start < text.length || start === 0; ) {
    const end = pieceEnd(text, start + size);
    const { tokens: all, errorAt, unterminated } = lexPiece(source, start, end, escape);
    if (unterminated) {
      // The body may go on in the rest of the file.
      if (end < text.length) {
        size *= 2;
        continue;
      }
      // An error before the heredoc is reported first.
      builder.add(lexPiece(source, start, unterminated.offset, escape).tokens, unterminated.offset);
      throw new Diagnostic(source, unterminated.offset, 'unterminated heredoc', unterminated.length);
    }
    if (errorAt !== undefined) {
      // What comes before the character may be wrong too, as it would be found were the file
      // lexed in smaller pieces: the first error in the file is the one reported.
      builder.add(all.filter((t) => t.startOffset < errorAt), errorAt);
      throw new Diagnostic(source, errorAt, `unexpected character ${JSON.stringify(text[errorAt])}`);
    }
    if (end < text.length && !endsAtLineStart(text, all, end)) {
      size *= 2;
      continue;
    }
    builder.add(all, end);
    start = end;
    size = pieceSize;
    if (end >= text.length) break;
  }
  return builder.finish();
}

/**
 * Whether the lexer is at the start of a line at the end of a piece: after a line break that is
 * not inside a continuation, and not the end of a line whose heredocs' bodies come next.
 */
function endsAtLineStart(text: string, all: readonly IToken[], end: number): boolean {
  const last = all[all.length - 1];
  if (!last) return false;
  if (last.tokenType === Newline || last.tokenType === Heredoc) return true;
  if (last.tokenType !== LineEnd) return false;
  return !heredocsEndingAt(text.slice(0, end), all, all.length - 1, last.startOffset, () => all.filter((t) => t.tokenType.GROUP === 'trivia'));
}

/** Just after the first line break at or after `at`, or the end of the text. */
function pieceEnd(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * The tokens of text[start, end), trivia included, in order, with offsets into the whole text,
 * and where the first character the lexer could not read is, if any.
 */
function lexPiece(source: SourceFile, start: number, end: number, escape: EscapeChar): { tokens: IToken[]; errorAt?: number; unterminated?: { offset: number; length: number } } {
  let lexed;
  try {
    lexed = lexerFor(escape).tokenize(start === 0 && end === source.text.length ? source.text : source.text.slice(start, end));
  } catch (e) {
    if (!(e instanceof UnterminatedHeredoc)) throw e;
    return { tokens: [], unterminated: { offset: e.offset + start, length: e.length } };
  }
  const errorAt = lexed.errors.length > 0 ? lexed.errors[0].offset + start : undefined;
  const all = mergeByOffset(lexed.tokens, lexed.groups.trivia ?? []);
  if (start > 0) {
    for (const t of all) {
      t.startOffset += start;
      if (t.endOffset !== undefined) t.endOffset += start;
    }
  }
  return { tokens: all, errorAt };
}

function mergeByOffset(a: IToken[], b: IToken[]): IToken[] {
  const out: IToken[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i].startOffset < b[j].startOffset ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

const kindCodes: readonly TokenKind[] = ['keyword', 'word', 'flag', 'whitespace', 'continuation', 'comment', 'newline', 'heredoc'];

/**
 * The tokens of every instruction's body, packed into typed arrays: a hundred thousand
 * instructions would otherwise keep half a million token objects alive through lowering. A
 * body's tokens are contiguous (whitespace is a token too), so each token's length follows
 * from the next one's offset and its line from the line breaks before it.
 */
class TokenStore {
  private readonly kinds = new ByteList();
  private readonly offsets = new IntList();
  private readonly instructions = new IntList();

  constructor(readonly source: SourceFile) {}

  get size(): number {
    return this.kinds.length;
  }

  add(kind: TokenKind, offset: number): void {
    this.kinds.push(kindCodes.indexOf(kind));
    this.offsets.push(offset);
  }

  /** Records an instruction's numbers (see InstructionNode); returns its number. */
  addInstruction(keyword: number, from: number, to: number, end: number, startLine: number, endLine: number): number {
    const list = this.instructions;
    const n = list.length / 6;
    list.push(keyword);
    list.push(from);
    list.push(to);
    list.push(end);
    list.push(startLine);
    list.push(endLine);
    return n;
  }

  instruction(n: number, field: number): number {
    return this.instructions.get(6 * n + field);
  }

  /** Tokens from..to, the last ending at `end`, the first on line `line`. */
  tokens(from: number, to: number, end: number, line: number): Token[] {
    const out: Token[] = new Array(to - from);
    for (let i = from; i < to; i++) {
      const offset = this.offsets.get(i);
      const text = this.source.text.slice(offset, i + 1 < to ? this.offsets.get(i + 1) : end);
      const kind = kindCodes[this.kinds.get(i)];
      out[i - from] = { kind, text, offset, line };
      line += kind === 'heredoc' ? lineBreaks(text) : text.charCodeAt(text.length - 1) === 10 ? 1 : 0;
    }
    return out;
  }
}

// Each instruction's numbers, six slots apiece in TokenStore.instructions.
const keywordAt = 0;
const bodyFrom = 1;
const bodyTo = 2;
const bodyEnd = 3;
const firstLine = 4;
const lastLine = 5;

/**
 * An instruction: its name, and where to find the rest, which is made on demand. A hundred
 * thousand instructions are alive all through lowering, and as objects with their fields and
 * keyword tokens they cost three times as much.
 */
class InstructionNode implements Instruction {
  constructor(
    readonly name: InstructionName,
    private readonly store: TokenStore,
    private readonly n: number,
  ) {}

  get index(): number {
    return this.n;
  }

  get kind(): 'instruction' {
    return 'instruction';
  }

  /** A keyword is its instruction's name in any case, so it is as long as the name. */
  get keyword(): Token {
    const offset = this.store.instruction(this.n, keywordAt);
    return { kind: 'keyword', text: this.store.source.text.slice(offset, offset + this.name.length), offset, line: this.startLine };
  }

  get body(): readonly Token[] {
    const { store, n } = this;
    return store.tokens(store.instruction(n, bodyFrom), store.instruction(n, bodyTo), store.instruction(n, bodyEnd), this.startLine);
  }

  get startLine(): number {
    return this.store.instruction(this.n, firstLine);
  }

  get endLine(): number {
    return this.store.instruction(this.n, lastLine);
  }
}

/**
 * Groups the token stream into items, a piece of the file at a time. Lines are counted here
 * rather than by the lexer (which then tracks offsets only): every line break is the last
 * character of a newline or continuation token, so counting those tokens gives each token's line.
 */
class ItemBuilder {
  private readonly items: Item[] = [];
  private readonly store: TokenStore;
  private atLineStart = true;
  private line = 1;

  constructor(private readonly source: SourceFile) {
    this.store = new TokenStore(source);
  }

  private advance(t: IToken): void {
    if (t.tokenType === Heredoc) this.line += lineBreaks(t.image);
    else if (t.image.charCodeAt(t.image.length - 1) === 10) this.line++;
  }

  /** The tokens of a piece of the file that ends at `pieceEnd`, at the start of a line (or the end of the file). */
  add(all: IToken[], pieceEnd: number): void {
    const { items, store, source } = this;
    for (let i = 0; i < all.length; i++) {
      const t = all[i];
      const kind = kindOf(t);
      if (kind === 'keyword') {
        const line = this.line;
        this.advance(t);
        const from = store.size;
        let end = t.startOffset + t.image.length;
        let lastLine = line;
        let j = i + 1;
        for (; j < all.length; j++) {
          const next = all[j];
          if (next.startOffset > end) {
            store.add('whitespace', end);
            lastLine = this.line;
            end = next.startOffset;
          }
          if (next.tokenType === LineEnd) break;
          store.add(kindOf(next), next.startOffset);
          lastLine = this.line;
          this.advance(next);
          end = next.startOffset + next.image.length;
        }
        if (j === all.length && pieceEnd > end) {
          store.add('whitespace', end);
          lastLine = this.line;
          end = pieceEnd;
        }
        const name = instructionOf.get(t.tokenType);
        if (!name) {
          throw new Diagnostic(source, t.startOffset, `unknown instruction ${JSON.stringify(t.image)}; expected one of ${instructionNames.join(', ')}`, t.image.length);
        }
        // At the end of the file the instruction ends on its last token's line.
        let endLine = j < all.length ? this.line : lastLine;
        if (pieceEnd === source.text.length && j >= all.length - 1) this.checkNoHeredoc(all, j, j < all.length ? all[j].startOffset : pieceEnd);
        if (all[j + 1]?.tokenType === Heredoc) {
          // The heredocs' bodies belong to the instruction, after its line end.
          store.add('newline', all[j].startOffset);
          this.advance(all[j]);
          for (; all[j + 1]?.tokenType === Heredoc; j++) {
            const h = all[j + 1];
            store.add('heredoc', h.startOffset);
            endLine = this.line + lineBreaks(h.image) - (h.image.endsWith('\n') ? 1 : 0);
            this.advance(h);
            end = h.startOffset + h.image.length;
          }
        } else if (j < all.length) {
          this.advance(all[j]);
        }
        items.push(new InstructionNode(name, store, store.addInstruction(t.startOffset, from, store.size, end, line, endLine)));
        i = j;
        this.atLineStart = true;
      } else if (kind === 'comment') {
        items.push({ kind: 'comment', token: toToken(t, this.line) });
        this.atLineStart = false;
      } else if (kind === 'newline') {
        if (this.atLineStart) items.push({ kind: 'blank', line: this.line });
        this.advance(t);
        this.atLineStart = true;
      } else {
        this.advance(t);
      }
    }
  }

  /** The last instruction of the file (its tokens before all[end], its line ending at `to`) has no line after it for heredoc bodies. */
  private checkNoHeredoc(all: readonly IToken[], end: number, to: number): void {
    const found = heredocsEndingAt(this.source.text, all, end, to, () => all.filter((t) => t.tokenType.GROUP === 'trivia'));
    if (found) throw new Diagnostic(this.source, found.offsets[0], 'unterminated heredoc', found.markers[0].end - found.markers[0].start);
  }

  finish(): Item[] {
    return this.items;
  }
}

// `# key = value`. The value's blanks are trimmed by hand: a regexp like `(.*?)[ \t]*$` takes
// quadratic time on a long run of blanks followed by something else.
const directiveKey = /^#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=/;

/** Dockerfile's rule: directives are the `# key=value` comment lines before anything else. */
function readDirectives(items: readonly Item[]): Map<string, Directive> {
  const out = new Map<string, Directive>();
  for (const item of items) {
    if (item.kind !== 'comment') break;
    const text = item.token.text;
    const m = directiveKey.exec(text);
    // Like `.` in the pattern this replaced, a value never spans a line or paragraph separator.
    if (!m || /[\u2028\u2029]/.test(text)) break;
    const key = m[1].toLowerCase();
    if (out.has(key)) break;
    out.set(key, { value: trimBlanks(text.slice(m[0].length)), offset: item.token.offset });
  }
  return out;
}

function lineBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s[start] === ' ' || s[start] === '\t')) start++;
  while (end > start && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return s.slice(start, end);
}
