import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { compile, type CompileOptions } from '../../src/compile.js';
import { decodeSource, isDiagnostic, renderDiagnostic, SourceFile } from '../../src/diagnostics.js';
import { checkGrammar } from '../../src/syntax/grammar.js';
import { parse } from '../../src/syntax/parser.js';
import { fixturesDir, runCli } from '../helpers.js';
import { params, seed } from './arbitraries.js';

// Whatever a person (or a fuzzer) types, llbc ends in a Definition or in a clean diagnostic:
// never an internal error, a stack trace or a hang. Most cases run in-process; a sample runs
// through the real CLI to check exit statuses and output streams.

/** Every build file in fixtures/, as mutation seeds. */
const fixtures: string[] = (() => {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.llb')) out.push(readFileSync(join(dir, e.name), 'utf8'));
    }
  };
  walk(fixturesDir);
  return out.sort();
})();

const plain = new Chalk({ level: 0 });
/**
 * A hang guard, not a timing: every case here takes milliseconds (the megabyte ones, a second),
 * while a catastrophic regexp or a quadratic loop takes minutes.
 */
const slow = 30_000;

/** Compiles text or bytes in-process; any throw but a Diagnostic fails the test (the CLI would exit 2). */
function attempt(input: string | Uint8Array, options: CompileOptions = {}): 'ok' | 'diagnostic' {
  const started = performance.now();
  try {
    const source = typeof input === 'string' ? new SourceFile('fuzz.llb', input) : decodeSource('fuzz.llb', input);
    const { bytes } = compile(source, options);
    assert.ok(bytes.length > 0, 'a successful compile wrote nothing');
    return 'ok';
  } catch (e) {
    if (!isDiagnostic(e)) {
      const shown = typeof input === 'string' ? input.slice(0, 300) : Buffer.from(input.subarray(0, 300)).toString('hex');
      throw new Error(`internal error (exit 2) on ${JSON.stringify(shown)}: ${(e as Error)?.stack ?? String(e)}`);
    }
    if (e.file) assert.ok(e.offset >= 0 && e.offset <= e.file.text.length, `diagnostic offset ${e.offset} outside the file`);
    const rendered = renderDiagnostic(e, plain);
    assert.match(rendered, /error: /);
    assert.doesNotMatch(rendered, /\n {4}at /);
    return 'diagnostic';
  } finally {
    const took = performance.now() - started;
    assert.ok(took < slow, `took ${Math.round(took)} ms`);
  }
}

const fragments = [
  '"', "'", '\\', '\\\n', '\\ \n', '$', '${', '}', '${A:-', '${A/', '${A#*', '#', '# c\n', '\n', '\r', '\r\n', '\t', ' ', '\0',
  '[', ']', '["a", ', '[]', '--bogus ', '--mount=type=nope ', '--mount=', '--mount=type=cache ', '--from=', '--from=0 ', '--from=s9 ',
  '--platform=bad ', '--chmod=999 ', '--chown=: ', '--network=x ', '=', ',', 'FROM ', 'from ', 'RUN ', 'COPY ', 'ADD ', 'ENV ', 'ARG ',
  'WORKDIR ', 'USER ', 'CMD ', 'AS ', ' AS s0', 'scratch', 'alpine', 'Alpine', 'a@sha256:', '\u2028', '\ufeff', '\u{1F600}', '\uD800',
  'é', '*', '?', '%', ':', '..', '/', 'type=secret,', 'target=/', 'size=1e9', '${A:?boom}', '$(x)', '`', 'https://', 'git@h:r.git',
];

const fragment = fc.constantFrom(...fragments);

/**
 * Strings made of the language's own pieces, which reach far deeper than random characters,
 * often after a valid start so that they get past the first line.
 */
const soup = fc
  .tuple(
    fc.constantFrom('', 'FROM alpine\n', 'FROM alpine\nRUN ', 'FROM alpine AS s0\nCOPY ', 'FROM scratch\nENV A=1\nRUN ', 'ARG A=1\nFROM $A\nADD '),
    fc.array(fc.oneof({ weight: 3, arbitrary: fragment }, fc.string({ maxLength: 4 })), { maxLength: 60 }),
  )
  .map(([start, parts]) => start + parts.join(''));

type Mutation = (text: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((at): Mutation => (t) => t.slice(0, at % (t.length + 1))),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([at, n]): Mutation => (t) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + t.slice(i + n);
  }),
  fc.tuple(fc.nat(), fc.array(fragment, { minLength: 1, maxLength: 3 })).map(([at, fs]): Mutation => (t) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + fs.join('') + t.slice(i);
  }),
  fc.tuple(fc.nat(), fragment).map(([at, f]): Mutation => (t) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + f + t.slice(i + 1);
  }),
  fc.nat().map((at): Mutation => (t) => {
    const lines = t.split('\n');
    const i = at % lines.length;
    return [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join('\n');
  }),
  fc.nat().map((at): Mutation => (t) => {
    // A truncated line: the rest of the line after a random point is lost.
    const i = at % (t.length + 1);
    const end = t.indexOf('\n', i);
    return end < 0 ? t.slice(0, i) : t.slice(0, i) + t.slice(end);
  }),
);

const mutated = fc.tuple(fc.constantFrom(...fixtures), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([text, ms]) => ms.reduce((t, m) => m(t), text));

/** Bytes that are not UTF-8, spliced into a fixture. */
const badBytes = fc
  .tuple(fc.constantFrom(...fixtures), fc.nat(), fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]))
  .map(([text, at, bad]) => {
    const bytes = Buffer.from(text, 'utf8');
    const i = at % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, i), Buffer.from(bad), bytes.subarray(i)]);
  });

const someOptions = fc.record({ debugInfo: fc.boolean(), copyMode: fc.constantFrom(undefined, 'exec' as const, 'file' as const) });

test('random bytes end in a Definition or a diagnostic', { timeout: 120_000 }, () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void attempt(bytes)), params(300));
});

test('strings of the language\'s own pieces end in a Definition or a diagnostic', { timeout: 120_000 }, () => {
  fc.assert(fc.property(soup, someOptions, (text, opts) => void attempt(text, opts)), params(1500));
});

test('mutated fixtures end in a Definition or a diagnostic', { timeout: 120_000 }, () => {
  let ok = 0;
  fc.assert(
    fc.property(mutated, someOptions, (text, opts) => {
      if (attempt(text, opts) === 'ok') ok++;
    }),
    params(1500),
  );
  // Some mutations leave a valid file: the property is not just "everything fails".
  assert.ok(ok > 0);
});

test('invalid UTF-8 is a diagnostic', { timeout: 120_000 }, () => {
  fc.assert(fc.property(badBytes, (bytes) => assert.equal(attempt(bytes), 'diagnostic')), params(200));
});

test('the grammar accepts every token stream the lexer produces', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.oneof(soup, mutated), (text) => {
      const source = new SourceFile('fuzz.llb', text);
      let tree;
      try {
        tree = parse(source);
      } catch (e) {
        if (isDiagnostic(e)) return;
        throw e;
      }
      const checked = checkGrammar(source);
      assert.ok('instructions' in checked, `the grammar rejects ${JSON.stringify(text)}`);
      assert.equal(checked.instructions, tree.items.filter((i) => i.kind === 'instruction').length);
    }),
    params(1500),
  );
});

/** The tree as plain data, bodies included (they are made on demand). */
function treeOf(text: string, pieceSize?: number): unknown {
  try {
    const tree = parse(new SourceFile('fuzz.llb', text), pieceSize);
    return {
      items: tree.items.map((i) =>
        i.kind === 'instruction' ? { name: i.name, keyword: i.keyword, body: i.body, startLine: i.startLine, endLine: i.endLine } : i,
      ),
      directives: [...tree.directives],
    };
  } catch (e) {
    if (isDiagnostic(e)) return { error: e.message, offset: e.offset };
    throw e;
  }
}

test('a file parsed a few bytes at a time gives the same tree as parsed at once', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.oneof(soup, mutated), fc.integer({ min: 1, max: 64 }), (text, pieceSize) => {
      assert.deepEqual(treeOf(text, pieceSize), treeOf(text, 1 << 30));
    }),
    params(1000),
  );
});

test('the first error of a file is reported, whichever piece of it the lexer was reading', () => {
  // The lexer stops at the backslash on line 2, but line 1 names no instruction: that comes first.
  const text = '"# c\n\\\n';
  const whole = treeOf(text, 1 << 30) as { error: string; offset: number };
  assert.deepEqual(whole, treeOf(text, 1));
  assert.equal(whole.offset, 0);
  assert.match(whole.error, /unknown instruction/);
});

/** Inputs that once took quadratic or exponential time, overflowed the stack, or might. */
const mega = 1 << 20;
const pathological: [string, string][] = [
  ['a 1 MB RUN line', `FROM alpine\nRUN echo ${'a'.repeat(mega)}\n`],
  ['a 1 MB unterminated quote', `FROM alpine\nRUN echo "${'a'.repeat(mega)}\n`],
  ['200,000 nested substitutions', `FROM alpine\nENV A=${'${A:-'.repeat(200_000)}\n`],
  ['a 1 MB directive', `# copy=${' '.repeat(mega)}x\nFROM scratch\n`],
  ['a 1 MB comment', `FROM alpine\n#${'#'.repeat(mega)}\n`],
  ['a backtracking pattern', `FROM alpine\nENV A=${'a'.repeat(100)}\nRUN echo \${A#${'*a'.repeat(40)}b} \${A%${'a*'.repeat(40)}b} \${A//${'*a'.repeat(40)}b/x}\n`],
  ['100,000 stars', `FROM alpine\nENV A=${'a'.repeat(1000)}\nRUN echo \${A##${'*'.repeat(100_000)}}\n`],
  ['a 1 MB image name', `FROM ${'a'.repeat(mega)}\n`],
  ['a 1 MB stage name', `FROM alpine AS ${'a'.repeat(mega)}\n`],
  ['a deeply nested JSON form', `FROM alpine\nRUN ["a", ${'['.repeat(500_000)}\n`],
  ['100,000 continuation lines', `FROM alpine\nRUN a${' \\\n b'.repeat(100_000)}\n`],
  ['500,000 escaped blanks', `FROM alpine\nRUN a${'\\ '.repeat(500_000)}\n`],
  ['30,000 COPY sources', `FROM alpine\nCOPY ${'a '.repeat(30_000)}/d/\n`],
  ['300,000 mount options', `FROM alpine\nRUN --mount=${'a,'.repeat(300_000)} true\n`],
  ['a million dollars', `FROM alpine\nRUN echo ${'$'.repeat(mega)}\n`],
  ['200,000 ENV pairs', `FROM alpine\nENV ${'A=1 '.repeat(200_000)}\nRUN true\n`],
  ['a 1 MB ARG name', `ARG ${'A'.repeat(mega)}\nFROM alpine\n`],
  ['a megabyte of newlines', '\n'.repeat(mega)],
  ['a megabyte of backslashes', `FROM alpine\nRUN ${'\\'.repeat(mega)}\n`],
  ['a 1 MB flag', `FROM alpine\nRUN --${'x'.repeat(mega)} true\n`],
];

for (const [name, text] of pathological) {
  test(`${name}: a Definition or a diagnostic, promptly`, { timeout: 60_000 }, () => {
    attempt(text);
    attempt(text, { debugInfo: true, copyMode: 'file' });
  });
}

test('through the CLI: exit 0 with a Definition, or exit 1 with a diagnostic and nothing on stdout', { timeout: 120_000 }, () => {
  const cases: (string | Uint8Array)[] = [
    ...fc.sample(mutated, { seed, numRuns: 10 }),
    ...fc.sample(badBytes, { seed, numRuns: 2 }),
    ...fc.sample(fc.uint8Array({ maxLength: 200 }), { seed, numRuns: 2 }),
    pathological[0][1],
    pathological[2][1],
  ];
  let ok = 0;
  for (const input of cases) {
    const r = runCli(['-'], { stdin: Buffer.from(input) });
    const context = `input ${JSON.stringify(Buffer.from(input).subarray(0, 200).toString('utf8'))}: exit ${r.code}, stderr ${JSON.stringify(r.stderr.slice(0, 500))}`;
    assert.ok(r.code === 0 || r.code === 1, context);
    assert.doesNotMatch(r.stderr, /\n {4}at /, context);
    if (r.code === 0) {
      ok++;
      assert.ok(r.stdout.length > 0, context);
    } else {
      assert.equal(r.stdout.length, 0, context);
      assert.match(r.stderr, /error: /, context);
    }
  }
  assert.ok(ok > 0 && ok < cases.length);
});
