import { Diagnostic } from '../diagnostics.js';
import type { BuildFile, Instruction } from '../syntax/cst.js';
import { fields, LogicalText, splitFlags, type Flag, type LogicalSlice } from '../syntax/args.js';
import { checkFlags, fail } from './words.js';

/** A build stage: its FROM line, already split, and the instructions after it. */
export interface Stage {
  readonly index: number;
  /** Lower-cased, as stage names compare case-insensitively. */
  readonly name?: string;
  readonly displayName?: string;
  readonly from: Instruction;
  readonly base: LogicalSlice;
  readonly platformFlag?: Flag;
  readonly body: readonly Instruction[];
}

export interface Program {
  readonly file: BuildFile;
  readonly globals: readonly Instruction[];
  readonly stages: readonly Stage[];
  /**
   * An instruction's logical argument line. Made afresh on each call, which is cheap, so that
   * a large file's lines are not all kept alive while it is lowered.
   */
  args(instr: Instruction): LogicalText;
  /** Stages by lower-cased name, so resolving a reference does not scan every stage. */
  readonly byName: ReadonlyMap<string, Stage>;
}

const stageName = /^[a-z][a-z0-9-_.]*$/;

/** Splits a file into its global ARGs and its stages, checking FROM lines and stage names. */
export function readProgram(file: BuildFile): Program {
  const args = (instr: Instruction) => LogicalText.of(file.source, instr);
  const globals: Instruction[] = [];
  const stages: Stage[] = [];
  let current: { from: Instruction; body: Instruction[] } | undefined;
  const open: { from: Instruction; body: Instruction[] }[] = [];
  for (const item of file.items) {
    if (item.kind !== 'instruction') continue;
    if (item.name === 'FROM') {
      current = { from: item, body: [] };
      open.push(current);
    } else if (current) {
      current.body.push(item);
    } else if (item.name === 'ARG') {
      globals.push(item);
    } else {
      fail(args(item).slice(0, 0), `${item.name} before the first FROM: only ARG may come before a build stage`);
    }
  }
  const seen = new Map<string, Stage>();
  for (const [index, { from, body }] of open.entries()) {
    const line = args(from).slice(0);
    const { flags, rest } = splitFlags(line);
    const platformFlag = checkFlags('FROM', flags, { platform: 'value' }).get('platform')?.[0];
    const words = fields(rest);
    if (words.length === 0) fail(rest, 'FROM requires an image or stage name');
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
      if (seen.has(name)) fail(words[2], `duplicate stage name ${JSON.stringify(displayName)}`, 0, displayName.length);
    }
    const stage: Stage = { index, name, displayName, from, base: words[0], platformFlag, body };
    if (name) seen.set(name, stage);
    stages.push(stage);
  }
  if (stages.length === 0) {
    throw new Diagnostic(file.source, file.source.text.length, 'no build stage: a build file needs at least one FROM');
  }
  return { file, globals, stages, args, byName: seen };
}

/** A stage by name (any case) or by its index, as `--from` and `--target` accept. */
export function findStage(program: Program, ref: string, before?: number): Stage | undefined {
  const limit = before ?? program.stages.length;
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    return i < limit ? program.stages[i] : undefined;
  }
  const stage = program.byName.get(ref.toLowerCase());
  return stage && stage.index < limit ? stage : undefined;
}
