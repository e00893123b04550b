import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { compile } from '../../src/compile.js';
import { isDiagnostic, SourceFile } from '../../src/diagnostics.js';
import { codeActions } from '../../src/lsp/actions.js';
import { Analysis } from '../../src/lsp/analysis.js';
import { complete } from '../../src/lsp/completion.js';
import { formatDocument } from '../../src/lsp/formatting.js';
import { hover } from '../../src/lsp/hover.js';
import { definition, references } from '../../src/lsp/navigation.js';
import { documentSymbols, foldingRanges } from '../../src/lsp/symbols.js';
import { params, program } from '../property/arbitraries.js';

// In-process, over valid programs broken in the language's own ways: the server's analysis and
// every feature at any offset never throw, and the error `llbc build` stops at is among the
// diagnostics, at the same offset and with the same message.

const pieces = ['\n', '\\\n', ' ', '"', "'", '$', '${A', '}', '--', '--mount=', 'type=cache,', 'from=s0', '--from=s1 ', 'RUNN ', 'FROM ', ' AS s0', 'ENV ', 'ARG ', '=', ',', '[', '&& ', '#'];

const broken = fc
  .tuple(program, fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 }))), { maxLength: 4 }))
  .map(([text, edits]) => edits.reduce((t, [at, piece]) => t.slice(0, at % (t.length + 1)) + piece + t.slice(at % (t.length + 1)), text));

test('analysis and every feature survive broken programs, and report the compiler error', () => {
  fc.assert(
    fc.property(broken, fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), (text, offsets) => {
      const uri = 'file:///fuzz.llb';
      const doc = TextDocument.create(uri, 'llbc', 1, text);
      const a = new Analysis(uri, text);
      const diagnostics = a.diagnostics();
      let expected;
      try {
        compile(new SourceFile(uri, text), { debugInfo: false });
      } catch (e) {
        if (!isDiagnostic(e)) throw e;
        expected = e;
      }
      if (expected?.file) {
        assert.ok(
          diagnostics.some((d) => d.offset === expected.offset && d.message === expected.message),
          `${JSON.stringify(text)}: ${expected.message} at ${expected.offset} not in ${JSON.stringify(diagnostics.map((d) => [d.offset, d.message]))}`,
        );
      }
      const lsp = diagnostics.map((d) => ({
        range: { start: doc.positionAt(d.offset), end: doc.positionAt(d.offset + d.length) },
        severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        source: 'llbc',
        message: d.message,
      }));
      const outline = a.outline();
      if (outline) {
        documentSymbols(outline, doc);
        foldingRanges(outline);
      }
      formatDocument(doc);
      for (const n of offsets) {
        const offset = n % (text.length + 1);
        const position = doc.positionAt(offset);
        hover(a, doc, offset);
        complete(a, doc, offset);
        // The fixes for the diagnostics on that line, as the editor sends them.
        codeActions(a, doc, lsp.filter((d) => d.range.start.line === position.line));
        if (outline) {
          definition(outline, offset);
          references(outline, offset, true);
        }
      }
    }),
    params(300),
  );
});
