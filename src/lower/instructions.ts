import type { Instruction } from '../syntax/cst.js';
import { quotedFields, splitFlags, type LogicalSlice } from '../syntax/args.js';
import type { Lookup } from '../syntax/expand.js';
import type { InstructionName } from '../syntax/instructions.js';
import { image } from '../llb/source.js';
import { State } from '../llb/state.js';
import { readArgs, type BaseImage, type Compilation, type StageArgs, type StageScope } from './compilation.js';
import type { Stage } from './program.js';
import { expandWord } from './expansion.js';
import { fail } from './words.js';
import { lowerRun } from './run.js';
import { lowerAdd, lowerCopy } from './copy.js';
import { defaultPathEnv } from './imageconfig.js';
import type { Platform } from '../llb/platform.js';
import { file, FileAction, parseChown } from '../llb/fileop.js';
import { joinPath } from '../llb/path.js';

/** The state a stage starts from: scratch, an earlier stage, or an image. */
export function startStage(comp: Compilation, stage: Stage): State {
  const base = comp.base(stage);
  const dockerfile = comp.mode === 'dockerfile';
  switch (base.kind) {
    case 'scratch':
      if (dockerfile) return inherit(State.scratch().platform(comp.stagePlatform(stage)), {}, comp.stagePlatform(stage));
      return base.platform ? State.scratch().platform(base.platform) : State.scratch();
    case 'stage':
      // Lowered first, as a stage the FROM line names (see lowerStages); the line is read
      // again only to point at it otherwise.
      return comp.results[base.stage.index] ?? comp.require(base.stage, stage.fromLine().base);
    case 'image': {
      const config = comp.options.baseImage?.(base.ref, base.platform ?? comp.options.platform);
      const st = image(config?.ref ?? base.ref, { platform: base.platform, constraints: comp.opConstraints(stage, stage.from) });
      if (dockerfile) return inherit(st.platform(comp.stagePlatform(stage)), config ?? {}, comp.stagePlatform(stage));
      return config ? inherit(st, config) : st;
    }
  }
}

/**
 * The state as Dockerfile starts a stage from an image of this configuration. In Dockerfile
 * mode (`pathFor`, the stage's platform) the environment has a PATH, as the frontend adds the
 * default one to a configuration without (an unknown base image's included).
 */
function inherit(state: State, config: BaseImage, pathFor?: Platform): State {
  let st = state;
  if (config.workingDir) st = st.dir(config.workingDir);
  if (config.user) st = st.user(config.user);
  const env = config.env ?? [];
  for (const kv of env) {
    const eq = kv.indexOf('=');
    st = eq < 0 ? st.addEnv(kv, '') : st.addEnv(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const path = pathFor && defaultPathEnv(pathFor.os);
  if (path && !env.some((kv) => kv.startsWith('PATH='))) st = st.addEnv('PATH', path);
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
    const declared = declareArgs(scope.comp, scope.instr, (scope.declared.args ??= new Map()), scope.lookup, false);
    if (scope.comp.mode !== 'dockerfile') return scope.state;
    // The frontend puts every ARG with a value into the environment of what follows.
    let state = scope.state;
    for (const [name, value] of declared) if (value !== undefined) state = state.addEnv(name, value);
    return state;
  },
  WORKDIR: (scope) => (scope.comp.mode === 'dockerfile' ? dockerfileWorkdir(scope) : scope.state.dir(singleValue(scope, 'a path'))),
  USER: (scope) => scope.state.user(singleValue(scope, 'a user')),
};

export function lowerInstruction(comp: Compilation, stage: Stage, instr: Instruction, state: State, declared: StageArgs): State {
  const lookup: Lookup = (name) => state.getEnv().get(name) ?? declared.args?.get(name);
  return handlers[instr.name]({ comp, stage, instr, state, lookup, declared });
}

function noFlags(comp: Compilation, instr: Instruction): LogicalSlice {
  return readArgs(comp, instr).rest;
}

function singleValue(scope: StageScope, what: string): string {
  const name = scope.instr.name;
  const rest = noFlags(scope.comp, scope.instr);
  if (rest.text === '') fail(rest, `${name} requires ${what}`);
  const value = expandWord(rest, scope.lookup);
  if (value === '') fail(rest, `${name} expanded to an empty string`, 0, rest.text.length);
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
  const state = scope.state.dir(dir);
  if (dir === '/') return state;
  const user = scope.state.meta.user;
  const action = FileAction.mkdir(dir, 0o755, { makeParents: true, chown: user ? parseChown(user) : undefined });
  return file(state, action, { constraints: scope.comp.opConstraints(scope.stage, scope.instr, scope.lookup) });
}

/** ENV K=V [K2=V2 ...] or ENV K V; values expanded with the variables before the line. */
function lowerEnv(scope: StageScope): State {
  const rest = noFlags(scope.comp, scope.instr);
  const words = quotedFields(rest);
  if (words.length === 0) fail(rest, 'ENV requires a name and a value');
  const pairs: [string, string][] = [];
  if (!words[0].text.includes('=')) {
    const name = words[0].text;
    const valueStart = words.length > 1 ? words[1].start - rest.start : rest.text.length;
    if (words.length < 2) fail(words[0], `ENV ${name} needs a value: ENV ${name}=value or ENV ${name} value`, 0, name.length);
    pairs.push([name, expandWord(rest.source.slice(rest.start + valueStart, rest.start + rest.text.length), scope.lookup)]);
  } else {
    for (const w of words) {
      const eq = w.text.indexOf('=');
      if (eq <= 0) fail(w, eq === 0 ? 'ENV name is empty' : `ENV ${w.text} needs a value: ${w.text}=value`, 0, w.text.length);
      const name = w.text.slice(0, eq);
      pairs.push([name, expandWord({ ...w, text: w.text.slice(eq + 1), start: w.start + eq + 1 }, scope.lookup)]);
    }
  }
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
