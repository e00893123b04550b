import type { Diagnostic } from '../diagnostics.js';
import type { Instruction } from '../syntax/cst.js';
import { Checker, type Scope } from './check.js';
import { compileOptionsFor, modeOf, type Mode } from './mode.js';
import { Outline } from './outline.js';
import { parseRecovering, type Recovered } from './recover.js';

/**
 * One version of a document, as the server sees it: its mode, its syntax tree (what could be
 * read), and, when first asked for, its diagnostics and outline.
 */
export class Analysis {
  readonly mode: Mode;
  readonly parsed: Recovered;
  private diagnosticsMemo?: readonly Diagnostic[];
  private outlineMemo?: Outline;

  constructor(
    readonly uri: string,
    readonly text: string,
    languageId?: string,
  ) {
    this.mode = modeOf(uri, text, languageId);
    this.parsed = parseRecovering(uri, text);
  }

  /** Every error and warning of the compiler, in order. */
  diagnostics(): readonly Diagnostic[] {
    if (!this.diagnosticsMemo) {
      const { file, errors } = this.parsed;
      const lowering = file ? this.checker()!.checkAll() : [];
      this.diagnosticsMemo = [...errors, ...lowering].sort((a, b) => a.offset - b.offset);
    }
    return this.diagnosticsMemo;
  }

  outline(): Outline | undefined {
    const file = this.parsed.file;
    if (file && !this.outlineMemo) this.outlineMemo = new Outline(file);
    return this.outlineMemo;
  }

  /** The variables an instruction sees and leaves, from lowering the file up to it. */
  scopeOf(instr: Instruction): Scope | undefined {
    return this.checker()?.scopeOf(instr);
  }

  private checker(): Checker | undefined {
    const file = this.parsed.file;
    return file && new Checker(file, compileOptionsFor(this.mode));
  }
}
