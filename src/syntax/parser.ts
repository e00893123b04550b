import { EmbeddedActionsParser, type IToken, type TokenType } from 'chevrotain';
import { Diagnostic, SourceFile } from '../diagnostics.js';
import type { BuildFile, Directive, Instruction, Item, Token, TokenKind } from './cst.js';
import {
  Arg,
  Comment,
  Continuation,
  ContinuedComment,
  ContinuedContinuation,
  ContinuedNewline,
  FlagArg,
  instructionNames,
  keywords,
  LineEnd,
  lexer,
  Newline,
  UnknownKeyword,
  Whitespace,
  allTokens,
  type InstructionName,
} from './tokens.js';

/** The line structure of a build file. Arguments are checked per instruction by lowering. */
class BuildFileParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { recoveryEnabled: false, skipValidations: true });
    this.performSelfAnalysis();
  }

  // The rules only count instructions: the tree is built from the token stream afterwards, and
  // collecting each instruction's tokens here cost a hundred thousand arrays on large files.
  public buildFile = this.RULE('buildFile', (): number => {
    let instructions = 0;
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(Newline) },
        {
          ALT: () => {
            this.CONSUME(Comment);
            this.OPTION(() => this.CONSUME2(Newline));
          },
        },
        {
          ALT: () => {
            this.SUBRULE(this.instruction);
            instructions++;
          },
        },
      ]);
    });
    return instructions;
  });

  public instruction = this.RULE('instruction', (): void => {
    this.OR(this.keywordAlternatives());
    this.MANY(() => this.CONSUME(FlagArg));
    this.MANY2(() => this.CONSUME(Arg));
    this.OPTION(() => this.CONSUME(LineEnd));
  });

  private keywordAlts?: { ALT: () => IToken }[];

  private keywordAlternatives(): { ALT: () => IToken }[] {
    const kinds: TokenType[] = [...Object.values(keywords), UnknownKeyword];
    this.keywordAlts ??= kinds.map((t, i) => ({ ALT: () => this.consume(i, t) }));
    return this.keywordAlts;
  }
}

let parser: BuildFileParser | undefined;

/** The chevrotain grammar, for generating railroad diagrams. */
export function grammarParser(): BuildFileParser {
  parser ??= new BuildFileParser();
  return parser;
}

// Every token type's kind, computed once: classifying 600,000 tokens of a large file by
// searching name lists was a measurable part of parsing.
const tokenKinds = new Map<TokenType, TokenKind>([
  [Whitespace, 'whitespace'],
  [Continuation, 'continuation'],
  [ContinuedContinuation, 'continuation'],
  [ContinuedComment, 'comment'],
  [ContinuedNewline, 'newline'],
  [Comment, 'comment'],
  [Newline, 'newline'],
  [LineEnd, 'newline'],
  [UnknownKeyword, 'keyword'],
  ...Object.values(keywords).map((t): [TokenType, TokenKind] => [t, 'keyword']),
]);

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

const unsupported = new Set([
  'CMD', 'ENTRYPOINT', 'EXPOSE', 'LABEL', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ONBUILD', 'MAINTAINER',
]);

/** Parses a build file into its concrete syntax tree, or throws a Diagnostic. */
export function parse(source: SourceFile): BuildFile {
  const lexed = lexer.tokenize(source.text);
  if (lexed.errors.length > 0) {
    const e = lexed.errors[0];
    throw new Diagnostic(source, e.offset, `unexpected character ${JSON.stringify(source.text[e.offset])}`);
  }
  const p = grammarParser();
  p.input = lexed.tokens;
  const instructions = p.buildFile();
  // The parser is shared: let go of the token vector so a large file's tokens can be collected.
  p.input = [];
  if (p.errors.length > 0) {
    const tok = p.errors[0].token;
    const offset = Number.isNaN(tok.startOffset) ? source.text.length : tok.startOffset;
    throw new Diagnostic(source, offset, `unexpected ${JSON.stringify(tok.image)}`);
  }
  const trivia = lexed.groups.trivia ?? [];
  const all = mergeByOffset(lexed.tokens, trivia);
  const items = buildItems(source, all, instructions);
  return { source, items, directives: readDirectives(items) };
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

const kindCodes: readonly TokenKind[] = ['keyword', 'word', 'flag', 'whitespace', 'continuation', 'comment', 'newline'];

/**
 * The tokens of every instruction's body, packed into typed arrays: a hundred thousand
 * instructions would otherwise keep half a million token objects alive through lowering.
 */
class TokenStore {
  private kinds: Uint8Array;
  private offsets: Int32Array;
  private lengths: Int32Array;
  private lines: Int32Array;
  size = 0;

  constructor(
    private readonly source: SourceFile,
    capacity: number,
  ) {
    this.kinds = new Uint8Array(capacity);
    this.offsets = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
  }

  add(kind: TokenKind, offset: number, length: number, line: number): void {
    this.kinds[this.size] = kindCodes.indexOf(kind);
    this.offsets[this.size] = offset;
    this.lengths[this.size] = length;
    this.lines[this.size] = line;
    this.size++;
  }

  /** Gives back the room reserved for tokens that never came. */
  trim(): void {
    this.kinds = this.kinds.slice(0, this.size);
    this.offsets = this.offsets.slice(0, this.size);
    this.lengths = this.lengths.slice(0, this.size);
    this.lines = this.lines.slice(0, this.size);
  }

  token(i: number): Token {
    const offset = this.offsets[i];
    return { kind: kindCodes[this.kinds[i]], text: this.source.text.slice(offset, offset + this.lengths[i]), offset, line: this.lines[i] };
  }
}

/** An instruction whose body tokens are made on demand from the store (a new array each time). */
class InstructionNode implements Instruction {
  readonly kind = 'instruction';

  constructor(
    readonly name: InstructionName,
    readonly keyword: Token,
    private readonly store: TokenStore,
    private readonly from: number,
    private readonly to: number,
    readonly startLine: number,
    readonly endLine: number,
  ) {}

  get body(): readonly Token[] {
    const out: Token[] = new Array(this.to - this.from);
    for (let i = this.from; i < this.to; i++) out[i - this.from] = this.store.token(i);
    return out;
  }
}

/**
 * Groups the token stream into items. Lines are counted here rather than by the lexer (which
 * then tracks offsets only): every line break is the last character of a newline or
 * continuation token, so counting those tokens gives each token's line.
 */
function buildItems(source: SourceFile, all: IToken[], expected: number): Item[] {
  const items: Item[] = [];
  // Room for every token and for the whitespace before each of them and at the end.
  const store = new TokenStore(source, 2 * all.length + 1);
  let atLineStart = true;
  let instructions = 0;
  let line = 1;
  const advance = (t: IToken) => {
    if (t.image.charCodeAt(t.image.length - 1) === 10) line++;
  };
  for (let i = 0; i < all.length; i++) {
    const t = all[i];
    const kind = kindOf(t);
    if (kind === 'keyword') {
      const keyword = toToken(t, line);
      advance(t);
      const from = store.size;
      let end = t.startOffset + t.image.length;
      let j = i + 1;
      for (; j < all.length; j++) {
        const next = all[j];
        if (next.startOffset > end) store.add('whitespace', end, next.startOffset - end, line);
        if (next.tokenType === LineEnd) break;
        store.add(kindOf(next), next.startOffset, next.image.length, line);
        advance(next);
        end = next.startOffset + next.image.length;
      }
      if (j === all.length && source.text.length > end) store.add('whitespace', end, source.text.length - end, line);
      const name = t.image.toUpperCase();
      if (t.tokenType === UnknownKeyword) {
        const hint = unsupported.has(name)
          ? `: ${name} configures an image, which LLB has no place for`
          : `; expected one of ${instructionNames.join(', ')}`;
        throw new Diagnostic(source, t.startOffset, `unknown instruction ${JSON.stringify(t.image)}${hint}`, t.image.length);
      }
      // At the end of the file the instruction ends on its last token's line.
      const endLine = j < all.length ? line : store.size > from ? store.token(store.size - 1).line : keyword.line;
      items.push(new InstructionNode(name as InstructionName, keyword, store, from, store.size, keyword.line, endLine));
      instructions++;
      if (j < all.length) advance(all[j]);
      i = j;
      atLineStart = true;
    } else if (kind === 'comment') {
      items.push({ kind: 'comment', token: toToken(t, line) });
      atLineStart = false;
    } else if (kind === 'newline') {
      if (atLineStart) items.push({ kind: 'blank', line });
      advance(t);
      atLineStart = true;
    } else {
      advance(t);
    }
  }
  if (instructions !== expected) throw new Error(`parser saw ${expected} instructions, tree has ${instructions}`);
  store.trim();
  return items;
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

function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s[start] === ' ' || s[start] === '\t')) start++;
  while (end > start && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return s.slice(start, end);
}
