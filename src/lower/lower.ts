import { Diagnostic } from '../diagnostics.js';
import type { BuildFile, Instruction } from '../syntax/cst.js';
import type { LogicalSlice } from '../syntax/args.js';
import { image, local } from '../llb/source.js';
import type { Constraints } from '../llb/constraints.js';
import { formatPlatform, type Platform } from '../llb/platform.js';
import { State } from '../llb/state.js';
import { normalizeImageRef, ImageRefError } from './imageref.js';
import { findStage, readProgram, type Program, type Stage } from './program.js';
import { declareArgs, declaredArgNames, lowerInstruction, resolveStageBase, startStage, type StageBase } from './instructions.js';
import { fail } from './words.js';

export type CopyMode = 'exec' | 'file';

/** Shared by every op's debug constraints: ops copy the caps they are given before adding to them. */
const noCaps: Record<string, boolean> = Object.freeze({}) as Record<string, boolean>;

export interface LowerOptions {
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly target?: string;
  /** The platform the build targets (the Definition's default). */
  readonly platform: Platform;
  /** The helper image COPY runs `cp` in; normalized here. */
  readonly copyImage: string;
  /** Overrides the file's `# copy=` directive. */
  readonly copyMode?: CopyMode;
  /** Step names and source locations on every op. */
  readonly debugInfo?: boolean;
}

export interface Lowered {
  readonly state: State;
  readonly warnings: readonly Diagnostic[];
}

/** Signals that lowering must first finish another stage; the instruction is retried after. */
export class NeedStage {
  constructor(
    readonly stage: Stage,
    readonly at: LogicalSlice,
  ) {}
}

/** What all stages of one compilation share. */
export class Compilation {
  readonly warnings: Diagnostic[] = [];
  readonly results = new Map<Stage, State>();
  readonly globals = new Map<string, string | undefined>();
  readonly copyMode: CopyMode;
  private contextState?: State;
  private helperState?: State;
  private readonly bases = new Map<Stage, StageBase>();
  /** Each stage's steps, numbered from 1; a map, since a stage can have 100,000 steps. */
  private readonly steps = new Map<Stage, ReadonlyMap<Instruction, number>>();

  constructor(
    readonly program: Program,
    readonly options: LowerOptions,
  ) {
    const directive = program.file.directives.get('copy');
    if (directive && directive.value !== 'exec' && directive.value !== 'file') {
      throw new Diagnostic(program.file.source, directive.offset, `unknown copy mode ${JSON.stringify(directive.value)} in directive: use copy=exec or copy=file`);
    }
    this.copyMode = options.copyMode ?? (directive?.value as CopyMode | undefined) ?? 'exec';
  }

  args(instr: Instruction): LogicalSlice {
    return this.program.args(instr).slice(0);
  }

  /** The finished state of a stage, or a request to lower it first. */
  require(stage: Stage, at: LogicalSlice): State {
    const done = this.results.get(stage);
    if (done) return done;
    throw new NeedStage(stage, at);
  }

  /** `llb.Local("context")`: one source op for the whole build. */
  context(): State {
    this.contextState ??= local('context');
    return this.contextState;
  }

  copyHelper(): State {
    this.helperState ??= image(this.normalizedCopyImage());
    return this.helperState;
  }

  private normalizedCopyImage(): string {
    try {
      return normalizeImageRef(this.options.copyImage);
    } catch (e) {
      if (e instanceof ImageRefError) throw new Diagnostic(undefined, 0, `--copy-image ${JSON.stringify(this.options.copyImage)}: ${e.message}`);
      throw e;
    }
  }

  /** Resolves `--from=` / `from=`: a stage (any position, by name or index), else an image. */
  stageOrImage(ref: LogicalSlice, value: string, self: Stage, instr: Instruction): State {
    const stage = findStage(this.program, value);
    if (stage) {
      if (stage === self) fail(ref, `stage ${JSON.stringify(value)} cannot use itself as a source`, 0, ref.text.length);
      return this.require(stage, ref);
    }
    if (/^\d+$/.test(value)) fail(ref, `undefined stage ${value}: the file has ${this.program.stages.length} stage(s)`, 0, ref.text.length);
    return image(normalizeImage(ref, value), { constraints: this.opConstraints(self, instr) });
  }

  /** What the stage's FROM names; resolved once. */
  base(stage: Stage): StageBase {
    let b = this.bases.get(stage);
    if (!b) this.bases.set(stage, (b = resolveStageBase(this, stage)));
    return b;
  }

  /**
   * Per-op constraints for an instruction when debug info is on: Go's llb.WithCustomName
   * with Dockerfile's progress name, and the instruction's lines as a source location
   * (1-based, character 0, continuation lines included, as the Dockerfile frontend writes).
   */
  opConstraints(stage: Stage, instr: Instruction): Partial<Constraints> | undefined {
    if (!this.options.debugInfo) return undefined;
    return {
      metadata: { caps: noCaps, description: { 'llb.customname': this.stepName(stage, instr) } },
      sourceLocations: [{ sourceIndex: 0, ranges: [{ start: instr.startLine, end: instr.endLine }] }],
    };
  }

  /**
   * `[stage i/n] INSTRUCTION args`, as Dockerfile's prefixCommand: steps are the
   * instructions that create ops (FROM of an image, RUN, COPY, ADD), numbered within the
   * stage; the label is the stage name (lower-cased, as Dockerfile keeps it), `stage-N`
   * for an unnamed stage of a multi-stage file, and nothing in a single-stage file. The
   * text is the instruction as written, continuations joined, keyword upper-cased; a FROM
   * shows the normalised image reference.
   */
  private stepName(stage: Stage, instr: Instruction): string {
    let steps = this.steps.get(stage);
    if (!steps) {
      const from = this.base(stage).kind === 'image' ? [stage.from] : [];
      const list = [...from, ...stage.body.filter((i) => i.name === 'RUN' || i.name === 'COPY' || i.name === 'ADD')];
      steps = new Map(list.map((i, n) => [i, n + 1]));
      this.steps.set(stage, steps);
    }
    const label = stage.name ?? (this.program.stages.length > 1 ? `stage-${stage.index}` : undefined);
    const counter = `${steps.get(instr) ?? 0}/${steps.size}`;
    const base = this.base(stage);
    const text = instr === stage.from && base.kind === 'image' ? `FROM ${base.ref}` : joinedLine(instr);
    // Joined rather than concatenated: every op keeps its name, and join makes one flat string
    // where a template would leave a tree of string pieces.
    return ['[', label ? `${label} ` : '', counter, '] ', text].join('');
  }
}

/**
 * The instruction on one line as Dockerfile's parser joins it: each `\` and line break
 * removed and nothing inserted, comment lines and blank lines inside the continuation
 * dropped whole (their indentation too).
 */
function joinedLine(instr: Instruction): string {
  const body = instr.body;
  let text = '';
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    if (t.kind === 'continuation' || t.kind === 'comment' || t.kind === 'newline') continue;
    const next = body[i + 1]?.kind;
    if (t.kind === 'whitespace' && (next === 'comment' || next === 'newline')) continue;
    text += t.text;
  }
  text = text.trim();
  return text ? `${instr.name} ${text}` : instr.name;
}

export function normalizeImage(at: LogicalSlice, ref: string): string {
  try {
    return normalizeImageRef(ref);
  } catch (e) {
    if (e instanceof ImageRefError) fail(at, `invalid image reference ${JSON.stringify(ref)}: ${e.message}`, 0, at.text.length);
    throw e;
  }
}

/** Compiles the tree to the state of the target stage. */
export function lower(file: BuildFile, options: LowerOptions): Lowered {
  const program = readProgram(file);
  const comp = new Compilation(program, options);
  for (const [k, v] of predefinedArgs(options.platform)) comp.globals.set(k, v);
  for (const instr of program.globals) declareArgs(comp, instr, comp.globals, (name) => comp.globals.get(name), true);
  const target = options.target === undefined ? program.stages[program.stages.length - 1] : findStage(program, options.target);
  if (!target) {
    const names = program.stages.flatMap((s) => (s.displayName ? [s.displayName] : []));
    throw new Diagnostic(undefined, 0, `target stage ${JSON.stringify(options.target)} not found${names.length ? `; stages are: ${names.join(', ')}` : ''}`);
  }
  const state = lowerStages(comp, target);
  warnUnusedBuildArgs(comp);
  return { state, warnings: comp.warnings };
}

/** Dockerfile's automatic platform ARGs; there is no daemon, so the build platform is the target. */
function predefinedArgs(p: Platform): [string, string][] {
  const out: [string, string][] = [];
  for (const prefix of ['TARGET', 'BUILD']) {
    out.push([`${prefix}PLATFORM`, formatPlatform(p)], [`${prefix}OS`, p.os], [`${prefix}ARCH`, p.architecture], [`${prefix}VARIANT`, p.variant ?? '']);
  }
  return out;
}

interface Cursor {
  state?: State;
  next: number;
  readonly args: Map<string, string | undefined>;
}

/**
 * Lowers the target stage and, on demand, the stages it uses. A worklist instead of
 * recursion: long chains of stages cannot overflow the stack, and a stage met again while
 * still in progress is a cycle.
 */
function lowerStages(comp: Compilation, target: Stage): State {
  const cursors = new Map<Stage, Cursor>();
  const stack: Stage[] = [target];
  const waiting = new Map<Stage, LogicalSlice>();
  while (stack.length > 0) {
    const stage = stack[stack.length - 1];
    let cursor = cursors.get(stage);
    if (!cursor) {
      cursor = { next: -1, args: new Map() };
      cursors.set(stage, cursor);
    }
    try {
      if (cursor.next < 0) {
        cursor.state = startStage(comp, stage);
        cursor.next = 0;
      }
      for (; cursor.next < stage.body.length; cursor.next++) {
        cursor.state = lowerInstruction(comp, stage, stage.body[cursor.next], cursor.state!, cursor.args);
      }
      comp.results.set(stage, cursor.state!);
      stack.pop();
      waiting.delete(stage);
    } catch (e) {
      if (!(e instanceof NeedStage)) throw e;
      // Every stage below the top of the stack is waiting, so this is a membership test in O(1).
      if (e.stage === stage || waiting.has(e.stage)) throw cycleError(stack, e);
      waiting.set(stage, e.at);
      stack.push(e.stage);
    }
  }
  return comp.results.get(target)!;
}

function cycleError(stack: Stage[], e: NeedStage): never {
  const from = stack.indexOf(e.stage);
  const names = [...stack.slice(from), e.stage].map((s) => s.displayName ?? `stage ${s.index}`);
  fail(e.at, `stage cycle: ${names.join(' -> ')}`, 0, e.at.text.length);
}

function warnUnusedBuildArgs(comp: Compilation): void {
  const declared = declaredArgNames(comp);
  for (const name of comp.options.buildArgs.keys()) {
    if (!declared.has(name)) {
      comp.warnings.push(new Diagnostic(undefined, 0, `build-arg ${name} was not consumed by any ARG`, 1, 'warning'));
    }
  }
}
