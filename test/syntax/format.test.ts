import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { isDiagnostic } from '../../src/diagnostics.js';
import { shellSeparators } from '../../src/syntax/format.js';
import { fixturesDir } from '../helpers.js';
import { allFixtures, commentsOf, compileOutcome, dockerfileFixtures, formatText, styleProblems } from './format-cases.js';
import { blank, comment, instr, lines, Noise, program, render, soupLine, type Line } from './format-gen.js';

const fixtures = allFixtures();

test('the fixture walk finds the conformance cases, their options and the fmt golden files', () => {
  const names = fixtures.map((f) => f.name);
  assert.ok(names.includes(join('conformance', 'core', 'args.llb')));
  assert.ok(names.some((n) => n.startsWith(`fmt${sep}`)));
  const args = fixtures.find((f) => f.name.endsWith(join('core', 'args.llb')))!;
  assert.equal(args.options.buildArgs?.get('VERSION'), 'v1.1.12');
  assert.deepEqual(fixtures.find((f) => f.name.endsWith('platform-arm64.llb'))!.options.platform, { os: 'linux', architecture: 'arm64' });
  assert.equal(fixtures.find((f) => f.name.endsWith(join('core', 'target.llb')))!.options.target, 'b');
});

for (const f of fixtures) {
  test(`fmt ${f.name}: idempotent, same Definition, comments kept, canonical layout`, () => {
    let once: string;
    try {
      once = formatText(f.text, f.name);
    } catch (e) {
      // A fixture with a syntax error: fmt refuses it with compilation's message.
      if (!isDiagnostic(e)) throw e;
      assert.equal(compileOutcome(f.text, f.options), `error ${e.message}`);
      return;
    }
    assert.equal(formatText(once, f.name), once, 'formatting the formatted text changed it');
    assert.equal(compileOutcome(once, f.options), compileOutcome(f.text, f.options), 'the formatted file compiles differently');
    assert.deepEqual(commentsOf(once), commentsOf(f.text));
    assert.deepEqual(styleProblems(once), []);
  });
}

for (const f of dockerfileFixtures()) {
  test(`fmt ${f.name} (Dockerfile mode): idempotent, the same op graph, comments kept, canonical layout`, () => {
    const once = formatText(f.text, 'Dockerfile', 'dockerfile');
    assert.equal(formatText(once, 'Dockerfile', 'dockerfile'), once, 'formatting the formatted text changed it');
    // Without debug info a Definition is its ops: the same bytes are the same op digests.
    assert.equal(compileOutcome(once, f.options), compileOutcome(f.text, f.options), 'the formatted file compiles differently');
    assert.deepEqual(commentsOf(once), commentsOf(f.text));
    assert.deepEqual(styleProblems(once), []);
  });
}

test('every fmt golden file compiles, so its meaning check compares Definitions, not errors', () => {
  const golden = fixtures.filter((f) => f.name.startsWith(`fmt${sep}`));
  assert.ok(golden.length > 0);
  for (const f of golden) assert.match(compileOutcome(f.text, f.options), /^bytes /, f.name);
});

const goldenDir = join(fixturesDir, 'fmt');
const golden = readdirSync(goldenDir).filter((n) => n.endsWith('.llb') && !n.endsWith('.expected.llb')).sort();

test('there are golden files for the formatter', () => {
  assert.ok(golden.length >= 8, `only ${golden.length} golden files`);
});

for (const name of golden) {
  test(`fmt golden ${name}`, () => {
    const input = readFileSync(join(goldenDir, name), 'utf8');
    const expected = readFileSync(join(goldenDir, name.replace(/\.llb$/, '.expected.llb')), 'utf8');
    assert.equal(formatText(input), expected);
    assert.equal(formatText(expected), expected, 'the expected output is not itself formatted');
  });
}

test('the golden inputs cover CRLF, a missing final newline, tabs and trailing blanks', () => {
  const inputs = golden.map((n) => readFileSync(join(goldenDir, n), 'utf8'));
  assert.ok(inputs.some((t) => t.includes('\r\n')));
  assert.ok(inputs.some((t) => !t.endsWith('\n')));
  assert.ok(inputs.some((t) => t.includes('\t')));
  assert.ok(inputs.some((t) => /[ \t]\r?\n/.test(t)));
});

// ---------------------------------------------------------------------------------------------
// Hand-picked cases
// ---------------------------------------------------------------------------------------------

function same(input: string, expected: string) {
  const out = formatText(input);
  assert.equal(out, expected);
  assert.equal(compileOutcome(out), compileOutcome(input));
}

test('an empty file, or one of blank lines, formats to nothing', () => {
  assert.equal(formatText(''), '');
  assert.equal(formatText('\n \n\t\n'), '');
});

test('keywords are upper-cased and `as` in FROM too', () => {
  same('from alpine as Base\nrun echo hi\n', 'FROM alpine AS Base\nRUN echo hi\n');
});

test('a word broken by a continuation is not split', () => {
  same('FROM alpine\nRUN echo ab\\\ncd\n', 'FROM alpine\nRUN echo ab\\\ncd\n');
});

test('blanks inside quotes and after an escape are kept', () => {
  same("FROM alpine\nRUN echo 'a   b'  \"c \t d\"  e\\  f\n", "FROM alpine\nRUN echo 'a   b' \"c \t d\" e\\  f\n");
});

test('blanks inside ${...} are kept: a pattern compares them', () => {
  same('FROM alpine\nARG A="x  y"\nRUN echo ${A/x  y/z}   end\n', 'FROM alpine\nARG A="x  y"\nRUN echo ${A/x  y/z} end\n');
});

test('ENV K V keeps the blanks of its value, ENV K=V does not need to', () => {
  same('FROM alpine\nENV   K   a   b  \nENV  A=1   B=2\n', 'FROM alpine\nENV K a   b\nENV A=1 B=2\n');
});

test('WORKDIR and USER values are the rest of the line', () => {
  same('FROM alpine\nWORKDIR   /a   b\nUSER  x  y\n', 'FROM alpine\nWORKDIR /a   b\nUSER x  y\n');
});

test('COPY and FROM split on blanks whatever the quotes', () => {
  same("FROM   alpine\nCOPY  'a   b'  /c/\n", "FROM alpine\nCOPY 'a b' /c/\n");
});

test('a variable that may hold a quote keeps the blanks after it', () => {
  const input = 'FROM alpine\nARG Q=\\\'\nENV R=${Q}\nRUN echo $R   a   b$R   c\n';
  same(input, input);
});

test('a ${...} operand with quotes may expand to a lone quote: the blanks after it are kept', () => {
  const input = "FROM alpine\nRUN echo ${UNSET:-\\'}   a   b'\n";
  same(input, input);
});

test('flags are sorted, keeping repeated --mount flags in order and line breaks in place', () => {
  same(
    'FROM alpine\nRUN --network=none --mount=type=cache,target=/b \\\n  --security=insecure \\\n  --mount=type=cache,target=/a true\n',
    'FROM alpine\nRUN --mount=type=cache,target=/b --mount=type=cache,target=/a \\\n    --network=none \\\n    --security=insecure true\n',
  );
});

test('flags are not sorted when one is unknown or lacks a value: the same error is reported', () => {
  for (const line of ['RUN --network=none --frob=1 --mount=type=cache,target=/a true', 'COPY --chmod=0755 --from a b']) {
    const input = `FROM alpine\n${line}\n`;
    same(input, input);
    assert.match(compileOutcome(input), /^error /);
  }
});

test('a flag ending in a backslash is not moved to the end of the line, where it would continue it', () => {
  const input = 'FROM alpine AS a\n\nFROM alpine\nCOPY --chmod=0755\\ --from=a\n';
  same(input, input);
});

test('a flag-looking word after the first argument stays an argument', () => {
  same('FROM alpine\nRUN echo --network=none  --mount=x\n', 'FROM alpine\nRUN echo --network=none --mount=x\n');
});

test('a comment directly above FROM stays with it; the blank line goes above the comment', () => {
  same('FROM a AS one\nRUN true\n# two\n# stages\nFROM one\n', 'FROM a AS one\nRUN true\n\n# two\n# stages\nFROM one\n');
});

test('directives stay on top, normalized; a blank line after them is kept but not added', () => {
  same('#COPY =  file \nFROM alpine\n', '# copy=file\nFROM alpine\n');
  same('# copy=file\n\n\nFROM alpine\n', '# copy=file\n\nFROM alpine\n');
});

test('leading blank lines are kept (one) when removing them would make a directive', () => {
  const input = '\n\n# copy=file\nFROM alpine\nCOPY a /b\n';
  same(input, '\n# copy=file\nFROM alpine\nCOPY a /b\n');
  assert.equal(formatText('\n\n# just a note\nFROM alpine\n'), '# just a note\nFROM alpine\n');
});

test('comments inside a continuation are re-indented, and stay in order', () => {
  same(
    'FROM alpine\nRUN echo a \\\n# one\n        # two\n\n  b\n',
    'FROM alpine\nRUN echo a \\\n    # one\n    # two\n    b\n',
  );
});

test('a continuation at the end of the file: its comments become comment lines', () => {
  same('FROM alpine\nRUN true \\\n  # last', 'FROM alpine\nRUN true\n# last\n');
});

test('JSON arrays are reprinted with the same strings', () => {
  same('FROM alpine\nRUN [ "a" ,"b  c","\\u00e9\\"" ]\n', 'FROM alpine\nRUN ["a", "b  c", "\u00e9\\""]\n');
  same('FROM alpine\nRUN []\n', 'FROM alpine\nRUN []\n');
});

test('a JSON array broken inside a string is kept as written', () => {
  const input = 'FROM alpine\nRUN ["echo", "a \\\n   b"]\n';
  same(input, input);
});

test('text that is not a valid JSON array keeps its blanks', () => {
  const input = 'FROM alpine\nCOPY [ "a  b" , "c" ]  /d/\n';
  same(input, input);
});

test('shell separators: only plain blanks outside quotes, escapes and ${...}', () => {
  const text = `a 'b c' "d e" f\\ g \${h:-i j} k`;
  const plain = shellSeparators(text, new Set());
  const marked = [...text].map((c, i) => (c === ' ' && plain[i] ? '_' : c === ' ' ? '.' : c)).join('');
  assert.equal(marked, `a_'b.c'_"d.e"_f\\.g_\${h:-i.j}_k`);
  const tainted = shellSeparators('a $Q b', new Set(['Q']));
  assert.deepEqual([...tainted], [1, 1, 0, 0, 0, 0]);
});

test('heredoc bodies are written byte for byte, tabs of <<- and blanks included', () => {
  const body = '\t\techo  a   b  \n\n\n  # not a comment\r\nFROM x\n\tEOF\n';
  const text = `from alpine\nrun   <<-EOF   cat  -\n${body}copy  <<A  <<'B'   /x/\n\ta \nA\n\nB`;
  for (const mode of ['llbc', 'dockerfile'] as const) {
    assert.equal(formatText(text, 'build.llb', mode), `FROM alpine\nRUN <<-EOF   cat  -\n${body}COPY <<A <<'B' /x/\n\ta \nA\n\nB\n`);
  }
});

test('Dockerfile mode keeps the blanks of a shell-form RUN, which its shell reads; llbc mode folds them', () => {
  const text = 'FROM alpine\nRUN  --network=none   echo  a \\\n      b\n';
  assert.equal(formatText(text, 'Dockerfile', 'dockerfile'), 'FROM alpine\nRUN --network=none echo  a \\\n      b\n');
  assert.equal(formatText(text, 'build.llb', 'llbc'), 'FROM alpine\nRUN --network=none echo a \\\n    b\n');
  assert.equal(compileOutcome(formatText(text, 'Dockerfile', 'dockerfile'), { mode: 'dockerfile' }), compileOutcome(text, { mode: 'dockerfile' }));
});

test('with a backtick escape, continuations are written with it', () => {
  const text = '# escape=`\nFROM alpine\nCOPY a\\b.txt `\n   /c\\d/\nRUN echo `\n  one\n';
  const once = formatText(text, 'Dockerfile', 'dockerfile');
  assert.equal(once, '# escape=`\nFROM alpine\nCOPY a\\b.txt `\n    /c\\d/\nRUN echo `\n  one\n');
  for (const mode of ['llbc', 'dockerfile'] as const) assert.equal(compileOutcome(formatText(text, 'x', mode), { mode }), compileOutcome(text, { mode }));
});

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

// Fixed seeds keep the suite repeatable; LLBC_FMT_RUNS and LLBC_FMT_SEED run a longer hunt.
// LLBC_FMT_PATH replays one failure that fast-check reported.
const stress = process.env.LLBC_FMT_RUNS
  ? { numRuns: Number(process.env.LLBC_FMT_RUNS), seed: Number(process.env.LLBC_FMT_SEED ?? Date.now()), path: process.env.LLBC_FMT_PATH }
  : undefined;
const propertyRuns = stress ?? { seed: 20241123, numRuns: 300 };

test('property: generated programs format idempotently, compile the same, keep comments and layout rules', () => {
  let compiled = 0;
  let runs = 0;
  fc.assert(
    fc.property(program, fc.array(fc.nat(20), { maxLength: 40 }), (p, values) => {
      const text = render(lines(p), new Noise(values));
      const once = formatText(text);
      const context = `input ${JSON.stringify(text)}, formatted ${JSON.stringify(once)}`;
      assert.equal(formatText(once), once, context);
      const before = compileOutcome(text);
      assert.equal(compileOutcome(once), before, context);
      assert.deepEqual(commentsOf(once), commentsOf(text), context);
      assert.deepEqual(styleProblems(once), [], context);
      runs++;
      if (before.startsWith('bytes ')) compiled++;
    }),
    propertyRuns,
  );
  // The generator aims at valid programs: the byte-for-byte comparison must be doing the work.
  assert.ok(compiled >= runs * 0.9, `only ${compiled} of ${runs} generated programs compiled`);
});

test('property: generated programs in Dockerfile mode, heredocs included, format idempotently and compile the same', () => {
  let compiled = 0;
  let runs = 0;
  const dockerfile = { mode: 'dockerfile' } as const;
  fc.assert(
    fc.property(program, fc.array(fc.nat(20), { maxLength: 40 }), (p, values) => {
      // v0.11.6's frontend refuses RUN --security: leave it out, so that the files compile.
      const ls = lines(p).map((l) => (l.kind === 'instruction' ? { ...l, words: l.words.filter((w) => w !== '--security=insecure') } : l));
      const text = render(ls, new Noise(values));
      const once = formatText(text, 'Dockerfile', 'dockerfile');
      const context = `input ${JSON.stringify(text)}, formatted ${JSON.stringify(once)}`;
      assert.equal(formatText(once, 'Dockerfile', 'dockerfile'), once, context);
      const before = compileOutcome(text, dockerfile);
      assert.equal(compileOutcome(once, dockerfile), before, context);
      assert.deepEqual(commentsOf(once), commentsOf(text), context);
      assert.deepEqual(styleProblems(once), [], context);
      runs++;
      if (before.startsWith('bytes ')) compiled++;
    }),
    stress ?? { seed: 20261206, numRuns: 200 },
  );
  assert.ok(compiled >= runs * 0.9, `only ${compiled} of ${runs} generated programs compiled`);
});

test('property: arbitrary text formats idempotently and compiles to the same bytes or the same error', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(comment, blank), { maxLength: 3 }), fc.array(soupLine, { maxLength: 6 }), fc.array(fc.nat(20), { maxLength: 40 }), (top, body, values) => {
      // Comment and blank lines first: directives, and `# key=value` lines that are not directives.
      const ls: Line[] = [...top.flat(), instr('ARG', ['Q=\\\'']), instr('FROM', ['alpine']), instr('ARG', ['Q']), ...body.flat(), instr('COPY', ['a', '/b'])];
      const text = render(ls, new Noise(values));
      const once = formatText(text);
      const context = `input ${JSON.stringify(text)}, formatted ${JSON.stringify(once)}`;
      assert.equal(formatText(once), once, context);
      assert.equal(compileOutcome(once), compileOutcome(text), context);
      assert.deepEqual(commentsOf(once), commentsOf(text), context);
    }),
    stress ?? { seed: 7, numRuns: 400 },
  );
});
