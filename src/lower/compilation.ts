import { Diagnostic } from '../diagnostics.js';
import type { Instruction } from '../syntax/cst.js';
import { splitFlags, type Flag, type LogicalSlice } from '../syntax/args.js';
import type { Lookup } from '../syntax/expand.js';
import { instruction, type InstructionInfo } from '../syntax/instructions.js';
import { image, local, type LocalOptions } from '../llb/source.js';
import { StepConstraints } from '../llb/constraints.js';
import { parsePlatform, PlatformError, type Platform } from '../llb/platform.js';
import { State } from '../llb/state.js';
import { normalizeImageRef, ImageRefError } from './imageref.js';
import { findStage, type Program, type Stage } from './program.js';
import { expandWord } from './expansion.js';
import { checkFlags, fail } from './words.js';
import type { ImageConfig, StageImage } from './imageconfig.js';

// The state of one compilation, which every instruction handler reads: below the handlers
// (src/lower/instructions.ts, run.ts, copy.ts) and the driver (lower.ts), which import it.

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
  /** The options of the `context` local source; a frontend names its client session here. */
  readonly contextSource?: LocalOptions;
  /**
   * A base image's configuration, where the caller knows it (a frontend asks the daemon): a
   * stage that starts FROM the image inherits its Env, WorkingDir and User, as Dockerfile's do.
   */
  readonly baseImage?: (ref: string, platform: Platform) => BaseImage | undefined;
}

/** What a stage inherits from the image it starts from. */
export interface BaseImage {
  /** The reference to build from instead, pinned to the digest the configuration is of. */
  readonly ref?: string;
  /**
   * The image's whole configuration, which the stage's image configuration starts from; when
   * absent, one made of `env`, `workingDir` and `user` (and, offline, an empty one, as BuildKit's
   * reference resolves every image to).
   */
  readonly image?: ImageConfig;
  /** `KEY=value` strings, as an image configuration lists them. */
  readonly env?: readonly string[];
  readonly workingDir?: string;
  readonly user?: string;
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
  /** Each finished stage's image configuration, by stage index (FROM <stage> starts from it). */
  readonly configs: (StageConfig | undefined)[];
  private readonly bases: (StageBase | undefined)[];
  readonly globals = new Map<string, string | undefined>();
  readonly copyMode: CopyMode;
  private contextState?: State;
  private helperState?: State;
  /** Each step's number in its stage, from 1, by instruction index; 0 for other instructions. */
  private steps?: Int32Array;
  /** Each stage's number of steps, by stage index; -1 until counted. */
  private stepCounts?: Int32Array;

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
    this.configs = new Array<StageConfig | undefined>(program.stages.length);
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
    this.contextState ??= local('context', this.options.contextSource);
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
    return new StepConstraints(this.stepName(stage, instr), instr.startLine, instr.endLine);
  }

  /**
   * `[stage i/n] INSTRUCTION args`, as Dockerfile's prefixCommand: steps are the
   * instructions that create ops (FROM of an image, and the rows with `step`), numbered within the
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
      if (instruction(stage.from.name).step && this.base(stage).kind === 'image') steps[stage.from.index] = ++n;
      for (let k = 0; k < stage.size; k++) {
        const i = stage.at(k);
        if (instruction(i.name).step) steps[i.index] = ++n;
      }
      counts[stage.index] = n;
    }
    return steps[instr.index];
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

/** Everything an instruction handler needs about where it runs. */
export interface StageScope {
  readonly comp: Compilation;
  readonly stage: Stage;
  readonly instr: Instruction;
  readonly state: State;
  /** Variables: the state's ENV first, then the stage's declared ARGs. */
  readonly lookup: Lookup;
  /** The ARGs the stage has declared so far, which ARG adds to. */
  readonly declared: StageArgs;
  /** The stage's image configuration so far, which the config instructions (and ENV, ...) replace. */
  readonly config: StageConfig;
}

/**
 * A stage's image configuration while it is lowered (the OCI config `llbc config` prints, see
 * imageconfig.ts). Handlers replace `image` with an `apply*` of it; RUN reads the SHELL from it.
 */
export interface StageConfig {
  image: StageImage;
  /**
   * A SHELL instruction ran in this stage or in the stage it starts from. In llbc mode a
   * shell-form RUN runs through the shell only then (a resolved base image's Shell does not count).
   */
  shellSet: boolean;
}

/** What a FROM line names, resolved once per stage (step names need it before the stage is lowered). */
export type StageBase =
  | { readonly kind: 'scratch'; readonly platform?: Platform }
  | { readonly kind: 'stage'; readonly stage: Stage }
  | { readonly kind: 'image'; readonly ref: string; readonly platform?: Platform };

function resolveStageBase(comp: Compilation, stage: Stage): StageBase {
  const globals: Lookup = (name) => comp.globals.get(name);
  const from = stage.fromLine();
  const platform = from.platformFlag && platformOf(from.platformFlag.value!, globals);
  const base = expandWord(from.base, globals);
  if (base === '') fail(from.base, 'FROM image expanded to an empty string', 0, from.base.text.length);
  if (base.toLowerCase() === 'scratch') return { kind: 'scratch', platform };
  // FROM refers only to stages defined above it, so `FROM node AS node` names an image.
  const earlier = findStage(comp.program, base, stage.index);
  if (earlier && !/^\d+$/.test(base)) return { kind: 'stage', stage: earlier };
  return { kind: 'image', ref: normalizeImage(from.base, base), platform };
}

function platformOf(value: LogicalSlice, lookup: Lookup): Platform {
  const spec = expandWord(value, lookup);
  try {
    return parsePlatform(spec);
  } catch (e) {
    if (e instanceof PlatformError) fail(value, `invalid platform ${JSON.stringify(spec)}: ${e.message}`, 0, value.text.length);
    throw e;
  }
}

/** The ARGs a stage has declared so far; made at the first, as most stages declare none. */
export interface StageArgs {
  args: Map<string, string | undefined> | undefined;
}

/** An instruction's arguments: its flags, checked against its row of the table, and the rest. */
export interface InstructionArgs {
  readonly spec: InstructionInfo;
  /** In the order written. */
  readonly flags: readonly Flag[];
  readonly byName: ReadonlyMap<string, Flag[]>;
  readonly rest: LogicalSlice;
}

export function readArgs(comp: Compilation, instr: Instruction): InstructionArgs {
  const spec = instruction(instr.name);
  const { flags, rest } = splitFlags(comp.args(instr));
  return { spec, flags, byName: checkFlags(spec, flags), rest };
}

/**
 * The flags that name a stage (COPY --from), as written: the one place that picks them out,
 * for the scan of the stages a stage uses (before its flags are checked) and for lowering.
 */
export function stageRefFlags(spec: InstructionInfo, flags: readonly Flag[]): Flag[] {
  if (spec.stageRefFlags.length === 0) return [];
  return flags.filter((f) => spec.flagsByName.get(f.name)?.stageRef);
}
