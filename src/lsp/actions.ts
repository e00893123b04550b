import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { splitFlags } from '../syntax/args.js';
import type { Analysis } from './analysis.js';
import { instructionDoc, instructions } from './docs.js';
import { spanOf, type Entry } from './outline.js';

/**
 * Quick fixes: a misspelled instruction becomes the nearest one; in llbc mode, where RUN has no
 * shell, a command with shell operators is wrapped in `sh -c '...'`. The second is offered from
 * the syntax tree, for any RUN in the range: the compiler's warning about it comes with
 * Dockerfile mode (issue 14), and will then be attached.
 */
export function codeActions(a: Analysis, doc: TextDocument, range: Range, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const fix = spellingFix(a, doc, d);
    if (fix) out.push(fix);
  }
  const outline = a.outline();
  if (outline && a.mode === 'llb') {
    const start = doc.offsetAt(range.start);
    const end = doc.offsetAt(range.end);
    for (let e = outline.entryAt(start) ?? outline.entries[0]; e && e.span.start <= end; e = outline.entries[e.at + 1]) {
      if (e.span.end < start || e.instr.name !== 'RUN') continue;
      const action = wrapInShell(a, doc, e);
      if (action) out.push(action);
    }
  }
  return out;
}

function spellingFix(a: Analysis, doc: TextDocument, d: LspDiagnostic): CodeAction | undefined {
  if (d.source !== 'llbc') return undefined;
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

const operator = /^(?:\|\||&&|;;|>>|[|&;<>`]|\$\()/;

/**
 * Where a shell-form command uses a shell operator outside quotes (`&&`, `|`, `;`, redirections,
 * command substitution): without a shell these are passed to the program as arguments.
 */
export function shellOperators(command: string): number[] {
  const out: number[] = [];
  let quote = '';
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '\\') {
      i++;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (operator.test(command.slice(i, i + 2))) {
      out.push(i);
    }
  }
  return out;
}

/**
 * `sh -c '<command>'`: the command's text is given to the shell as written. Its single quotes
 * become `'\''`, and each `$` expansion is left outside the single quotes (`'"$NAME"'`), so that
 * llbc still expands it at compile time, as it did, instead of the shell at run time (which sees
 * ENV, but not ARG, values).
 */
function wrapInShell(a: Analysis, doc: TextDocument, entry: Entry): CodeAction | undefined {
  const rest = splitFlags(a.outline()!.args(entry.instr).slice(0)).rest;
  const command = rest.text;
  if (command === '' || /^\[\s*(?:"|\])/.test(command) || /^(?:\/bin\/)?(?:ba)?sh\s+-c\b/.test(command)) return undefined;
  if (shellOperators(command).length === 0) return undefined;
  const at = (i: number) => doc.positionAt(spanOf(rest, i, 0).start);
  const edits: TextEdit[] = [{ range: { start: at(0), end: at(0) }, newText: "sh -c '" }];
  let single = false;
  let double = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '"' && !single) {
      double = !double;
    } else if (c === "'") {
      if (!double) single = !single;
      const span = spanOf(rest, i, 1);
      edits.push({ range: { start: doc.positionAt(span.start), end: doc.positionAt(span.end) }, newText: "'\\''" });
    } else if (c === '\\' && !single) {
      i++;
    } else if (c === '$' && !single) {
      const end = expansionEnd(command, i);
      if (end === i + 1) continue;
      const last = spanOf(rest, end - 1, 1);
      edits.push({ range: { start: at(i), end: at(i) }, newText: `'"` }, { range: { start: doc.positionAt(last.end), end: doc.positionAt(last.end) }, newText: `"'` });
      i = end - 1;
    }
  }
  const last = spanOf(rest, command.length - 1, 1);
  edits.push({ range: { start: doc.positionAt(last.end), end: doc.positionAt(last.end) }, newText: "'" });
  return { title: "Wrap the command in sh -c '...'", kind: CodeActionKind.QuickFix, edit: { changes: { [doc.uri]: edits } } };
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
