import type { Instruction } from '../syntax/cst.js';
import { quotedFields, splitFlags, type LogicalSlice } from '../syntax/args.js';
import type { Lookup } from '../syntax/expand.js';
import type { InstructionName } from '../syntax/instructions.js';
import { State } from '../llb/state.js';
import type { Platform } from '../llb/platform.js';
import { readArgs, type Compilation, type StageArgs, type StageConfig, type StageScope } from './compilation.js';
import type { Stage } from './program.js';
import { expandWord, expandWordOrEmpty } from './expansion.js';
import { fail } from './words.js';
import { lowerRun } from './run.js';
import { lowerAdd, lowerCopy } from './copy.js';
import { file, FileAction, parseChown } from '../llb/fileop.js';
import { joinPath } from '../llb/path.js';
import { configHandlers, nameValuePairs } from './config.js';
import { applyArg, applyEnv, applyUser, applyWorkdir, baseImage, emptyImage, startStage as startImage, takeOnbuildTriggers, type ImageConfig, type StageImage } from './imageconfig.js';

/** The state a stage starts from (scratch, an earlier stage, or an image), and its image configuration. */
export function startStage(comp: Compilation, stage: Stage): StageStart {
  const base = comp.base(stage);
  const dockerfile = comp.mode === 'dockerfile';
  const history = comp.imageRead?.has(stage) === true;
  switch (base.kind) {
    case 'scratch': {
      const platform = base.platform ?? comp.options.platform;
      const start = scratchStart(platform, history);
      // Dockerfile mode: the exec env starts from emptyImage's (the default PATH).
      if (dockerfile) return { ...start, state: inherit(start.state.platform(platform), start.image.image) };
      return base.platform ? { ...start, state: start.state.platform(base.platform) } : start;
    }
    case 'stage': {
      // Lowered first, as a stage the FROM line names (see lowerStages); the line is read
      // again only to point at it otherwise.
      const state = comp.results[base.stage.index] ?? comp.require(base.stage, stage.fromLine().base);
      const parent = comp.configs[base.stage.index]!;
      // Dockerfile mode: the frontend starts the stage from its base's state and then applies the
      // base's image configuration again (Env added anew, so those keys move to the end).
      if (!dockerfile) return { state, image: startImage(parent, history) };
      // The stage runs its base's ONBUILD triggers (lowerStages) and keeps none of them.
      return { state: inherit(state, parent.image), image: takeOnbuildTriggers(startImage(parent, history)).stage };
    }
    case 'image': {
      const platform = base.platform ?? comp.options.platform;
      // Once per image and platform: a stage each of 100,000 made its own copy of the same configuration.
      const { config, img, quietStart } = comp.imageBase(base.ref, platform, () => {
        const resolved = comp.options.baseImage?.(base.ref, platform);
        const config = resolved?.image;
        // Offline no configuration is known: BuildKit's reference resolves every image to an empty one.
        const img = baseImage(config, platform);
        return { resolved, config, img, quietStart: startImage(img, false) };
      });
      const image = history ? startImage(img) : quietStart;
      const st = comp.image(comp.pinnedImage(stage, base.ref, platform) ?? base.ref, { platform: base.platform, constraints: comp.opConstraints(stage, stage.from) });
      // Dockerfile mode: the state starts from the image's configuration, PATH ensured, as the frontend's.
      if (dockerfile) return { state: inherit(st.platform(comp.stagePlatform(stage)), img), image };
      return { state: config ? inherit(st, config) : st, image };
    }
  }
}

/** `FROM scratch`, at a platform: no op, and Dockerfile's emptyImage. */
export function scratchStart(platform: Platform, history: boolean): StageStart {
  return { state: State.scratch(), image: startImage(emptyImage(platform), history) };
}

/** The state a stage starts from, and its image configuration. */
export interface StageStart {
  readonly state: State;
  readonly image: StageImage;
}

/**
 * The state as Dockerfile starts a stage from an image of this configuration, as the image has
 * it (baseImage and emptyImage have ensured the PATH the frontend adds).
 */
function inherit(state: State, image: ImageConfig): State {
  const config = image.config;
  let st = state;
  if (config.WorkingDir) st = st.dir(config.WorkingDir);
  if (config.User) st = st.user(config.User);
  for (const kv of config.Env ?? []) {
    const eq = kv.indexOf('=');
    st = eq < 0 ? st.addEnv(kv, '') : st.addEnv(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return st;
}

const nonEnvArgs = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

/** Lowers one instruction of a stage body: the state after it. */
export type Handler = (scope: StageScope) => State;

/**
 * Each instruction's lowering, by name: a row added to the instruction table
 * (src/syntax/instructions.ts) is a type error here until it has one.
 */
const handlers: { readonly [N in InstructionName]: Handler } = {
  FROM: () => {
    throw new Error('FROM inside a stage body');
  },
  RUN: lowerRun,
  COPY: lowerCopy,
  ADD: lowerAdd,
  ENV: lowerEnv,
  ARG: (scope) => {
    const values = declareArgs(scope.comp, scope.instr, (scope.declared.args ??= new Map()), scope.lookup, false);
    // The history shows each ARG as declared (its default, not a --build-arg's value).
    scope.config.image = applyArg(scope.config.image, values.map(([name, , written]) => [name, written]));
    const list = (scope.declared.argList ??= []);
    for (const [name, value] of values) list.push([name, value]);
    if (scope.comp.mode !== 'dockerfile') return scope.state;
    // The frontend puts every ARG with a value into the environment of what follows, but for
    // the SBOM scanner's switches (convert.go nonEnvArgs).
    let state = scope.state;
    for (const [name, value] of values) if (value !== undefined && !nonEnvArgs.has(name)) state = state.addEnv(name, value);
    return state;
  },
  WORKDIR: (scope) => {
    const dockerfile = scope.comp.mode === 'dockerfile';
    const state = dockerfile ? dockerfileWorkdir(scope) : scope.state.dir(singleValue(scope, 'a path'));
    // A layer when Dockerfile mode made the directory (anything but `/`).
    scope.config.image = applyWorkdir(scope.config.image, state.getDir(), dockerfile && state.getDir() !== '/').stage;
    return state;
  },
  USER: (scope) => {
    const user = singleValue(scope, 'a user');
    scope.config.image = applyUser(scope.config.image, user);
    return scope.state.user(user);
  },
  ...configHandlers,
};

/**
 * Dockerfile mode: the flags BuildKit v0.11.6's Dockerfile frontend does not know: `COPY/ADD
 * --exclude` (llbc mode has it: v0.11.6's LLB does) and `RUN --security` (outside its labs
 * channel). `--checksum` and `--keep-git-dir`, which it refuses outside its labs channel, are
 * refused in copy.ts with its message.
 */
export function refuseNewerFlags(comp: Compilation, instr: Instruction): void {
  if (comp.mode !== 'dockerfile') return;
  const newer = instr.name === 'COPY' || instr.name === 'ADD' ? 'exclude' : instr.name === 'RUN' ? 'security' : undefined;
  if (!newer) return;
  // Most lines have no such flag; reading every COPY's flags twice raised the peak memory of
  // 100,000 COPY lines by 22 MB.
  if (!comp.args(instr).text.includes(`--${newer}`)) return;
  for (const f of readArgs(comp, instr).flags) {
    if (f.name !== newer) continue;
    const needs = newer === 'exclude' ? 'BuildKit v0.13 (Dockerfile frontend 1.7)' : 'BuildKit v0.12 (Dockerfile frontend 1.6)';
    fail(f.slice, `${instr.name} --${newer} needs ${needs}; v0.11.6 refuses it: unknown flag: ${newer}`, 0, f.slice.text.length);
  }
}

export function lowerInstruction(comp: Compilation, stage: Stage, instr: Instruction, state: State, declared: StageArgs, config: StageConfig): State {
  refuseNewerFlags(comp, instr);
  // Dockerfile mode's ARGs are in the state's environment, but for the SBOM switches, which
  // nothing expands either.
  const lookup: Lookup =
    comp.mode === 'dockerfile'
      ? (name) => state.getEnv().get(name) ?? (nonEnvArgs.has(name) ? undefined : declared.args?.get(name))
      : (name) => state.getEnv().get(name) ?? declared.args?.get(name);
  return handlers[instr.name]({ comp, stage, instr, state, lookup, declared, config });
}

function noFlags(comp: Compilation, instr: Instruction): LogicalSlice {
  return readArgs(comp, instr).rest;
}

function singleValue(scope: StageScope, what: string): string {
  const name = scope.instr.name;
  const rest = noFlags(scope.comp, scope.instr);
  if (rest.text === '') fail(rest, `${name} requires ${what}`);
  const value = expandWord(rest, scope.lookup);
  // BuildKit takes an empty USER (no user) or WORKDIR (the current directory), as a variable
  // the base image would set expands to nothing offline.
  if (value === '' && scope.comp.mode !== 'dockerfile') fail(rest, `${name} expanded to an empty string`, 0, rest.text.length);
  return value;
}

const argName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * ARG NAME[=default] ...: a --build-arg wins, then the default, then (inside a stage) the
 * global ARG of the same name. Defaults are expanded with the variables before the line.
 */
export function declareArgs(
  comp: Compilation,
  instr: Instruction,
  into: Map<string, string | undefined>,
  lookup: Lookup,
  global: boolean,
): [name: string, value: string | undefined, written: string | undefined][] {
  const rest = noFlags(comp, instr);
  const words = quotedFields(rest);
  if (words.length === 0) fail(rest, 'ARG requires a name');
  const values: [string, string | undefined, string | undefined][] = [];
  for (const w of words) {
    const eq = w.text.indexOf('=');
    const name = eq < 0 ? w.text : w.text.slice(0, eq);
    if (!argName.test(name)) fail(w, `invalid ARG name ${JSON.stringify(name)}`, 0, Math.max(1, name.length));
    const text = { ...w, text: w.text.slice(eq + 1), start: w.start + eq + 1 };
    // v0.11.6 ignores the error of a global ARG's default (`ARG V=${X#p}` before FROM), which
    // leaves it empty.
    const written = eq < 0 ? undefined : global && comp.mode === 'dockerfile' ? expandWordOrEmpty(text, lookup) : expandWord(text, lookup);
    let value: string | undefined;
    if (comp.options.buildArgs.has(name)) value = comp.options.buildArgs.get(name);
    else if (eq >= 0) value = written;
    else if (!global) value = comp.globals.get(name);
    values.push([name, value, written]);
  }
  for (const [name, value] of values) into.set(name, value);
  return values;
}

/**
 * Dockerfile's WORKDIR: the directory is made (0755, parents, owned by the USER) as a step of
 * its own, except for `/`; relative paths join the current one.
 */
function dockerfileWorkdir(scope: StageScope): State {
  const value = singleValue(scope, 'a path');
  const dir = joinPath('/', value.startsWith('/') ? '' : scope.state.getDir() || '/', value);
  // An absolute path is the working directory as written (`/app/` stays so in the exec's cwd,
  // as Go's llb.Dir keeps it); the directory made is the clean path.
  const state = scope.state.dir(value.startsWith('/') ? value : dir);
  if (state.getDir() === '/') return state;
  const user = scope.state.meta.user;
  const action = FileAction.mkdir(dir, 0o755, { makeParents: true, chown: user ? parseChown(user) : undefined });
  return file(state, action, { constraints: scope.comp.opConstraints(scope.stage, scope.instr, scope.lookup) });
}

/** ENV K=V [K2=V2 ...] or ENV K V; values expanded with the variables before the line. */
function lowerEnv(scope: StageScope): State {
  const pairs = nameValuePairs(scope, noFlags(scope.comp, scope.instr));
  // Dockerfile mode starts a stage FROM this one with its Env; llbc mode from its state.
  if (scope.comp.mode === 'dockerfile' || scope.comp.imageRead?.has(scope.stage)) scope.config.image = applyEnv(scope.config.image, pairs);
  let state = scope.state;
  for (const [k, v] of pairs) state = state.addEnv(k, v);
  return state;
}

/** Names any ARG line of the file declares, for the unused --build-arg warning. */
export function declaredArgNames(comp: Compilation): Set<string> {
  const out = new Set<string>();
  for (const item of comp.program.file.items) {
    if (item.kind !== 'instruction' || item.name !== 'ARG') continue;
    for (const w of quotedFields(splitFlags(comp.args(item)).rest)) out.add(w.text.split('=')[0]);
  }
  return out;
}
