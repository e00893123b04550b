import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { expandRaw, processWord } from '../../src/syntax/expand.js';
import { params } from './arbitraries.js';

// `${V#pattern}` and friends match shell patterns with an automaton that runs in linear time.
// The oracle here is the translation to a JS RegExp that llbc used before (and that mirrors
// Go's convertShellPatternToRegex), which backtracks but agrees with Go on small inputs.

function oracleRegExp(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const any = '[^\\n]';
  const cps = Array.from(pattern);
  let i = cps[0] === '\ufeff' ? 1 : 0;
  let out = anchored ? '^' : '';
  while (i < cps.length) {
    let tok = cps[i++];
    if (tok === '*') {
      out += greedy ? `${any}*` : `${any}*?`;
      continue;
    }
    if (tok === '?') {
      out += any;
      continue;
    }
    if (tok === '\\') {
      if (cps[i] === '}' || cps[i] === '/') continue;
      out += '\\';
      tok = cps[i++];
    } else if ('[]{}.+()|^$'.includes(tok)) {
      out += '\\';
    }
    out += tok;
  }
  return new RegExp(out, 'gu');
}

function reversePattern(pattern: string): string {
  const cps = Array.from(pattern);
  const last = cps.length - 1;
  const out = new Array<string>(cps.length);
  for (let i = 0; i <= last; ) {
    if (cps[i] === '\\' && i !== last) {
      out[last - i - 1] = cps[i];
      out[last - i] = cps[i + 1];
      i += 2;
    } else {
      out[last - i] = cps[i];
      i++;
    }
  }
  return out.join('');
}

const reverse = (s: string) => Array.from(s).reverse().join('');

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = oracleRegExp(pattern, greedy, true).exec(value);
  return m ? value.slice(m.index + m[0].length) : value;
}

function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

function replace(pattern: string, value: string, replacement: string, all: boolean): string {
  const re = oracleRegExp(pattern, true, false);
  if (!all) {
    const m = re.exec(value);
    return m ? value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length) : value;
  }
  // Go's ReplaceAllString: an empty match right after the previous match is skipped.
  let out = '';
  let lastEnd = 0;
  let search = 0;
  while (search <= value.length) {
    re.lastIndex = search;
    const m = re.exec(value);
    if (!m) break;
    const a0 = m.index;
    const a1 = a0 + m[0].length;
    out += value.slice(lastEnd, a0);
    if (a1 > lastEnd || a0 === 0) out += replacement;
    lastEnd = a1;
    const width = search < value.length ? String.fromCodePoint(value.codePointAt(search)!).length : 0;
    if (search + width > a1) search += width;
    else if (search + 1 > a1) search++;
    else search = a1;
  }
  return out + value.slice(lastEnd);
}

const value = fc.array(fc.constantFrom('a', 'b', 'ab', '\n', '\r', 'é', '\u{1F600}', '*', '?'), { maxLength: 12 }).map((p) => p.join(''));
const pattern = fc.array(fc.constantFrom('a', 'b', '*', '*', '?', '\\*', '\\?', '\\\\', 'é', '\u{1F600}', '.', '('), { maxLength: 7 }).map((p) => p.join(''));
const replacement = fc.constantFrom('', 'x', 'yy');

test('pattern removal and replacement agree with the backtracking regexp they replaced', () => {
  fc.assert(
    fc.property(value, pattern, replacement, (v, p, r) => {
      const lookup = (name: string) => (name === 'V' ? v : undefined);
      const expand = (op: string) => processWord(`\${V${op}}`, lookup);
      assert.equal(expand(`#${p}`), trimPrefix(p, v, false), `\${V#${p}} of ${JSON.stringify(v)}`);
      assert.equal(expand(`##${p}`), trimPrefix(p, v, true), `\${V##${p}} of ${JSON.stringify(v)}`);
      assert.equal(expand(`%${p}`), trimSuffix(p, v, false), `\${V%${p}} of ${JSON.stringify(v)}`);
      assert.equal(expand(`%%${p}`), trimSuffix(p, v, true), `\${V%%${p}} of ${JSON.stringify(v)}`);
      // `${V//}` is the all form with a missing `/`, not an empty pattern.
      if (p === '') return;
      assert.equal(expand(`/${p}/${r}`), replace(p, v, r, false), `\${V/${p}/${r}} of ${JSON.stringify(v)}`);
      assert.equal(expand(`//${p}/${r}`), replace(p, v, r, true), `\${V//${p}/${r}} of ${JSON.stringify(v)}`);
    }),
    params(3000),
  );
});

test('a pattern that would make a regexp backtrack for ages matches in linear time', () => {
  const v = 'a'.repeat(5000);
  const lookup = (name: string) => (name === 'V' ? v : undefined);
  const started = performance.now();
  assert.equal(processWord(`\${V#${'*a'.repeat(50)}b}`, lookup), v);
  assert.equal(processWord(`\${V//${'a*'.repeat(50)}b/x}`, lookup), v);
  assert.equal(processWord(`\${V%%${'*'.repeat(100_000)}}`, lookup), '');
  assert.ok(performance.now() - started < 5000);
});

test('words with nothing to expand come back as they are, as the lexer would return them', () => {
  // An empty quoted string expands to nothing, and makes the lexer read the word.
  const plain = fc.string({ unit: fc.constantFrom('a', '/', '-', '.', ' ', '\t', '*', '{', '}', '#', '=', '\u00e9', '\ud83d') });
  const lookup = () => 'X';
  fc.assert(
    fc.property(plain, (text) => {
      assert.equal(processWord(text, lookup), text);
      assert.equal(processWord(`${text}""`, lookup), text);
      assert.equal(expandRaw(`${text}""`, lookup), `${text}""`);
      assert.equal(expandRaw(text, lookup), text);
    }),
    params(500),
  );
});
