import { CodeActionKind, DiagnosticSeverity, type CodeAction, type Diagnostic as LspDiagnostic, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findShellOperator } from '../lower/shelloperators.js';
import { splitFlags, type LogicalSlice } from '../syntax/args.js';
import type { Analysis } from './analysis.js';
import { instructionDoc, instructions } from './docs.js';
import { spanOf } from './outline.js';

/**
 * Quick fixes for the compiler's diagnostics: a misspelled instruction becomes the nearest one;
 * a RUN that the compiler warns runs without a shell (llbc mode, a shell operator in its shell
 * form) is wrapped in `sh -c '...'`.
 */
export function codeActions(a: Analysis, doc: TextDocument, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== 'llbc') continue;
    const fix = spellingFix(a, doc, d) ?? shellFix(a, doc, d);
    if (fix) out.push(fix);
  }
  return out;
}

function spellingFix(a: Analysis, doc: TextDocument, d: LspDiagnostic): CodeAction | undefined {
  if (d.severity !== DiagnosticSeverity.Error) return undefined;
  const offset = doc.offsetAt(d.range.start);
  const lineStart = a.text.lastIndexOf('\n', offset - 1) + 1;
  if (!/^[ \t]*$/.test(a.text.slice(lineStart, offset))) return undefined;
  const word = /[^ \t\r\n]+/y;
  word.lastIndex = offset;
  const written = word.exec(a.text)?.[0];
  if (!written || instructionDoc(written)) return undefined;
  const best = nearest(written.toUpperCase(), instructions(a.mode).map((i) => i.name));
  if (!best) return undefined;
  const name = written === written.toLowerCase() ? best.toLowerCase() : best;
  const edit: TextEdit = { range: { start: d.range.start, end: doc.positionAt(offset + written.length) }, newText: name };
  return { title: `Change to ${name}`, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [doc.uri]: [edit] } } };
}

/** The closest name within two edits (a swap of neighbours is one), if one is closest. */
function nearest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, word.length - 1) + 1;
  for (const name of names) {
    const d = distance(word, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein with transpositions). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The fix for the compiler's shell-operator warning: the warning is at the first operator of a
 * RUN's shell form (as findShellOperator finds it), which is how it is recognised here.
 */
function shellFix(a: Analysis, doc: TextDocument, d: LspDiagnostic): CodeAction | undefined {
  const outline = a.outline();
  if (d.severity !== DiagnosticSeverity.Warning || !outline) return undefined;
  const offset = doc.offsetAt(d.range.start);
  const entry = outline.entryContaining(offset);
  if (!entry || entry.instr.name !== 'RUN') return undefined;
  const rest = splitFlags(outline.args(entry.instr).slice(0)).rest;
  const found = findShellOperator(rest.text);
  if (!found || spanOf(rest, found.index, 1).start !== offset) return undefined;
  const edits = wrapInShell(rest).map(({ start, end, text }) => ({ range: { start: doc.positionAt(start), end: doc.positionAt(end) }, newText: text }));
  return { title: "Wrap the command in sh -c '...'", kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [doc.uri]: edits } } };
}

/**
 * `sh -c '<command>'`: the shell gets the command's text as written. Its single quotes become
 * `'\''` (escaped ones too: inside single quotes a backslash is just a character), and each `$`
 * expansion is left outside the single quotes (`'"$NAME"'`), so that llbc still expands it at
 * compile time, as it did, instead of the shell at run time (which sees ENV, but not ARG,
 * values). The JSON form `["sh", "-c", "..."]` would not do: llbc does not expand it.
 */
function wrapInShell(rest: LogicalSlice): { start: number; end: number; text: string }[] {
  const command = rest.text;
  const at = (i: number) => spanOf(rest, i, 0).start;
  const after = (i: number) => spanOf(rest, i, 1).end;
  const edits = [{ start: at(0), end: at(0), text: "sh -c '" }];
  const quote = (i: number) => edits.push({ start: at(i), end: after(i), text: "'\\''" });
  let single = false;
  let double = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '"' && !single) {
      double = !double;
    } else if (c === "'") {
      if (!double) single = !single;
      quote(i);
    } else if (c === '\\' && !single) {
      if (command[++i] === "'") quote(i);
    } else if (c === '$' && !single) {
      const end = expansionEnd(command, i);
      if (end === i + 1) continue;
      edits.push({ start: at(i), end: at(i), text: `'"` }, { start: after(end - 1), end: after(end - 1), text: `"'` });
      i = end - 1;
    }
  }
  edits.push({ start: after(command.length - 1), end: after(command.length - 1), text: "'" });
  return edits;
}

/** The end of the `$NAME` or `${...}` at i (i + 1 when there is none). */
function expansionEnd(text: string, i: number): number {
  if (text[i + 1] === '{') {
    let depth = 0;
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) return j + 1;
    }
    return i + 1;
  }
  const m = /[A-Za-z_][A-Za-z0-9_]*/y;
  m.lastIndex = i + 1;
  return m.exec(text) ? m.lastIndex : i + 1;
}
