import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { expandRaw, expandStepName, ExpandError, processWord, processWords, type Lookup } from '../../src/syntax/expand.js';

function env(vars: Record<string, string>): Lookup {
  return (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
}

const vars = env({
  A: '1',
  PWD: '/home',
  EMPTY: '',
  SP: ' a  b ',
  FOO: 'xxyy',
  PATHY: '/tmp/tmp/bar.txt',
  KOREAN: '한국어',
});

function expandError(fn: () => unknown): ExpandError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ExpandError, `expected ExpandError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an ExpandError');
}

describe('processWord', () => {
  it('expands $NAME and ${NAME}', () => {
    assert.equal(processWord('$A', vars), '1');
    assert.equal(processWord('x${A}y', vars), 'x1y');
    assert.equal(processWord('$PWD/bin', vars), '/home/bin');
    assert.equal(processWord('$A$A', vars), '11');
    assert.equal(processWord('${KOREAN}!', vars), '한국어!');
  });

  it('expands unset variables to the empty string', () => {
    assert.equal(processWord('a${NOPE}b', vars), 'ab');
    assert.equal(processWord('a$NOPE', vars), 'a');
  });

  it('leaves a $ that starts no name literal', () => {
    assert.equal(processWord('$', vars), '$');
    assert.equal(processWord('a$ b', vars), 'a$ b');
    assert.equal(processWord('$.x', vars), '$.x');
    assert.equal(processWord('cost: 5$', vars), 'cost: 5$');
  });

  it('treats names as Unicode letters, digits and underscores', () => {
    assert.equal(processWord('$A_B', env({ A_B: 'ab', A: 'no' })), 'ab');
    assert.equal(processWord('$A-B', env({ A: 'a' })), 'a-B');
    assert.equal(processWord('$é', env({ 'é': 'accent' })), 'accent');
  });

  it('expands positional and special parameters by looking them up', () => {
    assert.equal(processWord('$1x', vars), 'x');
    assert.equal(processWord('$12x', env({ '12': 'twelve' })), 'twelvex');
    assert.equal(processWord('a$$b', vars), 'ab');
    assert.equal(processWord('$@ $* $# $? $- $! $0', vars), '      ');
    assert.equal(processWord('${1}', env({ '1': 'one' })), 'one');
  });

  it('applies :- and - defaults', () => {
    assert.equal(processWord('${FOO:-aaa} ${EMPTY:-bbb} ${NOPE:-ccc}', vars), 'xxyy bbb ccc');
    assert.equal(processWord('${FOO-aaa} ${EMPTY-bbb} ${NOPE-ccc}', vars), 'xxyy  ccc');
    assert.equal(processWord('${NOPE:-}', vars), '');
  });

  it('applies :+ and + alternatives', () => {
    assert.equal(processWord('${FOO:+aaa} ${EMPTY:+bbb} ${NOPE:+ccc}', vars), 'aaa  ');
    assert.equal(processWord('${FOO+aaa} ${EMPTY+bbb} ${NOPE+ccc}', vars), 'aaa bbb ');
  });

  it('expands the operand recursively, with quotes', () => {
    assert.equal(processWord('${NOPE:-$A}', vars), '1');
    assert.equal(processWord('${NOPE:-${ALSO:-$PWD/x}}', vars), '/home/x');
    assert.equal(processWord('${NOPE:-"a }b"}', vars), 'a }b');
    assert.equal(processWord("${NOPE:-'$A'}", vars), '$A');
    assert.equal(processWord('${NOPE:-a\\}b}', vars), 'a}b');
    assert.equal(processWord('${A:+[$PWD]}', vars), '[/home]');
  });

  it('evaluates the operand even when it is not used', () => {
    const err = expandError(() => processWord('${A:-${NOPE:?boom}}', vars));
    assert.equal(err.message, 'NOPE: boom');
    assert.equal(err.offset, 5);
  });

  it('fails ${V:?} and ${V?} when unset (and : when empty)', () => {
    assert.equal(processWord('${A:?msg}', vars), '1');
    assert.equal(processWord('${EMPTY?msg}', vars), '');

    let err = expandError(() => processWord('x ${NOPE:?message here$A}', vars));
    assert.equal(err.message, 'NOPE: message here1');
    assert.equal(err.offset, 2);

    err = expandError(() => processWord('${EMPTY:?}', vars));
    assert.equal(err.message, 'EMPTY: is not allowed to be empty');
    assert.equal(err.offset, 0);

    err = expandError(() => processWord('${NOPE?}', vars));
    assert.equal(err.message, 'NOPE: is not allowed to be unset');

    err = expandError(() => processWord('${NOPE:?}', vars));
    assert.equal(err.message, 'NOPE: is not allowed to be unset');
  });

  it('trims prefixes with # and ##', () => {
    assert.equal(processWord('${FOO#x}', vars), 'xyy');
    assert.equal(processWord('${FOO#*x*y}', vars), 'y');
    assert.equal(processWord('${FOO#*}', vars), 'xxyy');
    assert.equal(processWord('${FOO##*x}', vars), 'yy');
    assert.equal(processWord('${FOO##}', vars), 'xxyy');
    assert.equal(processWord('${FOO#$NOPE}', vars), 'xxyy');
    assert.equal(processWord('${FOO#?\\?}', env({ FOO: '???y' })), '?y');
    assert.equal(processWord('${FOO#()[]{\\}^$.\\*\\?|\\\\}', env({ FOO: '()[]{}^$.*?|\\x' })), 'x');
    assert.equal(processWord('${NOPE#x}', vars), '');
  });

  it('trims suffixes with % and %%', () => {
    assert.equal(processWord('${FOO%y}', vars), 'xxy');
    assert.equal(processWord('${FOO%y*}', vars), 'xxy');
    assert.equal(processWord('${FOO%%y*}', vars), 'xx');
    assert.equal(processWord('${FOO%%\\**}', env({ FOO: 'xx**' })), 'xx');
    assert.equal(processWord('${FOO%%\\**\\*}', env({ FOO: 'a***yy*' })), 'a');
    assert.equal(processWord('${F%.*}', env({ F: 'archive.tar.gz' })), 'archive.tar');
    assert.equal(processWord('${F%%.*}', env({ F: 'archive.tar.gz' })), 'archive');
    assert.equal(processWord('${ABC:-.}${FOO%x}${ABC:-.}', vars), '.xxyy.');
  });

  it('treats ? and * as not matching newlines, like Go regexp', () => {
    assert.equal(processWord('${V#*b}', env({ V: 'a\nb' })), 'a\nb');
    assert.equal(processWord('${V#*b}', env({ V: 'a\rb' })), '');
  });

  it('rejects invalid escapes in patterns', () => {
    const err = expandError(() => processWord('x${FOO#\\x}', vars));
    assert.match(err.message, /invalid escape '\\x'/);
    assert.equal(err.offset, 1);
  });

  it('replaces the first or every match with / and //', () => {
    assert.equal(processWord('${PATHY/\\/tmp/} - ${PATHY//\\/tmp/}', vars), '/tmp/bar.txt - /bar.txt');
    // The replacement keeps its backslashes, so an escaped '/' stays escaped.
    assert.equal(processWord('${U/http:\\/\\//https:\\/\\/}', env({ U: 'http://google.de' })), 'https:\\/\\/google.de');
    assert.equal(processWord('${U/http:\\/\\//$R}', env({ U: 'http://google.de', R: 'https://' })), 'https://google.de');
    assert.equal(processWord('${P//\\//\\/}', env({ P: '/tmp/foo.txt' })), '\\/tmp\\/foo.txt');
    assert.equal(
      processWord('${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', env({ FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' })),
      '/foo.*/*.txt - /foo..*.txt',
    );
    assert.equal(processWord('${FOO/$NOPE/ww}', vars), 'wwxxyy');
    assert.equal(processWord('${FOO///}', vars), 'xxyy');
    assert.equal(processWord('${NOPE///}', vars), '');
  });

  it('skips empty matches next to a previous match, like Go ReplaceAll', () => {
    assert.equal(processWord('${V//*/-}', env({ V: 'abc' })), '-');
    assert.equal(processWord('${V//*/-}', env({ V: 'a\nb' })), '-\n-');
    assert.equal(processWord('${EMPTY//*/-}', vars), '-');
    // Shell '*' is "anything", so a* is 'a' followed by the rest.
    assert.equal(processWord('${V//a*/-}', env({ V: 'baaac' })), 'b-');
  });

  it('treats a // replacement as a Go template but a / replacement literally', () => {
    assert.equal(processWord('${FOO//y/<\\$0>}', vars), 'xx<\\y><\\y>');
    assert.equal(processWord('${FOO/y/<\\$0>}', vars), 'xx<\\$0>y');
    assert.equal(processWord('${FOO//x/\\$1\\$\\$}', vars), '\\\\$\\$\\\\$\\$yy');
  });

  it('reports an unterminated replacement', () => {
    let err = expandError(() => processWord('${FOO//ww}', vars));
    assert.equal(err.message, "missing '/' in ${}");
    err = expandError(() => processWord('${FOO/a/b', vars));
    assert.equal(err.message, "missing '}'");
  });

  it('removes quotes and processes escapes', () => {
    assert.equal(processWord(`'$A b'`, vars), '$A b');
    assert.equal(processWord(`"$A b"`, vars), '1 b');
    assert.equal(processWord(`a'b'"c"`, vars), 'abc');
    assert.equal(processWord(`\\$A`, vars), '$A');
    assert.equal(processWord(`\\'x\\'`, vars), "'x'");
    assert.equal(processWord(`a\\ b`, vars), 'a b');
    assert.equal(processWord(`'a\\b'`, vars), 'a\\b');
  });

  it('escapes only " $ and \\ inside double quotes', () => {
    assert.equal(processWord(`"\\"\\$A\\\\"`, vars), '"$A\\');
    assert.equal(processWord(`"\\x\\'"`, vars), "\\x\\'");
  });

  it('drops a trailing backslash, as Go does', () => {
    assert.equal(processWord('abc\\', vars), 'abc');
  });

  it('ignores a leading byte-order mark, as Go text/scanner does', () => {
    assert.equal(processWord('\ufeff$A', vars), '1');
    assert.equal(processWord('x\ufeff', vars), 'x\ufeff');
  });

  it('reports unterminated quotes at the opening quote', () => {
    let err = expandError(() => processWord(`ab 'cd`, vars));
    assert.equal(err.message, 'unterminated quote');
    assert.equal(err.offset, 3);
    err = expandError(() => processWord(`x"y\\"`, vars));
    assert.equal(err.message, 'unterminated quote');
    assert.equal(err.offset, 1);
    err = expandError(() => processWord(`"abc\\`, vars));
    assert.equal(err.offset, 0);
  });

  it("reports a missing '}' at the $", () => {
    for (const text of ['${', '${A', '${A:', '${A:-x', '${A:-"x}"', 'ok ${A:-${B}']) {
      const err = expandError(() => processWord(text, vars));
      assert.equal(err.message, "missing '}'", text);
      assert.equal(err.offset, text.indexOf('$'), text);
    }
  });

  it('reports bad substitutions', () => {
    for (const text of ['${}', '${:}', '${:-x}', '${{A}}']) {
      const err = expandError(() => processWord(`a${text}`, vars));
      assert.equal(err.message, 'bad substitution', text);
      assert.equal(err.offset, 1, text);
    }
  });

  it('rejects unsupported modifiers', () => {
    for (const [text, mod] of [['${A=x}', '='], ['${A:=x}', ':='], ['${A x}', ' '], ['${1a}', 'a'], ['${A:}b}', ':}']]) {
      const err = expandError(() => processWord(text!, vars));
      assert.equal(err.message, `unsupported modifier (${mod}) in substitution`, text);
      assert.equal(err.offset, 0);
    }
  });
});

describe('processWords', () => {
  it('splits on unquoted whitespace', () => {
    assert.deepEqual(processWords('a b\tc  d', vars), ['a', 'b', 'c', 'd']);
    assert.deepEqual(processWords('  lead  ', vars), ['lead']);
    assert.deepEqual(processWords('', vars), []);
  });

  it('keeps quoted and escaped whitespace', () => {
    assert.deepEqual(processWords(`"a b" 'c d' e\\ f`, vars), ['a b', 'c d', 'e f']);
    assert.deepEqual(processWords(`x"y z"w`, vars), ['xy zw']);
  });

  it('splits whitespace coming from unquoted expansions', () => {
    assert.deepEqual(processWords('x$SP y', vars), ['x', 'a', 'b', 'y']);
    assert.deepEqual(processWords('"$SP"', vars), [' a  b ']);
    assert.deepEqual(processWords('${NOPE:-p q}', vars), ['p', 'q']);
  });

  it('splits on any Unicode space, like Go', () => {
    assert.deepEqual(processWords('a\u00a0b\u3000c\nd', vars), ['a', 'b', 'c', 'd']);
    assert.deepEqual(processWords('a\ufeffb', vars), ['a\ufeffb']);
  });

  it('drops words that are empty, even when quoted (Go behaviour)', () => {
    assert.deepEqual(processWords('""', vars), []);
    assert.deepEqual(processWords(`a "" '' b`, vars), ['a', 'b']);
    assert.deepEqual(processWords('$NOPE x $EMPTY', vars), ['x']);
  });

  it('propagates errors', () => {
    const err = expandError(() => processWords('a "b', vars));
    assert.equal(err.offset, 2);
  });
});

describe('expandStepName (BuildKit v0.11.6 step names)', () => {
  const a = env({ A: '/x/y' });

  it('keeps quotes but resolves escapes, inside quotes only before " $ and \\', () => {
    assert.equal(expandStepName(`echo "{\\"k\\": \\"$A\\"}\\n" \\$A`, a, true), `echo "{"k": "/x/y"}\\n" $A`);
  });

  it('refuses the #, % and / forms v0.11 lacks', () => {
    for (const t of ['${A#/}', '${A%y}', '${A/x/z}']) assert.throws(() => expandStepName(t, a, true), ExpandError, t);
  });

  it('keeps an unset variable as written only when asked (RUN)', () => {
    assert.equal(expandStepName('$B ${B} ${B:-d} $A', a, true), '$B ${B} ${B:-d} /x/y');
    assert.equal(expandStepName('$B ${B} ${B:-d} $A', a, false), '  d /x/y');
  });
});

describe('expandRaw', () => {
  const a = env({ A: '1' });

  it('expands the reference RUN line keeping quotes and escapes', () => {
    assert.equal(expandRaw(`echo $A "\${A}" '$A' \\$A \${B:-x y}`, a), `echo 1 "1" '$A' \\$A x y`);
  });

  it('keeps quotes and backslashes verbatim', () => {
    assert.equal(expandRaw(`"a b"`, a), `"a b"`);
    assert.equal(expandRaw(`e\\ f`, a), `e\\ f`);
    assert.equal(expandRaw(`'$HOME'`, a), `'$HOME'`);
    assert.equal(expandRaw(`\\$HOME`, a), `\\$HOME`);
    assert.equal(expandRaw(`"\\"$A\\$A\\\\"`, a), `"\\"1\\$A\\\\"`);
    assert.equal(expandRaw(`x\\`, a), `x\\`);
  });

  it('doubles a backslash before an ordinary character in double quotes (Go quirk)', () => {
    assert.equal(expandRaw(`"a\\nb"`, a), `"a\\\\nb"`);
  });

  it('inserts expanded values as-is', () => {
    assert.equal(expandRaw('echo $V', env({ V: `"q" 'r' \\s` })), `echo "q" 'r' \\s`);
  });

  it('keeps quotes but removes escapes inside ${V:-word} (Go quirk)', () => {
    assert.equal(expandRaw(`\${B:-"x y"}`, a), `"x y"`);
    assert.equal(expandRaw(`\${B:-x\\ y}`, a), `x y`);
    assert.equal(expandRaw(`\${A:+'$A'}`, a), `'$A'`);
  });

  it('keeps escapes in # and / patterns', () => {
    assert.equal(expandRaw('${P#\\/}', env({ P: '/x' })), 'x');
    assert.equal(expandRaw('${P//\\//-}', env({ P: '/a/b' })), '-a-b');
  });

  it('reports the same errors', () => {
    let err = expandError(() => expandRaw(`echo "abc`, a));
    assert.equal(err.message, 'unterminated quote');
    assert.equal(err.offset, 5);
    err = expandError(() => expandRaw('${B:?need B}', a));
    assert.equal(err.message, 'B: need B');
  });
});

describe('large inputs', () => {
  it('processes a megabyte without recursion or quadratic time', () => {
    const t0 = Date.now();
    const text = 'ab $A "c$A" \'d\' \\e '.repeat(50_000);
    const words = processWords(text, vars);
    assert.equal(words.length, 250_000);
    assert.deepEqual(words.slice(0, 5), ['ab', '1', 'c1', 'd', 'e']);
    assert.equal(processWord(text, vars).length, text.length - 50_000 * 7);
    assert.equal(expandRaw(text, vars).length, text.length - 50_000 * 2);

    const quoted = `"${'x'.repeat(1_000_000)}"`;
    assert.equal(processWord(quoted, vars).length, 1_000_000);
    assert.equal(processWord(`'${'y'.repeat(1_000_000)}'`, vars).length, 1_000_000);
    assert.ok(Date.now() - t0 < 10_000, 'expansion took too long');
  });
});
