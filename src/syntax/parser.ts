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

  public buildFile = this.RULE('buildFile', (): IToken[][] => {
    const instructions: IToken[][] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(Newline) },
        {
          ALT: () => {
            this.CONSUME(Comment);
            this.OPTION(() => this.CONSUME2(Newline));
          },
        },
        { ALT: () => instructions.push(this.SUBRULE(this.instruction)) },
      ]);
    });
    return instructions;
  });

  public instruction = this.RULE('instruction', (): IToken[] => {
    const tokens: IToken[] = [];
    tokens.push(this.OR(this.keywordAlternatives()));
    this.MANY(() => tokens.push(this.CONSUME(FlagArg)));
    this.MANY2(() => tokens.push(this.CONSUME(Arg)));
    this.OPTION(() => this.CONSUME(LineEnd));
    return tokens;
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

const tokenKinds = new Map<TokenType, TokenKind>([
  [Whitespace, 'whitespace'],
  [Continuation, 'continuation'],
  [ContinuedContinuation, 'continuation'],
  [ContinuedComment, 'comment'],
  [ContinuedNewline, 'newline'],
  [Comment, 'comment'],
  [Newline, 'newline'],
  [LineEnd, 'newline'],
]);

function kindOf(t: IToken): TokenKind {
  const known = tokenKinds.get(t.tokenType);
  if (known) return known;
  if (t.tokenType === UnknownKeyword || instructionNames.includes(t.tokenType.name as InstructionName)) return 'keyword';
  return t.tokenType.CATEGORIES?.includes(FlagArg) ? 'flag' : 'word';
}

function toToken(t: IToken): Token {
  return { kind: kindOf(t), text: t.image, offset: t.startOffset, line: t.startLine ?? 1 };
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
  const groups = p.buildFile();
  if (p.errors.length > 0) {
    const tok = p.errors[0].token;
    const offset = Number.isNaN(tok.startOffset) ? source.text.length : tok.startOffset;
    throw new Diagnostic(source, offset, `unexpected ${JSON.stringify(tok.image)}`);
  }
  const trivia = lexed.groups.trivia ?? [];
  const all = mergeByOffset(lexed.tokens, trivia);
  const items = buildItems(source, all, groups.length);
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

function buildItems(source: SourceFile, all: IToken[], expected: number): Item[] {
  const items: Item[] = [];
  let atLineStart = true;
  let instructions = 0;
  for (let i = 0; i < all.length; i++) {
    const t = all[i];
    const kind = kindOf(t);
    if (kind === 'keyword') {
      const body: Token[] = [];
      let j = i + 1;
      for (; j < all.length && all[j].tokenType !== LineEnd; j++) body.push(toToken(all[j]));
      const last = j < all.length ? all[j] : all[j - 1];
      const name = t.image.toUpperCase();
      if (t.tokenType === UnknownKeyword) {
        const hint = unsupported.has(name)
          ? `: ${name} configures an image, which LLB has no place for`
          : `; expected one of ${instructionNames.join(', ')}`;
        throw new Diagnostic(source, t.startOffset, `unknown instruction ${JSON.stringify(t.image)}${hint}`, t.image.length);
      }
      const endLine = j < all.length ? (all[j].startLine ?? 1) : (last.endLine ?? last.startLine ?? 1);
      items.push({ kind: 'instruction', name: name as InstructionName, keyword: toToken(t), body, startLine: t.startLine ?? 1, endLine });
      instructions++;
      i = j;
      atLineStart = true;
    } else if (kind === 'comment') {
      items.push({ kind: 'comment', token: toToken(t) });
      atLineStart = false;
    } else if (kind === 'newline') {
      if (atLineStart) items.push({ kind: 'blank', line: t.startLine ?? 1 });
      atLineStart = true;
    }
  }
  if (instructions !== expected) throw new Error(`parser saw ${expected} instructions, tree has ${instructions}`);
  return items;
}

const directivePattern = /^#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(.*?)[ \t]*$/;

/** Dockerfile's rule: directives are the `# key=value` comment lines before anything else. */
function readDirectives(items: readonly Item[]): Map<string, Directive> {
  const out = new Map<string, Directive>();
  for (const item of items) {
    if (item.kind !== 'comment') break;
    const m = directivePattern.exec(item.token.text);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (out.has(key)) break;
    out.set(key, { value: m[2], offset: item.token.offset });
  }
  return out;
}
