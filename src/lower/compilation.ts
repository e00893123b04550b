import { Diagnostic } from '../diagnostics.js';
import type { Instruction } from '../syntax/cst.js';
import { splitFlags, type Flag, type LogicalSlice } from '../syntax/args.js';
import type { Lookup } from '../syntax/expand.js';
import { instruction, type InstructionInfo } from '../syntax/instructions.js';
import { imageOf, imageSpec, local, localDeferred, type ImageOptions, type LocalOptions, type SourceSpec } from '../llb/source.js';
import { StepConstraints } from '../llb/constraints.js';
import { joinPath } from '../llb/path.js';
import { formatPlatform, parsePlatform, PlatformError, type Platform } from '../llb/platform.js';
import { State } from '../llb/state.js';
import { normalizeImageRef, ImageRefError } from './imageref.js';
import { findStage, type Program, type Stage } from './program.js';
import { expandWord } from './expansion.js';
import { checkFlags, fail } from './words.js';
import { joinedBody, namesCarryStage, originalLine, stepImageName, stepText } from './dfsteps.js';
import type { ImageConfig, StageImage } from './imageconfig.js';

// The state of one compilation, which every instruction handler reads: below the handlers
// (src/lower/instructions.ts, run.ts, copy.ts) and the driver (lower.ts), which import it.

export type CopyMode = 'exec' | 'file';

/**
 * The two languages a build file can be written in: llbc's own (`.llb`, the default) and
 * Dockerfile, compiled as BuildKit's Dockerfile frontend compiles it.
 */
export type BuildMode = 'llbc' | 'dockerfile';

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
  /** llbc's language (the default) or Dockerfile, lowered as BuildKit's Dockerfile frontend does. */
  readonly mode?: BuildMode;
  /**
   * The caller reads Lowered.config (`llbc config`, a frontend): the image history is recorded.
   * Without it none is: `llbc build` does not read it, and it cost memory and time in both modes.
   */
  readonly imageConfig?: boolean;
}

/** A base image as the stages that start from it see it: what the resolver gave, and the image configuration they start from. */
export interface ImageBase {
  readonly resolved?: BaseImage;
  /** The resolved configuration, or one made of what the resolver gave. */
  readonly config?: ImageConfig;
  /** The configuration a stage starts from (baseImage: PATH ensured, the platform set). */
  readonly img: ImageConfig;
  /** The start of every stage from it that records no history (see startStage), shared. */
  readonly quietStart: StageImage;
}

/** What a stage inherits from the image it starts from. */
export interface BaseImage {
  /**
   * The digest the configuration is of (of the manifest or index the reference named), which the
   * stage's image is pinned to as Dockerfile's frontend pins it (see Compilation.pinnedImage).
   */
  readonly digest?: string;
  /**
   * The image's configuration (parseImageConfig reads one), which the stage's starts from; when
   * absent, as offline, an empty one, as BuildKit's reference resolves every image to.
   */
  readonly image?: ImageConfig;
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
  readonly configs: (StageImage | undefined)[];
  /**
   * The stages whose image configuration the caller reads (set by lower() with
   * LowerOptions.imageConfig: the target and the stages it is built FROM). Only these record
   * history, and in llbc mode, where nothing else reads a stage's Env, only these keep one.
   */
  imageRead?: ReadonlySet<Stage>;
  private readonly bases: (StageBase | undefined)[];
  readonly globals = new Map<string, string | undefined>();
  readonly copyMode: CopyMode;
  readonly mode: BuildMode;
  /**
   * Dockerfile mode: the context paths COPY, ADD and bind mounts use, for the context's
   * `local.followpaths`; undefined once one uses the whole context.
   */
  private contextPaths: Set<string> | undefined = new Set();
  /** Dockerfile mode: each stage's next step number (the frontend numbers steps as it names them). */
  private nextStep?: Int32Array;
  private stepNumbers = new Map<Instruction, number>();
  private carryStage?: boolean;
  private contextState?: State;
  private helperState?: State;
  /** Each step's number in its stage, from 1, by instruction index; 0 for other instructions. */
  private steps?: Int32Array;
  /** Each stage's number of steps, by stage index; -1 until counted. */
  private stepCounts?: Int32Array;
  /** What each base image (by reference and platform) gives the stages that start from it. */
  private readonly imageBases = new Map<string, ImageBase>();
  /** Each image source's spec, by reference and platform (see image()). */
  private readonly imageSpecs = new Map<string, SourceSpec>();
  /** The bases of FROM lines that name an image, by reference as written and platform (see imageStageBase). */
  private readonly imageStageBases = new Map<string, StageBase>();
  private lastStep?: { readonly instr: Instruction; readonly constraints: StepConstraints | undefined };

  constructor(
    readonly program: Program,
    readonly options: LowerOptions,
  ) {
    const directive = program.file.directives.get('copy');
    if (directive && directive.value !== 'exec' && directive.value !== 'file') {
      throw new Diagnostic(program.file.source, directive.offset, `unknown copy mode ${JSON.stringify(directive.value)} in directive: use copy=exec or copy=file`);
    }
    this.mode = options.mode ?? 'llbc';
    // Dockerfile's COPY is a FileOp copy; the `# copy=` directive is llbc's.
    this.copyMode = this.mode === 'dockerfile' ? 'file' : (options.copyMode ?? (directive?.value as CopyMode | undefined) ?? 'exec');
    this.results = new Array<State | undefined>(program.stages.length);
    this.configs = new Array<StageImage | undefined>(program.stages.length);
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

  /**
   * The reference a stage's FROM image is built from once resolved to a digest, as Dockerfile's
   * frontend pins it with reference.WithDigest: as written (normalized, without a default tag)
   * `@digest` (`docker.io/library/alpine@sha256:...`), which is also its step's name. Undefined
   * when the resolver gave no digest, or the reference has one.
   */
  pinnedImage(stage: Stage, ref: string, platform: Platform): string | undefined {
    const digest = this.imageBases.get(imageKey(ref, platform))?.resolved?.digest;
    if (!digest || ref.includes('@')) return undefined;
    return `${this.writtenImage(stage, ref)}@${digest}`;
  }

  /** The stage's FROM image as written, normalized, without the default tag it did not write. */
  private writtenImage(stage: Stage, ref: string): string {
    return stepImageName(expandWord(stage.fromLine().base, (n) => this.globals.get(n)), ref);
  }

  /** The base image's configuration, made by `make` once per reference and platform. */
  imageBase(ref: string, platform: Platform, make: () => ImageBase): ImageBase {
    const key = imageKey(ref, platform);
    let found = this.imageBases.get(key);
    if (!found) this.imageBases.set(key, (found = make()));
    return found;
  }

  /**
   * `llb.Image(ref)`, of one spec per reference and platform in the compilation: the sources of
   * its stages share it, and with it one encoding and digest (100,000 stages from one image:
   * see bench/PERFORMANCE.md). The specs go with the compilation.
   */
  image(ref: string, opts: ImageOptions = {}): State {
    const key = opts.platform ? `${ref} ${formatPlatform(opts.platform)}` : ref;
    let spec = this.imageSpecs.get(key);
    if (!spec) this.imageSpecs.set(key, (spec = imageSpec(ref, opts.platform)));
    return imageOf(spec, opts);
  }

  /**
   * `llb.Local("context")`: one source op for the whole build. In Dockerfile mode, as the
   * frontend makes it: with a shared key hint, its step name and the paths the build uses
   * (`path`, a path the caller copies from it; undefined for the whole context).
   */
  context(path?: string): State {
    if (this.mode !== 'dockerfile') {
      this.contextState ??= local('context', this.options.contextSource);
      return this.contextState;
    }
    const p = path === undefined ? '' : joinPath('/', path).slice(1);
    if (p === '') this.contextPaths = undefined;
    else this.contextPaths?.add(p);
    this.contextState ??= localDeferred(
      'context',
      () => ({
        ...this.options.contextSource,
        sharedKeyHint: 'context',
        followPaths: this.contextPaths && [...this.contextPaths].sort(compareStrings),
      }),
      this.debugNames() ? { constraints: { metadata: { caps: {}, description: { 'llb.customname': '[internal] load build context' } } } } : {},
    );
    return this.contextState;
  }

  /** Whether ops get step names: asked for (llbc mode), or unless refused (Dockerfile mode, as the frontend names every step). */
  debugNames(): boolean {
    return this.mode === 'dockerfile' ? this.options.debugInfo !== false : !!this.options.debugInfo;
  }

  copyHelper(): State {
    this.helperState ??= this.image(this.normalizedCopyImage());
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
    const normalized = normalizeImage(ref, value);
    if (this.mode === 'dockerfile') {
      // The frontend makes the image a stage of its own, named as its FROM with no step number.
      const named = this.debugNames() ? new StepConstraints(`FROM ${stepImageName(value, normalized)}`, instr.startLine, instr.endLine, '') : undefined;
      return this.image(normalized, { constraints: named, platform: self === undefined ? undefined : this.stagePlatform(self) });
    }
    return this.image(normalized, { constraints: this.opConstraints(self, instr) });
  }

  /**
   * A FROM line's image (`written` as expanded, at `at`), normalized once and one object per
   * reference and platform: 100,000 stages FROM one image each kept their own, and their own
   * copy of the reference, 14 MB.
   */
  imageStageBase(written: string, at: LogicalSlice, platform: Platform | undefined): StageBase {
    const key = platform ? imageKey(written, platform) : written;
    let found = this.imageStageBases.get(key);
    if (!found) this.imageStageBases.set(key, (found = { kind: 'image', ref: normalizeImage(at, written), platform }));
    return found;
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
  opConstraints(stage: Stage, instr: Instruction, lookup?: Lookup): StepConstraints | undefined {
    // One per instruction, shared by its ops (a COPY makes two or three): each made anew held its
    // own copy of the step name, 286 MB against 233 MB at the peak of 100,000 COPY lines.
    if (this.lastStep?.instr === instr) return this.lastStep.constraints;
    const constraints = this.mode === 'dockerfile' ? this.dockerfileStep(stage, instr, lookup) : this.options.debugInfo ? new StepConstraints(this.stepName(stage, instr), instr.startLine, instr.endLine) : undefined;
    this.lastStep = { instr, constraints };
    return constraints;
  }

  /**
   * Dockerfile mode's step name and command description, as BuildKit v0.11.6's frontend makes
   * them: `[NAME i/n] ...` with NAME only when the build has several dispatch states, `i`
   * taken as names are made, the text expanded with the variables known at the instruction.
   */
  private dockerfileStep(stage: Stage, instr: Instruction, lookup: Lookup | undefined): StepConstraints | undefined {
    if (!this.debugNames()) return undefined;
    const raw = originalLine(instr);
    const base = this.base(stage);
    let text: string;
    let command: string | undefined;
    if (instr === stage.from && base.kind === 'image') {
      text = `FROM ${this.pinnedImage(stage, base.ref, base.platform ?? this.options.platform) ?? this.writtenImage(stage, base.ref)}`;
      command = raw;
    } else {
      text = stepText(this.program, instr, lookup ?? (() => undefined), raw);
      if (instr.name === 'RUN') command = raw;
    }
    this.carryStage ??= namesCarryStage(this.program, (ref) => findStage(this.program, ref) !== undefined);
    const label = this.carryStage ? `${stage.name ?? `stage-${stage.index}`} ` : '';
    let n = this.stepNumbers.get(instr);
    if (n === undefined) {
      const next = (this.nextStep ??= new Int32Array(this.program.stages.length));
      n = ++next[stage.index];
      this.stepNumbers.set(instr, n);
    }
    const total = this.dockerfileStepCount(stage);
    // prefixCommand: no prefix in a stage without steps (one FROM <stage> that only runs its
    // base's ONBUILD triggers); the number padded to the width of the total (`%*d`).
    const name = total === 0 ? text : `[${label}${String(n).padStart(String(total).length)}/${total}] ${text}`;
    return new StepConstraints(name, instr.startLine, instr.endLine, command);
  }

  /** The steps the frontend counts in a stage: FROM of an image, and each RUN, COPY, ADD and WORKDIR. */
  private dockerfileStepCount(stage: Stage): number {
    const counts = (this.stepCounts ??= new Int32Array(this.program.stages.length).fill(-1));
    if (counts[stage.index] < 0) {
      let n = this.base(stage).kind === 'image' ? 1 : 0;
      for (let k = 0; k < stage.size; k++) if (dockerfileSteps.has(stage.at(k).name)) n++;
      counts[stage.index] = n;
    }
    return counts[stage.index];
  }

  /** The platform of a stage's ops: its FROM's, else the build's. */
  stagePlatform(stage: Stage): Platform {
    const base = this.base(stage);
    if (base.kind === 'stage') return this.stagePlatform(base.stage);
    return base.platform ?? this.options.platform;
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

const dockerfileSteps: ReadonlySet<string> = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The instruction on one line, its keyword upper-cased and its arguments trimmed (see joinedBody). */
export function joinedLine(instr: Instruction): string {
  const text = joinedBody(instr).trim();
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
  // FROM refers only to stages defined above it, so `FROM node AS node` names an image. The
  // frontend matches the name exactly against the lower-cased stage names: `FROM Build` names an
  // image (and fails, as an image name must be lower-case).
  const earlier = comp.mode === 'dockerfile' && base !== base.toLowerCase() ? undefined : findStage(comp.program, base, stage.index);
  if (earlier && !/^\d+$/.test(base)) return { kind: 'stage', stage: earlier };
  return comp.imageStageBase(base, from.base, platform);
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
  /** Each ARG of the stage in the order declared (again when declared again), with its value: a RUN's history lists them. */
  argList?: [string, string | undefined][];
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

function imageKey(ref: string, platform: Platform): string {
  return `${ref} ${formatPlatform(platform)}`;
}
