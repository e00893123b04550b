import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import { Diagnostic, renderDiagnostic, SourceFile } from '../../src/diagnostics.js';
import { instructionHeredocs, LogicalText } from '../../src/syntax/args.js';
import type { BuildFile, Instruction } from '../../src/syntax/cst.js';
import { checkGrammar } from '../../src/syntax/grammar.js';
import { parse } from '../../src/syntax/parser.js';

// Heredocs and the escape directive in the syntax tree: bodies are part of their instruction,
// with exact locations, never instructions of their own.

const parseText = (text: string, pieceSize?: number): BuildFile => parse(new SourceFile('Dockerfile', text), pieceSize);
const instructions = (file: BuildFile) => file.items.filter((i): i is Instruction => i.kind === 'instruction');

function heredocs(file: BuildFile, index: number) {
  const instr = instructions(file)[index];
  return instructionHeredocs(instr, LogicalText.of(file.source, instr, file.escape)).map((h) => ({
    name: h.marker.name,
    expand: h.marker.expand,
    chomp: h.marker.chomp,
    content: h.content,
    at: h.at.text,
  }));
}

function diagnostic(text: string): Diagnostic {
  try {
    parseText(text);
  } catch (e) {
    if (e instanceof Diagnostic) return e;
    throw e;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

describe('heredocs in the syntax tree', () => {
  it('keeps a body in its instruction: its lines are not instructions', () => {
    const file = parseText('FROM alpine\nRUN <<EOF\nFROM nothing\nCOPY a b\nEOF\nRUN true\n');
    assert.deepEqual(instructions(file).map((i) => [i.name, i.startLine, i.endLine]), [
      ['FROM', 1, 1],
      ['RUN', 2, 5],
      ['RUN', 6, 6],
    ]);
    assert.deepEqual(heredocs(file, 1), [{ name: 'EOF', expand: true, chomp: false, content: 'FROM nothing\nCOPY a b\n', at: '<<EOF' }]);
    assert.deepEqual(checkGrammar(file.source), { instructions: 3 });
  });

  it('gives each body token its exact offset and line', () => {
    const text = 'FROM a\nRUN <<A cat - <<B\none\nA\ntwo\nB\n';
    const body = instructions(parseText(text))[1].body;
    const bodies = body.filter((t) => t.kind === 'heredoc');
    assert.deepEqual(bodies.map((t) => [t.text, t.offset, t.line]), [
      ['one\nA\n', text.indexOf('one'), 3],
      ['two\nB\n', text.indexOf('two'), 5],
    ]);
    // The line end before the bodies is part of the instruction too: the tokens cover it exactly.
    assert.equal(body.map((t) => t.text).join(''), text.slice(text.indexOf('RUN') + 3));
  });

  it('reads several heredocs on one line, bodies in order', () => {
    const file = parseText('FROM a\nRUN <<ONE cat > /one && <<TWO cat > /two\nfirst\nONE\nsecond\nTWO\n');
    assert.deepEqual(heredocs(file, 1).map((h) => [h.name, h.content]), [
      ['ONE', 'first\n'],
      ['TWO', 'second\n'],
    ]);
  });

  it('marks quoted delimiters as not expanded, in either quotes', () => {
    const file = parseText(`FROM a\nCOPY <<"X" <<'Y' <<Z /d/\nx\nX\ny\nY\nz\nZ\n`);
    assert.deepEqual(heredocs(file, 1).map((h) => [h.name, h.expand]), [
      ['X', false],
      ['Y', false],
      ['Z', true],
    ]);
  });

  it('takes a tab-indented terminator for <<- and keeps the tabs in the body as written', () => {
    const file = parseText('FROM a\nRUN <<-EOT\n\techo x\n\tEOT\nRUN y\n');
    assert.deepEqual(heredocs(file, 1), [{ name: 'EOT', expand: true, chomp: true, content: '\techo x\n', at: '<<-EOT' }]);
    assert.equal(instructions(file).length, 3);
    // Without the dash the tabbed line is body.
    assert.throws(() => parseText('FROM a\nRUN <<EOT\n\techo x\n\tEOT\n'), /unterminated heredoc/);
  });

  it('finds heredocs in COPY, ADD and an ONBUILD trigger, on a continued line, but not in the JSON form or other instructions', () => {
    assert.equal(heredocs(parseText('FROM a\nADD <<EOF /x\nbody\nEOF\n'), 1)[0].content, 'body\n');
    assert.equal(instructions(parseText('FROM a\nONBUILD RUN <<EOF\nbody\nEOF\n')).length, 2);
    assert.equal(heredocs(parseText('FROM a\nRUN cat \\\n  # a comment\n  <<EOF\nbody\nEOF\n'), 1)[0].content, 'body\n');
    // A `<<` broken by a continuation is one word of the logical line.
    assert.equal(heredocs(parseText('FROM a\nRUN <\\\n#c\n<EOF\nbody\nEOF\n'), 1)[0].content, 'body\n');
    assert.throws(() => parseText('FROM a\nRUN ["cat", "<<EOF"]\nEOF\n'), /unknown instruction "EOF"/);
    assert.throws(() => parseText('FROM a\nENV A <<EOF\nEOF\n'), /unknown instruction "EOF"/);
  });

  it('reports an unterminated heredoc at its <<, with a caret under the word', () => {
    for (const text of ['FROM a\nRUN  <<EOF\nbody\n', 'FROM a\nRUN  <<EOF', 'FROM a\nRUN  <<EOF\n']) {
      const d = diagnostic(text);
      assert.equal(d.message, 'unterminated heredoc');
      assert.equal(d.offset, text.indexOf('<<'));
      assert.equal(d.length, 5);
      assert.equal(renderDiagnostic(d, new Chalk({ level: 0 })), 'Dockerfile:2:6: error: unterminated heredoc\n  RUN  <<EOF\n       ^~~~~\n');
    }
    // The second of two is the one missing its terminator.
    const two = 'FROM a\nRUN <<A <<B\nA\n';
    assert.equal(diagnostic(two).offset, two.indexOf('<<B'));
  });

  it('reports an error before a heredoc first', () => {
    assert.match(diagnostic('FROM a\nBOGUS x\nRUN <<EOF\n').message, /unknown instruction "BOGUS"/);
  });

  it('gives the same tree whatever the size of the pieces the file is lexed in', () => {
    const text = `FROM a\n${'RUN <<EOF\nline one\nline two\nEOF\nCOPY <<A <<B /x/\na\nA\nb\nB\n'.repeat(20)}`;
    const plain = (file: BuildFile) => instructions(file).map((i) => [i.name, i.startLine, i.endLine, i.body.map((t) => [t.kind, t.text, t.line])]);
    const whole = plain(parseText(text));
    for (const size of [1, 7, 40, 100]) assert.deepEqual(plain(parseText(text, size)), whole, `pieces of ${size}`);
  });
});

describe('the escape directive', () => {
  it('makes a backtick continue lines and a backslash an ordinary character', () => {
    const file = parseText('# escape=`\nFROM alpine\nRUN echo one `\n    && echo two\nCOPY a\\b.txt /c\\d/\n');
    assert.equal(file.escape, '`');
    const [, run, copy] = instructions(file);
    assert.equal(LogicalText.of(file.source, run, file.escape).text, 'echo one     && echo two');
    assert.equal(LogicalText.of(file.source, copy, file.escape).text, 'a\\b.txt /c\\d/');
  });

  it('accepts the key in any case, backslash explicitly, and after other directives', () => {
    assert.equal(parseText('# ESCAPE = `\nFROM a\n').escape, '`');
    assert.equal(parseText('# syntax=docker/dockerfile:1\n#escape=`\nFROM a\n').escape, '`');
    assert.equal(parseText('# escape=\\\nFROM a\nRUN a \\\n b\n').escape, '\\');
  });

  it('is a comment after a blank line, an ordinary comment or an instruction', () => {
    for (const text of ['\n# escape=`\nFROM a\n', '# hello\n# escape=`\nFROM a\n', 'FROM a\n# escape=`\n']) {
      const file = parseText(text);
      assert.equal(file.escape, '\\', JSON.stringify(text));
      assert.equal(file.directives.has('escape'), false, JSON.stringify(text));
    }
  });

  it('refuses another escape character, at the directive', () => {
    const d = diagnostic('# escape=x\nFROM a\n');
    assert.match(d.message, /invalid escape character "x"/);
    assert.equal(d.offset, 0);
  });

  it('leaves heredoc words split with a backslash', () => {
    const file = parseText('# escape=`\nFROM a\nRUN <<a\\ b\nx\na b\n');
    assert.deepEqual(heredocs(file, 1).map((h) => h.name), ['a b']);
  });

  it('keeps # syntax= as a directive that changes nothing else', () => {
    const file = parseText('# syntax=example.com/llbc-frontend\nFROM a\n');
    assert.equal(file.directives.get('syntax')?.value, 'example.com/llbc-frontend');
    assert.equal(file.escape, '\\');
  });
});
