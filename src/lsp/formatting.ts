import type { TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Diagnostic, rejectBinary, SourceFile } from '../diagnostics.js';
import { format } from '../syntax/format.js';
import { parse } from '../syntax/parser.js';
import { modeOf } from './mode.js';

/** `llbc fmt` of the document, as one edit; none when it is formatted or does not parse. */
export function formatDocument(doc: TextDocument): TextEdit[] {
  const text = doc.getText();
  let formatted: string;
  try {
    const source = new SourceFile(doc.uri, text);
    rejectBinary(source);
    formatted = format(parse(source), { mode: modeOf(doc.uri, text) === 'dockerfile' ? 'dockerfile' : 'llbc' });
  } catch (e) {
    if (e instanceof Diagnostic) return [];
    throw e;
  }
  if (formatted === text) return [];
  return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: formatted }];
}
