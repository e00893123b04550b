import { EmbeddedActionsParser, type IToken, type TokenType } from 'chevrotain';
import { Diagnostic, type SourceFile } from '../diagnostics.js';
import { allTokens, Arg, Comment, FlagArg, Heredoc, keywords, LineEnd, lexerFor, Newline, UnknownKeyword, UnterminatedHeredoc } from './tokens.js';
import { fileEscape } from './parser.js';

// The grammar of the line structure, as a chevrotain parser: the railroad diagrams are drawn
// from it, and the tests hold parse() to it (checkGrammar). It lives apart from parse(), which
// does not need it, so that compiling does not load chevrotain's parser at all.

/** The line structure of a build file. Arguments are checked per instruction by lowering. */
class BuildFileParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { recoveryEnabled: false, skipValidations: true });
    this.performSelfAnalysis();
  }

  // The rules only count instructions: a tree is of no use to anyone here.
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
    this.OPTION(() => {
      this.CONSUME(LineEnd);
      // The bodies of the heredocs the line opens (RUN, COPY, ADD), each with its terminator line.
      this.MANY3(() => this.CONSUME(Heredoc));
    });
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

/** What the grammar parser makes of a build file: how many instructions it saw, or the token it rejected. */
export function checkGrammar(source: SourceFile): { instructions: number } | { rejected: IToken } {
  let lexed;
  try {
    lexed = lexerFor(fileEscape(source)).tokenize(source.text);
  } catch (e) {
    if (e instanceof UnterminatedHeredoc) throw new Diagnostic(source, e.offset, 'unterminated heredoc', e.length);
    throw e;
  }
  if (lexed.errors.length > 0) {
    const e = lexed.errors[0];
    throw new Diagnostic(source, e.offset, `unexpected character ${JSON.stringify(source.text[e.offset])}`);
  }
  const p = grammarParser();
  p.input = lexed.tokens;
  const instructions = p.buildFile();
  // The parser is shared: let go of the token vector so a large file's tokens can be collected.
  p.input = [];
  return p.errors.length > 0 ? { rejected: p.errors[0].token } : { instructions };
}
