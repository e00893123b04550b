import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instructionNames } from '../../src/syntax/instructions.js';
import { tmLanguageWithKeywords } from '../../src/syntax/reference.js';
import { repoRoot } from '../helpers.js';

interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, Rule & { name?: string }>;
  beginCaptures?: Record<string, Rule>;
  endCaptures?: Record<string, Rule>;
}

const committed = readFileSync(join(repoRoot, 'grammar', 'llbc.tmLanguage.json'), 'utf8');
const grammar = JSON.parse(committed) as Rule & {
  scopeName: string;
  fileTypes: string[];
  repository: Record<string, Rule>;
};

function* rules(rule: Rule): Generator<Rule> {
  yield rule;
  for (const r of rule.patterns ?? []) yield* rules(r);
  for (const caps of [rule.captures, rule.beginCaptures, rule.endCaptures]) for (const c of Object.values(caps ?? {})) yield* rules(c);
}

const all = [...rules(grammar), ...Object.values(grammar.repository).flatMap((r) => [...rules(r)])];

/** Oniguruma's `(?i:...)` and `\A` have no JavaScript spelling; the rest of what the grammar uses is the same. */
function jsRegExp(source: string): RegExp {
  const caseless = source.includes('(?i:');
  return new RegExp(source.replaceAll('(?i:', '(?:').replaceAll('\\A', '^'), caseless ? 'im' : 'm');
}

test('the TextMate grammar names its scope and the .llb file type', () => {
  assert.equal(grammar.scopeName, 'source.llbc');
  assert.deepEqual(grammar.fileTypes, ['llb']);
});

test('every include names a rule of the repository, and every regex compiles', () => {
  for (const r of all) {
    if (r.include) assert.ok(r.include.startsWith('#') && grammar.repository[r.include.slice(1)], `unknown include ${r.include}`);
    for (const re of [r.match, r.begin, r.end]) if (re !== undefined) assert.doesNotThrow(() => jsRegExp(re), re);
  }
});

test('the grammar knows every instruction, in any case, and the directive, comment and flag forms', () => {
  const keyword = (line: string) => ['from', 'instruction'].some((k) => jsRegExp(grammar.repository[k].begin!).test(line));
  for (const name of instructionNames) {
    assert.ok(keyword(`${name} x`), name);
    assert.ok(keyword(`  ${name.toLowerCase()}\tx`), name.toLowerCase());
  }
  assert.ok(!keyword('RUNX y'));
  assert.match('#COPY = file', jsRegExp(grammar.repository.directives.patterns![0].match!));
  assert.match('   # a comment', jsRegExp(grammar.repository['comment-line'].match!));
  assert.match('--mount=type=cache,target=/x', jsRegExp(grammar.repository.flag.match!));
  assert.match('\\   \n', jsRegExp(grammar.repository.continuation.match!));
});

test('the keyword regexes are generated from the instruction table (run `npm run grammar`)', () => {
  assert.equal(committed, tmLanguageWithKeywords(committed));
});

test('a heredoc instruction is its line, then body lines up to the terminator named on it', () => {
  const rule = grammar.repository['heredoc-instruction'];
  const begin = jsRegExp(rule.begin!);
  const delimiter = (line: string) => begin.exec(line)?.[3];
  assert.equal(delimiter('RUN <<EOF'), 'EOF');
  assert.equal(delimiter("copy --chmod=755 <<-'END' /x"), 'END');
  assert.equal(delimiter('RUN python3 <<"PY" && true'), 'PY');
  assert.equal(delimiter('ADD 3<<EOF /x'), 'EOF');
  assert.equal(delimiter('RUN echo a<<b'), undefined);
  assert.equal(delimiter('ENV A <<EOF'), undefined);
  // The end pattern refers to the delimiter the begin pattern captured (TextMate's back-reference).
  const end = (name: string) => jsRegExp(rule.end!.replace('\\3', name));
  assert.match('EOF', end('EOF'));
  assert.match('\t\tEOF', end('EOF'));
  assert.doesNotMatch(' EOF', end('EOF'));
  assert.equal((rule.patterns!.at(-1) as { name?: string }).name, 'string.unquoted.heredoc.llbc');
  // It comes before the plain instruction rule, which would end at the first line end.
  const top = grammar.patterns!.map((p) => p.include);
  assert.ok(top.indexOf('#heredoc-instruction') >= 0 && top.indexOf('#heredoc-instruction') < top.indexOf('#instruction'));
});
