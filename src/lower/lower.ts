import { Diagnostic } from '../diagnostics.js';
import type { BuildFile, Instruction } from '../syntax/cst.js';
import type { LogicalSlice } from '../syntax/args.js';
import { image, local } from '../llb/source.js';
import type { Constraints } from '../llb/constraints.js';
import { formatPlatform, type Platform } from '../llb/platform.js';
import { State } from '../llb/state.js';
import { normalizeImageRef, ImageRefError } from './imageref.js';
import { findStage, readProgram, type Program, type Stage } from './program.js';
import { declareArgs, declaredArgNames, lowerInstruction, startStage } from './instructions.js';
import { fail } from './words.js';

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
  readonly results = new Map<Stage, State>();
  readonly globals = new Map<string, string | undefined>();
  readonly copyMode: CopyMode;
  private contextState?: State;
  private helperState?: State;

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
    return this.program.args.get(instr)!.slice(0);
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
  stageOrImage(ref: LogicalSlice, value: string, self: Stage): State {
    const stage = findStage(this.program, value);
    if (stage) {
      if (stage === self) fail(ref, `stage ${JSON.stringify(value)} cannot use itself as a source`, 0, ref.text.length);
      return this.require(stage, ref);
    }
    if (/^\d+$/.test(value)) fail(ref, `undefined stage ${value}: the file has ${this.program.stages.length} stage(s)`, 0, ref.text.length);
    return image(normalizeImage(ref, value));
  }

  /** Per-op constraints for an instruction: step name and source location when debug info is on. */
  opConstraints(_stage: Stage, _instr: Instruction): Partial<Constraints> | undefined {
    return undefined;
  }
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
      if (stack.includes(e.stage)) throw cycleError(stack, e);
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
