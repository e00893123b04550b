import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { shlexSplit, ShlexError } from '../../src/syntax/shlex.js';

function splitError(input: string): ShlexError {
  try {
    shlexSplit(input);
  } catch (err) {
    assert.ok(err instanceof ShlexError, `expected ShlexError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(input)} to fail`);
}

describe('shlexSplit', () => {
  it('splits the reference printf line', () => {
    assert.deepEqual(shlexSplit(`printf "%s|" "a b" 'c  d' e\\ f "x\\"y" ''`), [
      'printf',
      '%s|',
      'a b',
      'c  d',
      'e f',
      'x"y',
      '',
    ]);
  });

  it('returns no words for empty or blank input', () => {
    assert.deepEqual(shlexSplit(''), []);
    assert.deepEqual(shlexSplit(' \t\r\n  '), []);
  });

  it('separates only on space, tab, CR and LF', () => {
    assert.deepEqual(shlexSplit('a b\tc\rd\ne'), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(shlexSplit('  lead   trail  '), ['lead', 'trail']);
    assert.deepEqual(shlexSplit('a\vb c\fd e\u00a0f'), ['a\vb', 'c\fd', 'e\u00a0f']);
  });

  it('keeps empty quoted words and joins adjacent pieces', () => {
    assert.deepEqual(shlexSplit("''"), ['']);
    assert.deepEqual(shlexSplit('"" ""'), ['', '']);
    assert.deepEqual(shlexSplit('a""b'), ['ab']);
    assert.deepEqual(shlexSplit(`"a"'b'c\\ d`), ['abc d']);
    assert.deepEqual(shlexSplit(`x"y z"w`), ['xy zw']);
  });

  it('treats a backslash outside quotes as escaping any character', () => {
    assert.deepEqual(shlexSplit('e\\ f'), ['e f']);
    assert.deepEqual(shlexSplit('\\\\'), ['\\']);
    assert.deepEqual(shlexSplit('a\\\nb'), ['a\nb']);
    assert.deepEqual(shlexSplit('\\"x\\\''), ['"x\'']);
    assert.deepEqual(shlexSplit('\\n'), ['n']);
    assert.deepEqual(shlexSplit('\\ '), [' ']);
  });

  it('drops the backslash before any character inside double quotes', () => {
    assert.deepEqual(shlexSplit('"x\\"y"'), ['x"y']);
    assert.deepEqual(shlexSplit('"a\\nb"'), ['anb']);
    assert.deepEqual(shlexSplit('"\\\\"'), ['\\']);
    assert.deepEqual(shlexSplit('"\\$HOME"'), ['$HOME']);
    assert.deepEqual(shlexSplit('"\\\'"'), ["'"]);
    assert.deepEqual(shlexSplit('"a \' b"'), ["a ' b"]);
  });

  it('keeps everything literal inside single quotes', () => {
    assert.deepEqual(shlexSplit("'a\\b'"), ['a\\b']);
    assert.deepEqual(shlexSplit(`'a"b'`), ['a"b']);
    assert.deepEqual(shlexSplit("'$HOME #x'"), ['$HOME #x']);
    assert.deepEqual(shlexSplit("'a\nb'"), ['a\nb']);
  });

  it('starts comments only at the beginning of a word', () => {
    assert.deepEqual(shlexSplit('echo #hi'), ['echo']);
    assert.deepEqual(shlexSplit('a#b'), ['a#b']);
    assert.deepEqual(shlexSplit('#'), []);
    assert.deepEqual(shlexSplit('# c\nx y'), ['x', 'y']);
    assert.deepEqual(shlexSplit('a # b "c\nd'), ['a', 'd']);
    assert.deepEqual(shlexSplit('"#"'), ['#']);
    assert.deepEqual(shlexSplit('\\#x'), ['#x']);
    assert.deepEqual(shlexSplit("''#x"), ['#x']);
  });

  it('passes non-ASCII text through unchanged', () => {
    assert.deepEqual(shlexSplit('héllo "wörld 😀" \'日本\''), ['héllo', 'wörld 😀', '日本']);
  });

  it('reports an unterminated double quote at the opening quote', () => {
    const err = splitError('echo "abc');
    assert.equal(err.message, 'unterminated double quote');
    assert.equal(err.offset, 5);
    assert.deepEqual(err.words, ['echo']);
  });

  it('reports an unterminated single quote at the opening quote', () => {
    const err = splitError(`x "a"b'c`);
    assert.equal(err.message, 'unterminated single quote');
    assert.equal(err.offset, 6);
    assert.deepEqual(err.words, ['x']);
  });

  it('reports a trailing backslash at its position', () => {
    const err = splitError('a abc\\');
    assert.equal(err.message, 'unfinished escape at end of input');
    assert.equal(err.offset, 5);
    assert.deepEqual(err.words, ['a']);
    assert.equal(splitError('\\').offset, 0);
  });

  it('reports a trailing backslash inside double quotes as an escape problem', () => {
    const err = splitError('"abc\\');
    assert.equal(err.message, 'unfinished escape at end of input');
    assert.equal(err.offset, 4);
  });

  it('does not fail on an unterminated quote inside a comment', () => {
    assert.deepEqual(shlexSplit('ok # "no closing'), ['ok']);
  });

  it('handles megabyte inputs in linear time', () => {
    const words = 'ab '.repeat(350_000);
    const t0 = Date.now();
    const out = shlexSplit(words);
    assert.equal(out.length, 350_000);
    assert.equal(out[349_999], 'ab');

    const quoted = `"${'x y '.repeat(250_000)}"`;
    const q = shlexSplit(quoted);
    assert.equal(q.length, 1);
    assert.equal(q[0]!.length, 1_000_000);
    assert.ok(Date.now() - t0 < 5000, 'splitting took too long');
  });
});
