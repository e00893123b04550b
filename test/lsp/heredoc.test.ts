import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SourceFile } from '../../src/diagnostics.js';
import { Outline } from '../../src/lsp/outline.js';
import { documentSymbols, foldingRanges } from '../../src/lsp/symbols.js';
import { formatDocument } from '../../src/lsp/formatting.js';
import { parse } from '../../src/syntax/parser.js';

// The language server on files with heredocs: their body lines are never instructions.

const text = [
  'FROM alpine AS build',
  'RUN <<EOF',
  'FROM not-a-stage',
  'COPY not an instruction',
  'EOF',
  'COPY <<A <<B /x/',
  'ENV nothing',
  'A',
  'B',
  '',
  'FROM scratch',
  'COPY --from=build /x/ /',
  '',
].join('\n');

test('symbols and folding see the instructions, not the lines of heredoc bodies', () => {
  const outline = new Outline(parse(new SourceFile('file:///w/Dockerfile', text)));
  const symbols = documentSymbols(outline, TextDocument.create('file:///w/Dockerfile', 'dockerfile', 1, text));
  assert.deepEqual(symbols.map((s) => [s.name, (s.children ?? []).map((c) => c.name)]), [
    ['build', ['RUN', 'COPY']],
    ['stage 1', ['COPY']],
  ]);
  // The RUN's symbol covers its line only; the stage folds down to the last body's terminator.
  assert.deepEqual(symbols[0].children![0].range, { start: { line: 1, character: 0 }, end: { line: 1, character: 9 } });
  assert.deepEqual(foldingRanges(outline)[0], { startLine: 0, endLine: 8, kind: 'region' });
});

test('formatting a Dockerfile keeps its heredocs and the blanks of its RUN lines', () => {
  const messy = 'from alpine\nRUN  echo  a   &&  <<EOF  cat\n  body  \nEOF\n';
  const [edit] = formatDocument(TextDocument.create('file:///w/Dockerfile', 'dockerfile', 1, messy));
  assert.equal(edit.newText, 'FROM alpine\nRUN echo  a   &&  <<EOF  cat\n  body  \nEOF\n');
});
