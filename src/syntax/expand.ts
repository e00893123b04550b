// Dockerfile variable expansion with the semantics of BuildKit's
// frontend/dockerfile/shell Lex (escape token '\'). Output has to be
// byte-identical to the Go implementation, so its quirks are reproduced on
// purpose rather than "fixed"; the ones that surprise people are noted inline.

export type Lookup = (name: string) => string | undefined;

export class ExpandError extends Error {
  /** Index into the text passed to processWord/processWords/expandRaw. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'ExpandError';
    this.offset = offset;
  }
}

// Text that expansion leaves as it is, as most words are: no `$`, quote, escape or byte-order mark.
const plain = /^[^$'"\\\ufeff]*$/;
const plainBacktick = /^[^$'"`\ufeff]*$/;

/** The escape character of a Dockerfile (`# escape=`): backslash unless the directive says backtick. */
export type Escape = '\\' | '`';

/** Whether processWord and expandRaw return the text as it is, whatever the variables. */
export function isPlainWord(text: string, escape: Escape = '\\'): boolean {
  return (escape === '\\' ? plain : plainBacktick).test(text);
}

/**
 * Quote removal, escapes and expansion, as Lex.ProcessWordWithMap.
 * Note: a trailing unescaped '\' is dropped, as in Go.
 */
export function processWord(text: string, lookup: Lookup, escape: Escape = '\\'): string {
  return isPlainWord(text, escape) ? text : new Lexer(text, lookup, false, escape).run(false, null);
}

/**
 * As Lex.ProcessWords: the word is split on unquoted whitespace (Go's
 * unicode.IsSpace), including whitespace produced by unquoted expansions.
 * As in Go, a word that ends up empty (e.g. a lone `""`) is not emitted.
 */
export function processWords(text: string, lookup: Lookup, escape: Escape = '\\', v011 = false): string[] {
  const words = new WordCollector();
  new Lexer(text, lookup, false, escape, false, v011).run(false, words);
  return words.finish();
}

/**
 * Lex with RawQuotes and RawEscapes: expansions are substituted but quotes and
 * backslashes are kept for a later shlex pass. Two Go quirks survive here:
 * inside double quotes a backslash before an ordinary character is emitted
 * twice (`"\x"` becomes `"\\x"`), and the word of `${V:-word}` (also +, ?) is
 * processed with escapes removed.
 */
export function expandRaw(text: string, lookup: Lookup, escape: Escape = '\\'): string {
  return isPlainWord(text, escape) ? text : new Lexer(text, lookup, true, escape).run(true, null);
}

/** How `expandWith` treats quotes, escapes, unset variables and the `${...}` forms. */
export interface ExpandOptions {
  /** Quotes are kept in the result (they are still read as quotes). */
  readonly rawQuotes?: boolean;
  /** Backslashes are kept in the result. */
  readonly rawEscapes?: boolean;
  /** The escape character (the `# escape=` directive); a backslash by default. */
  readonly escape?: Escape;
  /** An unset variable is left as written (`$X`, `${X:-word}`), as Lex.SkipUnsetEnv. */
  readonly skipUnset?: boolean;
  /**
   * The `${...}` forms BuildKit v0.11.6's lexer knows: `${X}`, `${X:-w}`, `${X:+w}`, `${X:?w}`
   * and `${X?w}`; the others (`#`, `%`, `/`, `-`, `+` without `:`) are errors there.
   */
  readonly v011?: boolean;
  /** Quotes are ordinary characters, as Lex.SkipProcessQuotes (a COPY heredoc's body). */
  readonly literalQuotes?: boolean;
}

/**
 * Expansion with the lexer's options spelled out: BuildKit's Dockerfile frontend names its steps
 * with Lex configurations the functions above do not cover (a RUN's name keeps quotes and unset
 * variables but not escapes).
 */
export function expandWith(text: string, lookup: Lookup, options: ExpandOptions): string {
  const escape = options.escape ?? '\\';
  if (isPlainWord(text, escape)) return text;
  const lexer = new Lexer(text, lookup, options.rawQuotes ?? false, escape, options.skipUnset ?? false, options.v011 ?? false, options.literalQuotes ?? false);
  return lexer.run(options.rawEscapes ?? false, null);
}

const EOF = '';

// Mirrors the word accumulation of Go's wordsStruct, including its oddity that
// a quoted empty string marks "in a word" without ever producing one.
class WordCollector {
  private readonly words: string[] = [];
  private word = '';
  private inWord = false;

  addChar(c: string): void {
    if (isGoSpace(c)) {
      if (this.inWord && this.word.length !== 0) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else {
      this.addRaw(c);
    }
  }

  addString(s: string): void {
    for (let i = 0; i < s.length; i++) this.addChar(s[i]!);
  }

  addRaw(s: string): void {
    this.word += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word.length > 0) this.words.push(this.word);
    return this.words;
  }
}

const maxNesting = 500;

class Lexer {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly lookup: Lookup,
    private readonly rawQuotes: boolean,
    private readonly escape: Escape = '\\',
    private readonly skipUnset = false,
    private readonly v011 = false,
    private readonly literalQuotes = false,
  ) {
    // Go's text/scanner silently skips a byte-order mark at the very start.
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  run(rawEscapes: boolean, words: WordCollector | null): string {
    return this.processStopOn(EOF, rawEscapes, words);
  }

  // Reads up to `stop` (consuming it) or to the end when stop is EOF. Only the
  // top-level call collects words; nested calls build ${...} operands.
  private processStopOn(stop: string, rawEscapes: boolean, words: WordCollector | null): string {
    const text = this.text;
    const n = text.length;
    let result = '';
    while (this.pos < n) {
      const c = text[this.pos]!;
      if (stop !== EOF && c === stop) {
        this.pos++;
        return result;
      }
      if (c === '$') {
        const v = this.processDollar();
        result += v;
        words?.addString(v);
      } else if (c === "'" && !this.literalQuotes) {
        const v = this.processSingleQuote();
        result += v;
        words?.addRaw(v);
      } else if (c === '"' && !this.literalQuotes) {
        const v = this.processDoubleQuote(rawEscapes);
        result += v;
        words?.addRaw(v);
      } else {
        this.pos++;
        if (c === this.escape) {
          if (rawEscapes) {
            result += c;
            words?.addRaw(c);
          }
          if (this.pos >= n) break;
          const e = text[this.pos++]!;
          result += e;
          words?.addRaw(e);
        } else {
          result += c;
          words?.addChar(c);
        }
      }
    }
    if (stop !== EOF) {
      throw new ExpandError(`unexpected end of text while looking for matching ${stop}`, this.pos);
    }
    return result;
  }

  private processSingleQuote(): string {
    const start = this.pos;
    const end = this.text.indexOf("'", start + 1);
    if (end < 0) throw new ExpandError('unterminated quote', start);
    this.pos = end + 1;
    const body = this.text.slice(start + 1, end);
    return this.rawQuotes ? `'${body}'` : body;
  }

  private processDoubleQuote(rawEscapes: boolean): string {
    const text = this.text;
    const n = text.length;
    const start = this.pos++;
    let result = this.rawQuotes ? '"' : '';
    for (;;) {
      if (this.pos >= n) throw new ExpandError('unterminated quote', start);
      const c = text[this.pos]!;
      if (c === '"') {
        this.pos++;
        return this.rawQuotes ? result + '"' : result;
      }
      if (c === '$') {
        result += this.processDollar();
        continue;
      }
      this.pos++;
      if (c !== this.escape) {
        result += c;
        continue;
      }
      if (rawEscapes) result += c;
      if (this.pos >= n) continue;
      const e = text[this.pos]!;
      if (e === '"' || e === '$' || e === this.escape) {
        this.pos++;
        result += e;
      } else {
        // The backslash stays literal; in raw mode this writes it a second time.
        result += c;
      }
    }
  }

  private processDollar(): string {
    const text = this.text;
    const n = text.length;
    const start = this.pos++;

    if (text[this.pos] !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.lookup(name);
      return value ?? (this.skipUnset ? `$${name}` : '');
    }

    this.pos++;
    if (this.pos >= n) throw new ExpandError("missing '}'", start);
    const first = text[this.pos];
    if (first === '{' || first === '}' || first === ':') {
      throw new ExpandError('bad substitution', start);
    }
    const name = this.processName();
    // Go reports "unsupported modifier" when the text ends right after the
    // name; both are errors, ours says what is actually wrong (v0.11.6 says "missing ':'").
    if (this.pos >= n) throw new ExpandError(this.v011 ? "missing ':' in substitution" : "missing '}'", start);
    let mod = this.nextCodePoint();
    let mods = mod;

    if (mod === '}') return this.lookup(name) ?? (this.skipUnset ? `\${${name}}` : '');

    if (this.v011 && mod !== ':' && mod !== '?') throw new ExpandError("missing ':' in substitution", start);
    if (mod === '/') return this.processReplace(name, start);

    let nullIsUnset = false;
    if (mod === ':') {
      nullIsUnset = true;
      mod = this.pos < n ? this.nextCodePoint() : EOF;
      mods += mod;
      if (this.v011 && mod !== '+' && mod !== '-' && mod !== '?') throw new ExpandError(`unsupported modifier (${mod}) in substitution`, start);
    } else if (mod !== '+' && mod !== '-' && mod !== '?' && mod !== '#' && mod !== '%') {
      throw new ExpandError(`unsupported modifier (${mods}) in substitution`, start);
    }

    // After ':' Go falls through to reading the operand whatever the next
    // character was, so e.g. `${V:=x}` is only rejected once '}' is found.
    const word = this.operand('}', mod === '#' || mod === '%', start);
    const value = this.lookup(name);
    if (value === undefined && this.skipUnset) return `\${${name}${mods}${word}}`;
    const unset = value === undefined || (nullIsUnset && value === '');

    switch (mod) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) {
          throw new ExpandError(`${name}: ${word || 'is not allowed to be unset'}`, start);
        }
        if (unset) throw new ExpandError(`${name}: ${word || 'is not allowed to be empty'}`, start);
        return value;
      case '#':
      case '%': {
        let pattern = word;
        const greedy = pattern.length > 0 && pattern[0] === mod;
        if (greedy) pattern = pattern.slice(1);
        return mod === '%'
          ? trimSuffix(pattern, value ?? '', greedy, start)
          : trimPrefix(pattern, value ?? '', greedy, start);
      }
      default:
        throw new ExpandError(`unsupported modifier (${mods}) in substitution`, start);
    }
  }

  // ${name/pattern/replacement} and ${name//pattern/replacement}.
  private processReplace(name: string, start: number): string {
    const all = this.text[this.pos] === '/';
    if (all) this.pos++;
    const pattern = this.operand('/', true, start);
    const replacement = this.operand('}', true, start);
    const value = this.lookup(name) ?? '';
    const glob = compileShellPattern(pattern, true, start);
    if (all) return goReplaceAll(glob, value, replacement);
    const m = glob.exec(value, 0, false);
    if (!m) return value;
    return value.slice(0, m.start) + replacement + value.slice(m.end);
  }

  // Like Go, any failure that leaves us at the end of the text is reported as
  // the missing terminator, since that is the root cause.
  private operand(stop: string, rawEscapes: boolean, start: number): string {
    // Operands nest by recursion, as in Go; Go's stack grows as needed and ours does not, so
    // absurd nesting (a fuzzer's megabyte of `${a:-`) is an error rather than a crash.
    if (this.depth >= maxNesting) throw new ExpandError(`variable substitutions nested more than ${maxNesting} deep`, start);
    this.depth++;
    try {
      return this.processStopOn(stop, rawEscapes, null);
    } catch (err) {
      if (err instanceof ExpandError && this.pos >= this.text.length) {
        throw new ExpandError(stop === '/' ? "missing '/' in ${}" : "missing '}'", start);
      }
      throw err;
    } finally {
      this.depth--;
    }
  }

  // Name rules are Go's processName: a run of digits ($1, $10), one special
  // parameter character, or letters/digits/underscore in the Unicode sense.
  // Positional and special parameters are looked up like any other name, so
  // they expand to "" unless the lookup knows them.
  private processName(): string {
    const text = this.text;
    const n = text.length;
    const start = this.pos;
    if (start >= n) return '';
    const first = codePointString(text, start);
    if (isGoDigit(first)) {
      while (this.pos < n) {
        const ch = codePointString(text, this.pos);
        if (!isGoDigit(ch)) break;
        this.pos += ch.length;
      }
      return text.slice(start, this.pos);
    }
    if (SPECIAL_PARAMS.has(first)) {
      this.pos++;
      return first;
    }
    while (this.pos < n) {
      const ch = codePointString(text, this.pos);
      if (ch !== '_' && !isGoLetter(ch) && !isGoDigit(ch)) break;
      this.pos += ch.length;
    }
    return text.slice(start, this.pos);
  }

  private nextCodePoint(): string {
    const ch = codePointString(this.text, this.pos);
    this.pos += ch.length;
    return ch;
  }
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

function codePointString(s: string, i: number): string {
  const cp = s.codePointAt(i)!;
  return cp > 0xffff ? s.slice(i, i + 2) : s[i]!;
}

function isGoDigit(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return c >= 0x30 && c <= 0x39;
  return /^\p{Nd}$/u.test(ch);
}

function isGoLetter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return /^\p{L}$/u.test(ch);
}

// Go's unicode.IsSpace, which differs from JS \s (no U+FEFF).
function isGoSpace(c: string): boolean {
  switch (c.charCodeAt(0)) {
    case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x20:
    case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202f: case 0x205f: case 0x3000:
      return true;
    default: {
      const code = c.charCodeAt(0);
      return code >= 0x2000 && code <= 0x200a;
    }
  }
}

// Port of convertShellPatternToRegex: '*' and '?' wildcards, backslash escapes only for '*',
// '?' and '\\', and '\\}' / '\\/' meaning the bare char. Go compiles the result with its
// regexp package, which runs in linear time; a JS RegExp would backtrack exponentially on a
// pattern like `*a*a*a*a*b`, so the pattern is matched by the small automaton below instead.
function compileShellPattern(pattern: string, greedy: boolean, offset: number): Glob {
  const cps = Array.from(pattern);
  let i = cps[0] === '\ufeff' ? 1 : 0;
  const atoms: Atom[] = [];
  while (i < cps.length) {
    const tok = cps[i++]!;
    if (tok === '*') {
      // `**` matches exactly what `*` does: one star, so a run of them costs one state.
      if (atoms[atoms.length - 1] !== STAR) atoms.push(STAR);
    } else if (tok === '?') {
      atoms.push(ANY);
    } else if (tok === '\\') {
      if (cps[i] === '}' || cps[i] === '/') continue;
      const escaped = i < cps.length ? cps[i++]! : '';
      if (escaped !== '*' && escaped !== '?' && escaped !== '\\') {
        throw new ExpandError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${escaped}'`, offset);
      }
      atoms.push(escaped.codePointAt(0)!);
    } else {
      atoms.push(tok.codePointAt(0)!);
    }
  }
  return new Glob(atoms, greedy, offset);
}

/** A code point to match literally, any code point but a newline (Go's `.`), or a run of those. */
type Atom = number | typeof ANY | typeof STAR;
const ANY = -1;
const STAR = -2;
const NEWLINE = 0x0a;

/**
 * A compiled shell pattern, matched with the leftmost-first semantics of Go's (and JS's)
 * regexps, each star being `.*` (greedy) or `.*?` (lazy), by running every path at once: a
 * state is a position between atoms, each thread remembers where its match started, and
 * threads are kept in priority order, so the first thread to reach the end is the match a
 * backtracking engine would have found, in O(text × pattern) time.
 */
class Glob {
  /** Thread steps left: a match is O(text × pattern), and both can be a megabyte long. */
  private budget = 2e8;

  constructor(
    private readonly atoms: readonly Atom[],
    private readonly greedy: boolean,
    private readonly offset: number,
  ) {}

  /** The first match starting at or after `from` (or exactly at `from` when anchored). */
  exec(text: string, from: number, anchored: boolean): { start: number; end: number } | undefined {
    const end = this.atoms.length;
    // Which states a list already holds, stamped with the step that built the list.
    const marks = new Float64Array(end + 1).fill(-1);
    let step = 0;
    let current: Thread[] = [];
    let match: { start: number; end: number } | undefined;
    for (let pos = from; ; ) {
      // A match starting here ranks below every thread that started earlier.
      if (!match && (!anchored || pos === from)) this.add(current, marks, step, 0, pos);
      if (current.length === 0) break;
      this.budget -= current.length;
      if (this.budget < 0) throw new ExpandError('pattern too complex to match against this value', this.offset);
      const cp = pos < text.length ? text.codePointAt(pos)! : -1;
      const next: Thread[] = [];
      step++;
      for (const t of current) {
        if (t.state === end) {
          // The threads after this one rank lower: a backtracking engine would never try them.
          match = { start: t.start, end: pos };
          break;
        }
        if (cp < 0) continue;
        const atom = this.atoms[t.state]!;
        if (atom === STAR) {
          if (cp !== NEWLINE) this.add(next, marks, step, t.state, t.start);
        } else if (atom === cp || (atom === ANY && cp !== NEWLINE)) {
          this.add(next, marks, step, t.state + 1, t.start);
        }
      }
      if (cp < 0) break;
      current = next;
      pos += cp > 0xffff ? 2 : 1;
    }
    return match;
  }

  /**
   * Adds a thread at `state`, plus the states reachable from it without reading: from a star,
   * one thread stays in it to read another character and another moves past it. Greedy stars
   * rank staying first, lazy ones moving on. (Stars never follow one another.)
   */
  private add(list: Thread[], marks: Float64Array, step: number, state: number, start: number): void {
    const atoms = this.atoms;
    if (marks[state] === step) return;
    marks[state] = step;
    if (atoms[state] !== STAR) {
      list.push({ state, start });
      return;
    }
    if (this.greedy) list.push({ state, start });
    if (marks[state + 1] !== step) {
      marks[state + 1] = step;
      list.push({ state: state + 1, start });
    }
    if (!this.greedy) list.push({ state, start });
  }
}

interface Thread {
  readonly state: number;
  readonly start: number;
}

// Reverses a pattern while keeping each escape pair in escape-first order.
function reversePattern(pattern: string): string {
  const cps = Array.from(pattern);
  const last = cps.length - 1;
  const out = new Array<string>(cps.length);
  for (let i = 0; i <= last; ) {
    const tok = cps[i]!;
    const at = last - i;
    if (tok === '\\' && i !== last) {
      out[at - 1] = tok;
      out[at] = cps[i + 1]!;
      i += 2;
    } else {
      out[at] = tok;
      i++;
    }
  }
  return out.join('');
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

function trimPrefix(pattern: string, value: string, greedy: boolean, offset: number): string {
  const m = compileShellPattern(pattern, greedy, offset).exec(value, 0, true);
  return m ? value.slice(m.end) : value;
}

// A regexp cannot find the shortest rightmost match, so, like Go, search the
// reversed value with the reversed pattern.
function trimSuffix(pattern: string, value: string, greedy: boolean, offset: number): string {
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy, offset));
}

// Go's Regexp.ReplaceAllString: empty matches abutting the previous match are
// skipped (JS replace does not skip them) and the replacement is a template.
function goReplaceAll(glob: Glob, src: string, template: string): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = glob.exec(src, searchPos, false);
    if (!m) break;
    const a0 = m.start;
    const a1 = m.end;
    out += src.slice(lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) out += expandTemplate(template, src.slice(a0, a1));
    lastMatchEnd = a1;
    const width = searchPos < src.length ? codePointString(src, searchPos).length : 0;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + src.slice(lastMatchEnd);
}

// Go's Regexp.Expand for a pattern whose only group is the whole match:
// $$ is '$', $0 / ${0} is the match, any other well-formed reference is empty,
// and a malformed one leaves the '$' literal.
function expandTemplate(template: string, match: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const d = template.indexOf('$', i);
    if (d < 0) break;
    out += template.slice(i, d);
    i = d + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const brace = template[i] === '{';
    let j = brace ? i + 1 : i;
    const nameStart = j;
    while (j < template.length) {
      const ch = codePointString(template, j);
      if (ch !== '_' && !isGoLetter(ch) && !isGoDigit(ch)) break;
      j += ch.length;
    }
    const name = template.slice(nameStart, j);
    if (name === '' || (brace && template[j] !== '}')) {
      out += '$';
      continue;
    }
    if (brace) j++;
    i = j;
    if (name === '0') out += match;
  }
  return out + template.slice(i);
}
