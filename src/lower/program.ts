import { Diagnostic } from '../diagnostics.js';
import type { BuildFile, Instruction } from '../syntax/cst.js';
import { fields, LogicalText, splitFlags, type Flag, type LogicalSlice } from '../syntax/args.js';
import { instruction } from '../syntax/instructions.js';
import { checkFlags, fail } from './words.js';

/**
 * A build stage: its FROM line and the instructions after it. The FROM line's pieces are split
 * again when asked for, which is once more per stage: kept, they would hold the line's
 * text and its mapping to the source for every stage of a 100,000-stage file.
 */
export class Stage {
  constructor(
    readonly index: number,
    /** Lower-cased, as stage names compare case-insensitively. */
    readonly name: string | undefined,
    readonly displayName: string | undefined,
    /** The file's instructions; the stage's are from `start` (its FROM) to `end`. */
    private readonly all: readonly Instruction[],
    private readonly start: number,
    private readonly end: number,
    /** The file's logical lines (Program.args), which know its escape character and lexer. */
    private readonly args: (instr: Instruction) => LogicalText,
  ) {}

  get from(): Instruction {
    return this.all[this.start];
  }

  /** How many instructions follow the FROM line. */
  get size(): number {
    return this.end - this.start - 1;
  }

  /** Instruction i after the FROM line. (A stage keeps no array of them: there can be 100,000 stages.) */
  at(i: number): Instruction {
    return this.all[this.start + 1 + i];
  }

  /** What FROM names, and its --platform. */
  fromLine(): { readonly base: LogicalSlice; readonly platformFlag?: Flag } {
    const { words, platformFlag } = fromLine(this.args(this.from));
    return { base: words[0], platformFlag };
  }
}

export interface Program {
  readonly file: BuildFile;
  readonly globals: readonly Instruction[];
  readonly stages: readonly Stage[];
  /** How many instructions the file has (see Instruction.index). */
  readonly instructionCount: number;
  /**
   * An instruction's logical argument line. Made afresh on each call, which is cheap, so that
   * a large file's lines are not all kept alive while it is lowered.
   */
  args(instr: Instruction): LogicalText;
  /** Stages by lower-cased name, so resolving a reference does not scan every stage. */
  readonly byName: ReadonlyMap<string, Stage>;
}

/** A FROM line's flags and words, checked. */
function fromLine(line: LogicalText): { platformFlag?: Flag; words: LogicalSlice[] } {
  const { flags, rest } = splitFlags(line.slice(0));
  const platformFlag = checkFlags(instruction('FROM'), flags).get('platform')?.[0];
  const words = fields(rest);
  if (words.length === 0) fail(rest, 'FROM requires an image or stage name');
  return { platformFlag, words };
}

const stageName = /^[a-z][a-z0-9-_.]*$/;

/**
 * Splits a file into its global ARGs and its stages, checking FROM lines and stage names.
 * `dockerfile` (Dockerfile mode) lets a name be given again, as BuildKit's frontend does: a
 * FROM then means the latest stage of that name above it, anything else the last one; and
 * words expand as v0.11.6's lexer expands them (LogicalText.v011).
 */
export function readProgram(file: BuildFile, dockerfile = false): Program {
  const args = (instr: Instruction) => LogicalText.of(file.source, instr, file.escape, dockerfile);
  const globals: Instruction[] = [];
  // The instructions from the first FROM on, and where each stage starts among them; counted
  // first, so that arrays as long as the file are made once instead of grown.
  let instructionCount = 0;
  let fromCount = 0;
  let body = 0;
  for (const item of file.items) {
    if (item.kind !== 'instruction') continue;
    instructionCount++;
    if (item.name === 'FROM') fromCount++;
    if (fromCount > 0) body++;
  }
  const all = new Array<Instruction>(body);
  const starts = new Int32Array(fromCount);
  const stages = new Array<Stage>(fromCount);
  let used = 0;
  let stageCount = 0;
  for (const item of file.items) {
    if (item.kind !== 'instruction') continue;
    if (item.name === 'FROM') starts[stageCount++] = used;
    if (stageCount > 0) {
      all[used++] = item;
    } else if (item.name === 'ARG') {
      globals.push(item);
    } else {
      fail(args(item).slice(0, 0), `${item.name} before the first FROM: only ARG may come before a build stage`);
    }
  }
  const seen = new Map<string, Stage>();
  for (const [index, start] of starts.entries()) {
    const { words } = fromLine(args(all[start]));
    let name: string | undefined;
    let displayName: string | undefined;
    if (words.length > 1) {
      if (words.length !== 3 || words[1].text.toLowerCase() !== 'as') {
        fail(words[1], 'FROM takes an image and optionally "AS name"', 0, words[1].text.length);
      }
      displayName = words[2].text;
      name = displayName.toLowerCase();
      if (!stageName.test(name)) {
        fail(words[2], `invalid stage name ${JSON.stringify(displayName)}: use letters, digits, "-", "_" and ".", starting with a letter`, 0, displayName.length);
      }
      if (seen.has(name) && !dockerfile) fail(words[2], `duplicate stage name ${JSON.stringify(displayName)}`, 0, displayName.length);
    }
    const stage = new Stage(index, name, displayName, all, start, index + 1 < starts.length ? starts[index + 1] : all.length, args);
    if (name) seen.set(name, stage);
    stages[index] = stage;
  }
  if (stages.length === 0) {
    throw new Diagnostic(file.source, file.source.text.length, 'no build stage: a build file needs at least one FROM');
  }
  return { file, globals, stages, instructionCount, args, byName: seen };
}

/** A stage by name (any case) or by its index, as `--from` and `--target` accept. */
export function findStage(program: Program, ref: string, before?: number): Stage | undefined {
  const limit = before ?? program.stages.length;
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    return i < limit ? program.stages[i] : undefined;
  }
  const name = ref.toLowerCase();
  const stage = program.byName.get(name);
  if (!stage || stage.index < limit) return stage;
  // The name was given again further down (Dockerfile mode): the latest use above the limit.
  for (let i = limit - 1; i >= 0; i--) if (program.stages[i].name === name) return program.stages[i];
  return undefined;
}
