import type { Instruction } from '../syntax/cst.js';
import { quotedFields, splitFlags, type LogicalSlice } from '../syntax/args.js';
import type { Lookup } from '../syntax/expand.js';
import type { InstructionName } from '../syntax/instructions.js';
import { image } from '../llb/source.js';
import { State } from '../llb/state.js';
import type { Platform } from '../llb/platform.js';
import { readArgs, type BaseImage, type Compilation, type StageArgs, type StageConfig, type StageScope } from './compilation.js';
import type { Stage } from './program.js';
import { expandWord } from './expansion.js';
import { fail } from './words.js';
import { lowerRun } from './run.js';
import { lowerAdd, lowerCopy } from './copy.js';
import { file, FileAction, parseChown } from '../llb/fileop.js';
import { joinPath } from '../llb/path.js';
import { configHandlers, nameValuePairs } from './config.js';
import { applyArg, applyEnv, applyUser, applyWorkdir, baseImage, emptyImage, startStage as startImage, type ImageConfig } from './imageconfig.js';

/** The state a stage starts from (scratch, an earlier stage, or an image), and its image configuration. */
export function startStage(comp: Compilation, stage: Stage): { state: State; config: StageConfig } {
  const base = comp.base(stage);
  const dockerfile = comp.mode === 'dockerfile';
  switch (base.kind) {
    case 'scratch': {
      const platform = base.platform ?? comp.options.platform;
      const start = scratchStart(platform);
      // Dockerfile mode: the exec env starts from emptyImage's (the default PATH).
      if (dockerfile) return { ...start, state: inherit(start.state.platform(platform), start.config.image.image) };
      return base.platform ? { ...start, state: start.state.platform(base.platform) } : start;
    }
    case 'stage': {
      // Lowered first, as a stage the FROM line names (see lowerStages); the line is read
      // again only to point at it otherwise.
      const state = comp.results[base.stage.index] ?? comp.require(base.stage, stage.fromLine().base);
      const parent = comp.configs[base.stage.index]!;
      return { state, config: { image: startImage(parent.image.image), shellSet: parent.shellSet } };
    }
    case 'image': {
      const platform = base.platform ?? comp.options.platform;
      // Once per image and platform: a stage each of 100,000 made its own copy of the same configuration.
      const { resolved, config, img } = comp.imageBase(base.ref, platform, () => {
        const resolved = comp.options.baseImage?.(base.ref, platform);
        const config = resolved && resolvedConfig(resolved);
        // Offline no configuration is known: BuildKit's reference resolves every image to an empty one.
        return { resolved, config, img: baseImage(config, platform) };
      });
      const st = image(resolved?.ref ?? base.ref, { platform: base.platform, constraints: comp.opConstraints(stage, stage.from) });
      // Dockerfile mode: the state starts from the image's configuration, PATH ensured, as the frontend's.
      if (dockerfile) return { state: inherit(st.platform(comp.stagePlatform(stage)), img), config: { image: startImage(img), shellSet: false } };
      return { state: config ? inherit(st, config) : st, config: { image: startImage(img), shellSet: false } };
    }
  }
}

/** `FROM scratch`, at a platform: no op, and Dockerfile's emptyImage. */
export function scratchStart(platform: Platform): { state: State; config: StageConfig } {
  return { state: State.scratch(), config: { image: startImage(emptyImage(platform)), shellSet: false } };
}

/** The configuration a resolver gave: the whole image's, or one made of what the stage inherits. */
function resolvedConfig(base: BaseImage): ImageConfig {
  if (base.image) return base.image;
  const config = { Env: base.env && [...base.env], WorkingDir: base.workingDir, User: base.user, OnBuild: null };
  return { architecture: '', os: '', rootfs: { type: 'layers', diff_ids: null }, config };
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
    scope.config.image = applyArg(scope.config.image, values);
    if (scope.comp.mode !== 'dockerfile') return scope.state;
    // The frontend puts every ARG with a value into the environment of what follows.
    let state = scope.state;
    for (const [name, value] of values) if (value !== undefined) state = state.addEnv(name, value);
    return state;
  },
  WORKDIR: (scope) => {
    const state = scope.comp.mode === 'dockerfile' ? dockerfileWorkdir(scope) : scope.state.dir(singleValue(scope, 'a path'));
    scope.config.image = applyWorkdir(scope.config.image, state.getDir(), false).stage;
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
 * Flags the table declares (Dockerfile has them) that BuildKit v0.11.6's Dockerfile frontend
 * refuses or lacks, and the release that takes them.
 */
const newerFlags: Readonly<Record<string, string>> = {
  checksum: 'BuildKit v0.12 (Dockerfile frontend 1.6; v0.11.6 takes it only in the labs channel)',
  'keep-git-dir': 'BuildKit v0.12 (Dockerfile frontend 1.6; v0.11.6 takes it only in the labs channel)',
  exclude: 'BuildKit v0.13 (Dockerfile frontend 1.7)',
};

function refuseNewerFlags(comp: Compilation, instr: Instruction): void {
  if (instr.name !== 'COPY' && instr.name !== 'ADD') return;
  // Most lines have none of these flags; reading every COPY's flags twice raised the peak memory of
  // 100,000 COPY lines by 22 MB.
  if (!/--(?:checksum|keep-git-dir|exclude)\b/.test(comp.args(instr).text)) return;
  for (const f of readArgs(comp, instr).flags) {
    const needs = newerFlags[f.name];
    // Dockerfile mode refuses these as v0.11.6's frontend does, in copy.ts, with its message.
    if (comp.mode === 'dockerfile' && (f.name === 'checksum' || f.name === 'keep-git-dir')) continue;
    if (needs) fail(f.slice, `${instr.name} --${f.name} needs ${needs}; llbc targets BuildKit v0.11.6`, 0, f.slice.text.length);
  }
}

export function lowerInstruction(comp: Compilation, stage: Stage, instr: Instruction, state: State, declared: StageArgs, config: StageConfig): State {
  refuseNewerFlags(comp, instr);
  const lookup: Lookup = (name) => state.getEnv().get(name) ?? declared.args?.get(name);
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
): [string, string | undefined][] {
  const rest = noFlags(comp, instr);
  const words = quotedFields(rest);
  if (words.length === 0) fail(rest, 'ARG requires a name');
  const values: [string, string | undefined][] = [];
  for (const w of words) {
    const eq = w.text.indexOf('=');
    const name = eq < 0 ? w.text : w.text.slice(0, eq);
    if (!argName.test(name)) fail(w, `invalid ARG name ${JSON.stringify(name)}`, 0, Math.max(1, name.length));
    let value: string | undefined;
    if (comp.options.buildArgs.has(name)) value = comp.options.buildArgs.get(name);
    else if (eq >= 0) value = expandWord({ ...w, text: w.text.slice(eq + 1), start: w.start + eq + 1 }, lookup);
    else if (!global) value = comp.globals.get(name);
    values.push([name, value]);
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
  scope.config.image = applyEnv(scope.config.image, pairs);
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
