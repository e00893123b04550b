import {
  createConnection,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from '../diagnostics.js';
import { codeActions } from './actions.js';
import { Analysis } from './analysis.js';
import { complete } from './completion.js';
import { formatDocument } from './formatting.js';
import { hover } from './hover.js';
import { definition, references } from './navigation.js';
import type { Span } from './outline.js';
import { documentSymbols, foldingRanges } from './symbols.js';

/**
 * How long to wait after a change before checking. Changes that arrive while a check runs are
 * read after it, each putting the next check off again, so a burst of keystrokes is checked once
 * however short the wait; a longer one would only delay the diagnostics.
 */
const minDelayMs = 2;
const maxDelayMs = 10;

/**
 * `llbc lsp --stdio`: a language server on standard input and output. Each document is
 * analysed once per version, when its diagnostics are due or a request needs it.
 */
export function startServer(): Promise<void> {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: Analysis }>();
  const timers = new Map<string, NodeJS.Timeout>();
  // Half the last check's duration is the wait (within the bounds above).
  const lastCost = new Map<string, number>();

  const analysisOf = (doc: TextDocument): Analysis => {
    const known = analyses.get(doc.uri);
    if (known && known.version === doc.version) return known.analysis;
    const analysis = new Analysis(doc.uri, doc.getText(), doc.languageId);
    analyses.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  };
  const withDoc = <T>(uri: string, empty: T, f: (doc: TextDocument, a: Analysis) => T): T => {
    const doc = documents.get(uri);
    return doc ? f(doc, analysisOf(doc)) : empty;
  };

  const publish = (uri: string) => {
    timers.delete(uri);
    const doc = documents.get(uri);
    if (!doc) return;
    const started = performance.now();
    let diagnostics: LspDiagnostic[];
    try {
      diagnostics = analysisOf(doc).diagnostics().map((d) => toLsp(doc, d));
    } catch (e) {
      // A bug in llbc: said in the editor's log, and the server goes on (requests fail alone; the library answers them with the error).
      connection.console.error(`llbc: internal error checking ${uri}: ${(e as Error)?.stack ?? String(e)}`);
      return;
    } finally {
      lastCost.set(uri, performance.now() - started);
    }
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  };
  documents.onDidChangeContent(({ document }) => {
    clearTimeout(timers.get(document.uri));
    const delay = Math.min(maxDelayMs, Math.max(minDelayMs, (lastCost.get(document.uri) ?? 0) / 2));
    timers.set(document.uri, setTimeout(publish, delay, document.uri));
  });
  documents.onDidClose(({ document }) => {
    clearTimeout(timers.get(document.uri));
    timers.delete(document.uri);
    analyses.delete(document.uri);
    lastCost.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      completionProvider: { triggerCharacters: ['-', '=', ',', '$', '{'] },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentFormattingProvider: true,
    },
    serverInfo: { name: 'llbc' },
  }));

  connection.onHover(({ textDocument, position }) => withDoc(textDocument.uri, null, (doc, a) => hover(a, doc, doc.offsetAt(position))));
  connection.onDefinition(({ textDocument, position }) =>
    withDoc(textDocument.uri, null, (doc, a) => {
      const outline = a.outline();
      const span = outline && definition(outline, doc.offsetAt(position));
      return span ? { uri: doc.uri, range: rangeOf(doc, span) } : null;
    }),
  );
  connection.onReferences(({ textDocument, position, context }) =>
    withDoc(textDocument.uri, [], (doc, a) => {
      const outline = a.outline();
      return outline ? references(outline, doc.offsetAt(position), context.includeDeclaration).map((s) => ({ uri: doc.uri, range: rangeOf(doc, s) })) : [];
    }),
  );
  connection.onCompletion(({ textDocument, position }) => withDoc(textDocument.uri, [], (doc, a) => complete(a, doc, doc.offsetAt(position))));
  connection.onDocumentSymbol(({ textDocument }) =>
    withDoc(textDocument.uri, [], (doc, a) => {
      const outline = a.outline();
      return outline ? documentSymbols(outline, doc) : [];
    }),
  );
  connection.onFoldingRanges(({ textDocument }) =>
    withDoc(textDocument.uri, [], (_doc, a) => {
      const outline = a.outline();
      return outline ? foldingRanges(outline) : [];
    }),
  );
  connection.onCodeAction(({ textDocument, context }) => withDoc(textDocument.uri, [], (doc, a) => codeActions(a, doc, context.diagnostics)));
  connection.onDocumentFormatting(({ textDocument }) => withDoc(textDocument.uri, [], (doc) => formatDocument(doc)));

  documents.listen(connection);
  return listen(connection);
}

/** Resolves when the client closes the connection (after `exit`, the library ends the process itself). */
function listen(connection: Connection): Promise<void> {
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    process.stdin.on('close', () => resolve());
    connection.listen();
  });
}

function rangeOf(doc: TextDocument, span: Span) {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

/** A compiler diagnostic for the editor: its span, as the CLI's caret shows it. */
function toLsp(doc: TextDocument, d: Diagnostic): LspDiagnostic {
  const start = d.file ? Math.min(d.offset, doc.getText().length) : 0;
  const end = d.file ? Math.min(start + Math.max(1, d.length), lineEnd(doc.getText(), start)) : 0;
  return {
    range: { start: doc.positionAt(start), end: doc.positionAt(end) },
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: 'llbc',
    message: d.message,
  };
}

/** Where the line holding an offset ends: the CLI's caret never runs past it. */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return end > offset && text[end - 1] === '\r' ? end - 1 : end;
}
