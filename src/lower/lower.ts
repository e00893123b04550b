import { Diagnostic } from '../diagnostics.js';
import type { BuildFile, Instruction } from '../syntax/cst.js';
import { splitFlags, type LogicalSlice } from '../syntax/args.js';
import { image, local } from '../llb/source.js';
import { StepConstraints } from '../llb/constraints.js';
import { formatPlatform, type Platform } from '../llb/platform.js';
import { State } from '../llb/state.js';
import { normalizeImageRef, ImageRefError } from './imageref.js';
import { findStage, readProgram, type Program, type Stage } from './program.js';
import { declareArgs, declaredArgNames, lowerInstruction, resolveStageBase, startStage, type StageArgs, type StageBase } from './instructions.js';
import { fail } from './words.js';
import { isPlainWord } from './expand.js';

export type CopyMode = 'exec' | 'file';

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
  // By stage index, sized once: a file can have 100,000 stages, and maps would cost several
  // times the memory and leave each table they outgrew behind as garbage.
  readonly results: (State | undefined)[];
  private readonly bases: (StageBase | undefined)[];
  readonly globals = new Map<string, string | undefined>();
  readonly copyMode: CopyMode;
  private contextState?: State;
  private helperState?: State;
  /** Each step's number in its stage, from 1, by instruction index; 0 for other instructions. */
  private steps?: Int32Array;
  /** Each stage's number of steps, by stage index; -1 until counted. */
  private stepCounts?: Int32Array;
  /** The last image reference normalized: every stage of a large file often names the same. */
  private lastImage?: { readonly ref: string; readonly normalized: string };
  private lastImageBase?: StageBase;
  private lastStep?: { readonly instr: Instruction; readonly constraints: StepConstraints };

  constructor(
    readonly program: Program,
    readonly options: LowerOptions,
  ) {
    const directive = program.file.directives.get('copy');
    if (directive && directive.value !== 'exec' && directive.value !== 'file') {
      throw new Diagnostic(program.file.source, directive.offset, `unknown copy mode ${JSON.stringify(directive.value)} in directive: use copy=exec or copy=file`);
    }
    this.copyMode = options.copyMode ?? (directive?.value as CopyMode | undefined) ?? 'exec';
    this.results = new Array<State | undefined>(program.stages.length);
    this.bases = new Array<StageBase | undefined>(program.stages.length);
  }

  args(instr: Instruction): LogicalSlice {
    return this.program.args(instr).slice(0);
  }

  /** The finished state of a stage, or a request to lower it first. */
  require(stage: Stage, at: LogicalSlice): State {
    const done = this.results[stage.index];
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
    return image(this.normalizedImage(ref, value), { constraints: this.opConstraints(self, instr) });
  }

  /** What the stage's FROM names; resolved once. */
  base(stage: Stage): StageBase {
    let b = this.bases[stage.index];
    if (!b) this.bases[stage.index] = b = resolveStageBase(this, stage);
    return b;
  }

  /**
   * Per-op constraints for an instruction when debug info is on: Go's llb.WithCustomName
   * with Dockerfile's progress name, and the instruction's lines as a source location
   * (1-based, character 0, continuation lines included, as the Dockerfile frontend writes).
   */
  opConstraints(stage: Stage, instr: Instruction): StepConstraints | undefined {
    if (!this.options.debugInfo) return undefined;
    // One per instruction, whose ops (an ADD of many URLs has one per URL) share it and its name.
    if (this.lastStep?.instr !== instr) this.lastStep = { instr, constraints: new StepConstraints(this.stepName(stage, instr), instr.startLine, instr.endLine) };
    return this.lastStep.constraints;
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
    const label = stage.name ?? (this.program.stages.length > 1 ? `stage-${stage.index}` : undefined);
    const counter = `${this.stepNumber(stage, instr)}/${this.stepCounts![stage.index]}`;
    const base = this.base(stage);
    const text = instr === stage.from && base.kind === 'image' ? `FROM ${base.ref}` : joinedLine(instr);
    // Joined rather than concatenated: every op keeps its name, and join makes one flat string
    // where a template would leave a tree of string pieces.
    return ['[', label ? `${label} ` : '', counter, '] ', text].join('');
  }

  /** The instruction's step number; the stage's steps are numbered (all at once) the first time. */
  private stepNumber(stage: Stage, instr: Instruction): number {
    const steps = (this.steps ??= new Int32Array(this.program.instructionCount));
    const counts = (this.stepCounts ??= new Int32Array(this.program.stages.length).fill(-1));
    if (counts[stage.index] < 0) {
      let n = 0;
      if (this.base(stage).kind === 'image') steps[stage.from.index] = ++n;
      for (let k = 0; k < stage.size; k++) {
        const i = stage.at(k);
        if (i.name === 'RUN' || i.name === 'COPY' || i.name === 'ADD') steps[i.index] = ++n;
      }
      counts[stage.index] = n;
    }
    return steps[instr.index];
  }

  /** An image base; the same object as the last one when it is the same, as it is for every stage of many large files. */
  imageBase(ref: string, platform: Platform | undefined): StageBase {
    const last = this.lastImageBase;
    if (last?.kind === 'image' && last.ref === ref && last.platform === platform) return last;
    return (this.lastImageBase = { kind: 'image', ref, platform });
  }

  /** normalizeImage, remembering the last answer. */
  normalizedImage(at: LogicalSlice, ref: string): string {
    if (this.lastImage?.ref !== ref) this.lastImage = { ref, normalized: normalizeImage(at, ref) };
    return this.lastImage.normalized;
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
export function predefinedArgs(p: Platform): [string, string][] {
  const out: [string, string][] = [];
  for (const prefix of ['TARGET', 'BUILD']) {
    out.push([`${prefix}PLATFORM`, formatPlatform(p)], [`${prefix}OS`, p.os], [`${prefix}ARCH`, p.architecture], [`${prefix}VARIANT`, p.variant ?? '']);
  }
  return out;
}

interface Cursor extends StageArgs {
  state?: State;
  /** The next instruction to lower; -1 before the FROM line. */
  next: number;
}

/**
 * Lowers the target stage and, on demand, the stages it uses. A worklist instead of
 * recursion: long chains of stages cannot overflow the stack, and a stage met again while
 * still in progress is a cycle.
 */
function lowerStages(comp: Compilation, target: Stage): State {
  // A stage has a cursor while it is on the stack. A chain of 100,000 stages has them all at
  // once, so they are kept by stage index, in an array sized once.
  const cursors = new Array<Cursor | undefined>(comp.program.stages.length);
  const stack: Stage[] = [target];
  while (stack.length > 0) {
    const stage = stack[stack.length - 1];
    if (comp.results[stage.index]) {
      // Asked for twice before it was lowered.
      stack.pop();
      continue;
    }
    let cursor = cursors[stage.index];
    if (!cursor) {
      cursors[stage.index] = cursor = { next: -1, state: undefined, args: undefined };
      const first = namedStages(comp, stage).filter((s) => !comp.results[s.index] && !cursors[s.index]);
      if (first.length > 0) {
        for (let i = first.length - 1; i >= 0; i--) stack.push(first[i]);
        continue;
      }
    }
    try {
      if (cursor.next < 0) {
        cursor.state = startStage(comp, stage);
        cursor.next = 0;
      }
      for (; cursor.next < stage.size; cursor.next++) {
        cursor.state = lowerInstruction(comp, stage, stage.at(cursor.next), cursor.state!, cursor);
      }
      comp.results[stage.index] = cursor.state!;
      stack.pop();
      cursors[stage.index] = undefined;
    } catch (e) {
      if (!(e instanceof NeedStage)) throw e;
      // Every stage on the stack has a cursor, and the others do not: a membership test in O(1).
      if (cursors[e.stage.index]) throw cycleError(stack, e);
      stack.push(e.stage);
    }
  }
  return comp.results[target.index]!;
}

/**
 * The stages a stage's FROM and its `COPY --from=` lines name as they are written, which are
 * lowered before it: lowering it then does not stop at each line that names one to ask for it
 * (an exception and the line read again, a tenth of the compile of a long chain of stages).
 * A name made of variables, or a stage named by a RUN mount, is asked for as before.
 */
function namedStages(comp: Compilation, stage: Stage): Stage[] {
  const out: Stage[] = [];
  if (comp.program.stages.length === 1) return out;
  const base = comp.base(stage);
  if (base.kind === 'stage') out.push(base.stage);
  for (let i = 0; i < stage.size; i++) {
    const instr = stage.at(i);
    if (instr.name !== 'COPY') continue;
    for (const flag of splitFlags(comp.args(instr)).flags) {
      if (flag.name !== 'from' || !flag.value || !isPlainWord(flag.value.text)) continue;
      const named = findStage(comp.program, flag.value.text);
      if (named && named !== stage && !out.includes(named)) out.push(named);
    }
  }
  return out;
}

export function cycleError(stack: Stage[], e: NeedStage): never {
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
