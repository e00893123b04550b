import { Diagnostic } from '../diagnostics.js';
import type { BuildFile, Instruction } from '../syntax/cst.js';
import { offsetOf, splitFlags } from '../syntax/args.js';
import { isPlainWord, type Lookup } from '../syntax/expand.js';
import { instruction } from '../syntax/instructions.js';
import { formatPlatform, type Platform } from '../llb/platform.js';
import type { State } from '../llb/state.js';
import { Compilation, NeedStage, stageRefFlags, type LowerOptions, type StageArgs, type StageConfig } from './compilation.js';
import { findStage, readProgram, type Stage } from './program.js';
import { declareArgs, declaredArgNames, lowerInstruction, scratchStart, startStage, type StageStart } from './instructions.js';
import { checkAllFlags, checkUnusedStages } from './parsecheck.js';
import { proxyArgs } from './run.js';
import { fail } from './words.js';
import { onbuildTriggers } from './onbuild.js';
import { finishedImage, type ImageConfig, type StageImage } from './imageconfig.js';

export interface Lowered {
  readonly state: State;
  readonly warnings: readonly Diagnostic[];
  /**
   * The target stage's OCI image configuration (imageConfigJSON prints it as BuildKit's frontend
   * returns `containerimage.config`). Offline the base images' parts are unknown: empty, as in
   * BuildKit's reference; with LowerOptions.baseImage, what that resolved. Only with
   * LowerOptions.imageConfig: without it, reading it is an internal error.
   */
  readonly config: ImageConfig;
}

/** Compiles the tree to the state of the target stage. */
export function lower(file: BuildFile, options: LowerOptions): Lowered {
  const program = readProgram(file, options.mode === 'dockerfile');
  const comp = new Compilation(program, options);
  for (const [k, v] of predefinedArgs(options.platform)) comp.globals.set(k, v);
  for (const instr of program.globals) declareArgs(comp, instr, comp.globals, (name) => comp.globals.get(name), true);
  const target = options.target === undefined ? program.stages[program.stages.length - 1] : findStage(program, options.target);
  if (!target) {
    const names = program.stages.flatMap((s) => (s.displayName ? [s.displayName] : []));
    throw new Diagnostic(undefined, 0, `target stage ${JSON.stringify(options.target)} not found${names.length ? `; stages are: ${names.join(', ')}` : ''}`);
  }
  if (options.mode === 'dockerfile') checkAllFlags(comp);
  if (options.imageConfig) comp.imageRead = fromChain(comp, target);
  const state = lowerStages(comp, target)!;
  if (options.mode === 'dockerfile') checkUnusedStages(comp, program.stages.filter((s) => !comp.results[s.index]));
  warnUnusedBuildArgs(comp);
  return lowered(state, comp.warnings, options.imageConfig ? comp.configs[target.index] : undefined);
}

/**
 * The result, its image configuration made when read. Apart from lower() so that the getter
 * holds only the image: a closure in lower() would hold its scope, the whole compilation,
 * while the graph is marshalled (57 MB of 100,000 stages).
 */
function lowered(state: State, warnings: readonly Diagnostic[], image: StageImage | undefined): Lowered {
  let config: ImageConfig | undefined;
  return {
    state,
    warnings,
    get config() {
      if (!image) throw new Error('the image configuration was not recorded: lower with imageConfig');
      return (config ??= finishedImage(image));
    },
  };
}

/**
 * The target and the stages it is built FROM, whose history its image gets: only theirs is
 * recorded (a history entry for each of 100,000 stages copied from cost 30 MB at the peak).
 * A FROM line that fails stops the chain; lowering meets the error there again.
 */
function fromChain(comp: Compilation, target: Stage): Set<Stage> {
  const chain = new Set<Stage>();
  for (let stage: Stage | undefined = target; stage && !chain.has(stage); ) {
    chain.add(stage);
    try {
      const base = comp.base(stage);
      stage = base.kind === 'stage' ? base.stage : undefined;
    } catch (e) {
      if (!(e instanceof Diagnostic)) throw e;
      stage = undefined;
    }
  }
  return chain;
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
  /** The stage's image configuration so far: the cursor is the handlers' StageConfig. */
  image?: StageImage;
  /** ONBUILD instructions of the base stage, run before the stage's own (Dockerfile mode). */
  triggers?: Instruction[];
  /** The next instruction to lower (the triggers counted first); -1 before the FROM line. */
  next: number;
}

/**
 * Where lowering may go on instead of stopping at the first error, or stop early: the compiler
 * uses none, a language server (src/lsp/check.ts) all, so that both lower with one loop.
 */
export interface StageHooks {
  /**
   * Given each error lowering meets (an instruction's, a FROM line's, a stage cycle), which it
   * reports, or throws again (an internal error): lowering then goes on without the instruction,
   * from the state before it (a FROM: from scratch). Without it, the first error is thrown.
   */
  readonly failed?: (error: unknown) => void;
  /** Lowering stops once this instruction is lowered; `found` gets the variables it saw and left. */
  readonly watch?: { readonly instr: Instruction; found(before: Lookup, after: Lookup): void };
}

/**
 * Lowers the target stage and, on demand, the stages it uses: their state, or undefined when it
 * stopped at the watched instruction. A worklist instead of recursion: long chains of stages
 * cannot overflow the stack, and a stage met again while still in progress is a cycle.
 */
export function lowerStages(comp: Compilation, target: Stage, hooks: StageHooks = {}): State | undefined {
  // A stage has a cursor while it is on the stack. A chain of 100,000 stages has them all at
  // once, so they are kept by stage index, in an array sized once.
  const cursors = new Array<Cursor | undefined>(comp.program.stages.length);
  const stack: Stage[] = [target];
  const watched = hooks.watch?.instr;
  while (stack.length > 0) {
    const stage = stack[stack.length - 1];
    if (comp.results[stage.index]) {
      // Asked for twice before it was lowered.
      stack.pop();
      continue;
    }
    let cursor = cursors[stage.index];
    if (!cursor) {
      cursors[stage.index] = cursor = { next: -1, state: undefined, image: undefined, triggers: undefined, args: undefined };
      const first = stagesFirst(comp, stage).filter((s) => !comp.results[s.index] && !cursors[s.index]);
      if (first.length > 0) {
        for (let i = first.length - 1; i >= 0; i--) stack.push(first[i]);
        continue;
      }
    }
    try {
      if (cursor.next < 0) {
        ({ state: cursor.state, image: cursor.image } = startOrScratch(comp, stage, hooks));
        cursor.triggers = onbuildTriggers(comp, stage);
        cursor.next = 0;
      }
      // The base stage's ONBUILD triggers first, then the stage's own instructions.
      const triggers = cursor.triggers!;
      for (; cursor.next < triggers.length + stage.size; cursor.next++) {
        const instr = cursor.next < triggers.length ? triggers[cursor.next] : stage.at(cursor.next - triggers.length);
        const before = instr === watched ? variablesAt(cursor) : undefined;
        try {
          cursor.state = lowerInstruction(comp, stage, instr, cursor.state!, cursor, cursor as StageConfig);
        } catch (e) {
          if (e instanceof NeedStage || !hooks.failed) throw e;
          hooks.failed(e);
        }
        if (before) {
          hooks.watch!.found(before, variablesAt(cursor));
          return undefined;
        }
      }
      comp.results[stage.index] = cursor.state!;
      comp.configs[stage.index] = cursor.image!;
      stack.pop();
      cursors[stage.index] = undefined;
    } catch (e) {
      if (!(e instanceof NeedStage)) throw e;
      // Every stage on the stack has a cursor, and the others do not: a membership test in O(1).
      if (!cursors[e.stage.index]) {
        stack.push(e.stage);
        continue;
      }
      const cycle = cycleError(stack, e);
      if (!hooks.failed) throw cycle;
      hooks.failed(cycle);
      // Go on without the instruction that closed the cycle.
      if (cursor.next < 0) {
        ({ state: cursor.state, image: cursor.image } = scratchStart(comp.options.platform, false));
        cursor.triggers = [];
      }
      cursor.next++;
    }
  }
  return comp.results[target.index]!;
}

/** namedStages, or none when the stage's FROM line fails: starting the stage meets its error again, and reports it there. */
function stagesFirst(comp: Compilation, stage: Stage): Stage[] {
  try {
    return namedStages(comp, stage);
  } catch (e) {
    if (e instanceof Diagnostic) return [];
    throw e;
  }
}

/** The state and configuration a stage starts from; from scratch when its FROM fails and hooks.failed goes on. */
function startOrScratch(comp: Compilation, stage: Stage, hooks: StageHooks): StageStart {
  try {
    return startStage(comp, stage);
  } catch (e) {
    if (e instanceof NeedStage || !hooks.failed) throw e;
    hooks.failed(e);
    return scratchStart(comp.options.platform, false);
  }
}

/** The variables an instruction at the cursor sees: the state's ENV, then the stage's ARGs. */
function variablesAt(cursor: Cursor): Lookup {
  const env = cursor.state?.getEnv();
  const args = cursor.args && new Map(cursor.args);
  return (name) => env?.get(name) ?? args?.get(name);
}

/**
 * The stages a stage's FROM and its stage-reference flags (COPY --from) name as they are
 * written, which are lowered before it: lowering it then does not stop at each line that names
 * one to ask for it (an exception and the line read again, a tenth of the compile of a long
 * chain of stages). A name made of variables, or a stage named by a RUN mount, is asked for as
 * before.
 */
function namedStages(comp: Compilation, stage: Stage): Stage[] {
  const out: Stage[] = [];
  if (comp.program.stages.length === 1) return out;
  const base = comp.base(stage);
  if (base.kind === 'stage') out.push(base.stage);
  for (let i = 0; i < stage.size; i++) {
    const instr = stage.at(i);
    const spec = instruction(instr.name);
    if (spec.stageRefFlags.length === 0) continue;
    for (const flag of stageRefFlags(spec, splitFlags(comp.args(instr)).flags)) {
      if (!flag.value || !isPlainWord(flag.value.text)) continue;
      const named = findStage(comp.program, flag.value.text);
      if (named && named !== stage && !out.includes(named)) out.push(named);
    }
  }
  return out;
}

function cycleError(stack: Stage[], e: NeedStage): Diagnostic {
  const from = stack.indexOf(e.stage);
  const names = [...stack.slice(from), e.stage].map((s) => s.displayName ?? `stage ${s.index}`);
  return new Diagnostic(e.at.source.source, offsetOf(e.at, 0), `stage cycle: ${names.join(' -> ')}`, e.at.text.length);
}

function warnUnusedBuildArgs(comp: Compilation): void {
  const declared = declaredArgNames(comp);
  // Dockerfile mode gives the proxy build args to every RUN, declared or not.
  const proxy = (name: string) => comp.mode === 'dockerfile' && (proxyArgs as readonly string[]).includes(name.toLowerCase());
  for (const name of comp.options.buildArgs.keys()) {
    if (!declared.has(name) && !proxy(name)) {
      comp.warnings.push(new Diagnostic(undefined, 0, `build-arg ${name} was not consumed by any ARG`, 1, 'warning'));
    }
  }
}
