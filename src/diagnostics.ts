import type { ChalkInstance } from 'chalk';

/** A build file's text with a line index, so any phase can turn an offset into line:column. */
export class SourceFile {
  private lineStarts?: number[];

  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** 1-based line and column (in UTF-16 code units, like editors count). */
  position(offset: number): { line: number; column: number } {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1] ?? this.text.length;
    const end = line < starts.length ? starts[line] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}

export type Severity = 'error' | 'warning';

/** The one diagnostic type every phase produces: a message at a span of a source file. */
export class Diagnostic extends Error {
  constructor(
    readonly file: SourceFile | undefined,
    readonly offset: number,
    message: string,
    readonly length = 1,
    readonly severity: Severity = 'error',
  ) {
    super(message);
  }
}

/** Bad input (exit 1) as opposed to an internal bug (exit 2). */
export function isDiagnostic(e: unknown): e is Diagnostic {
  return e instanceof Diagnostic;
}

const maxShownLine = 200;

/** `file:line:col: error: message`, the source line, and a caret under the spot. */
export function renderDiagnostic(d: Diagnostic, color: ChalkInstance): string {
  const sev = d.severity === 'error' ? color.red.bold('error') : color.yellow.bold('warning');
  if (!d.file) return `${color.bold('llbc')}: ${sev}: ${color.bold(d.message)}\n`;
  const { line, column } = d.file.position(d.offset);
  const head = `${color.bold(`${d.file.name}:${line}:${column}`)}: ${sev}: ${color.bold(d.message)}`;
  let text = d.file.lineText(line);
  let col = column - 1;
  // Keep megabyte-long lines readable: show a window around the spot.
  if (text.length > maxShownLine) {
    const from = Math.max(0, Math.min(col - maxShownLine / 2, text.length - maxShownLine));
    text = text.slice(from, from + maxShownLine);
    col -= from;
  }
  const printable = text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?');
  const pad = text.slice(0, col).replace(/[^\t]/g, ' ');
  const width = Math.max(1, Math.min(d.length, text.length - col));
  const caret = color.green(`^${'~'.repeat(width - 1)}`);
  return `${head}\n  ${printable}\n  ${pad}${caret}\n`;
}

/** Decodes file bytes as UTF-8, rejecting invalid sequences with their position. */
export function decodeSource(name: string, bytes: Uint8Array): SourceFile {
  try {
    return new SourceFile(name, new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const at = lossy.indexOf('\uFFFD');
    throw new Diagnostic(new SourceFile(name, lossy), Math.max(0, at), 'the build file is not valid UTF-8');
  }
}

/** NUL bytes mean the input is not a text file; say so instead of reporting odd syntax. */
export function rejectBinary(source: SourceFile): void {
  const nul = source.text.indexOf('\0');
  if (nul >= 0) throw new Diagnostic(source, nul, 'the build file contains a NUL byte; is it a text file?');
}
