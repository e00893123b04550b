import { SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Entry, Outline, Span } from './outline.js';

const maxDetail = 60;

/** Document symbols: the global ARGs, then each stage with its instructions. */
export function documentSymbols(outline: Outline, doc: TextDocument): DocumentSymbol[] {
  const range = (s: Span) => ({ start: doc.positionAt(s.start), end: doc.positionAt(s.end) });
  const symbol = (e: Entry): DocumentSymbol => {
    const args = outline.args(e.instr).text;
    const keyword = e.instr.keyword;
    return {
      name: e.instr.name,
      detail: args.length > maxDetail ? `${args.slice(0, maxDetail - 1)}…` : args,
      kind: e.instr.name === 'ARG' || e.instr.name === 'ENV' ? SymbolKind.Variable : SymbolKind.Function,
      range: range(e.span),
      selectionRange: range({ start: keyword.offset, end: keyword.offset + keyword.text.length }),
    };
  };
  const out: DocumentSymbol[] = [];
  const first = outline.stages[0]?.first ?? outline.entries.length;
  for (let i = 0; i < first; i++) out.push(symbol(outline.entries[i]));
  for (const stage of outline.stages) {
    const from = outline.entries[stage.first];
    const children: DocumentSymbol[] = [];
    for (let i = stage.first + 1; i <= stage.last; i++) children.push(symbol(outline.entries[i]));
    out.push({
      name: stage.displayName ?? `stage ${stage.index}`,
      detail: stage.base ? `FROM ${stage.base.text}` : 'FROM',
      kind: SymbolKind.Module,
      range: range({ start: from.span.start, end: outline.entries[stage.last].span.end }),
      selectionRange: range(stage.nameSpan ?? { start: from.span.start, end: from.span.start + 4 }),
      children,
    });
  }
  return out;
}

/** Folding: each stage, from its FROM line to its last instruction's last line. */
export function foldingRanges(outline: Outline): FoldingRange[] {
  const out: FoldingRange[] = [];
  for (const stage of outline.stages) {
    const startLine = outline.entries[stage.first].instr.startLine - 1;
    const endLine = outline.entries[stage.last].instr.endLine - 1;
    if (endLine > startLine) out.push({ startLine, endLine, kind: 'region' });
  }
  return out;
}
