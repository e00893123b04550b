import type { Instruction } from '../syntax/cst.js';
import { splitFlags, type LogicalSlice } from '../syntax/args.js';
import { image } from '../llb/source.js';
import { parsePlatform, PlatformError, type Platform } from '../llb/platform.js';
import { State } from '../llb/state.js';
import type { BaseImage, Compilation } from './lower.js';
import { findStage, type Stage } from './program.js';
import { expandWord } from './expansion.js';
import { checkFlags, fail, quotedFields } from './words.js';
import { lowerRun } from './run.js';
import { lowerAdd, lowerCopy } from './copy.js';
import type { Lookup } from './expand.js';

/** Everything an instruction handler needs about where it runs. */
export interface StageScope {
  readonly comp: Compilation;
  readonly stage: Stage;
  readonly instr: Instruction;
  readonly state: State;
  /** Variables: the state's ENV first, then the stage's declared ARGs. */
  readonly lookup: Lookup;
}

/** What a FROM line names, resolved once per stage (step names need it before the stage is lowered). */
export type StageBase =
  | { readonly kind: 'scratch'; readonly platform?: Platform }
  | { readonly kind: 'stage'; readonly stage: Stage }
  | { readonly kind: 'image'; readonly ref: string; readonly platform?: Platform };

export function resolveStageBase(comp: Compilation, stage: Stage): StageBase {
  const globals: Lookup = (name) => comp.globals.get(name);
  const from = stage.fromLine();
  const platform = from.platformFlag && platformOf(from.platformFlag.value!, globals);
  const base = expandWord(from.base, globals);
  if (base === '') fail(from.base, 'FROM image expanded to an empty string', 0, from.base.text.length);
  if (base.toLowerCase() === 'scratch') return { kind: 'scratch', platform };
  // FROM refers only to stages defined above it, so `FROM node AS node` names an image.
  const earlier = findStage(comp.program, base, stage.index);
  if (earlier && !/^\d+$/.test(base)) return { kind: 'stage', stage: earlier };
  return comp.imageBase(comp.normalizedImage(from.base, base), platform);
}

/** The state a stage starts from: scratch, an earlier stage, or an image. */
export function startStage(comp: Compilation, stage: Stage): State {
  const base = comp.base(stage);
  switch (base.kind) {
    case 'scratch':
      return base.platform ? State.scratch().platform(base.platform) : State.scratch();
    case 'stage':
      // Lowered first, as a stage the FROM line names (see lowerStages); the line is read
      // again only to point at it otherwise.
      return comp.results[base.stage.index] ?? comp.require(base.stage, stage.fromLine().base);
    case 'image': {
      const config = comp.options.baseImage?.(base.ref, base.platform ?? comp.options.platform);
      const st = image(config?.ref ?? base.ref, { platform: base.platform, constraints: comp.opConstraints(stage, stage.from) });
      return config ? inherit(st, config) : st;
    }
  }
}

/** The state as Dockerfile starts a stage from an image of this configuration. */
function inherit(state: State, config: BaseImage): State {
  let st = state;
  if (config.workingDir) st = st.dir(config.workingDir);
  if (config.user) st = st.user(config.user);
  for (const kv of config.env ?? []) {
    const eq = kv.indexOf('=');
    st = eq < 0 ? st.addEnv(kv, '') : st.addEnv(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return st;
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

export function lowerInstruction(comp: Compilation, stage: Stage, instr: Instruction, state: State, declared: StageArgs): State {
  const lookup: Lookup = (name) => state.getEnv().get(name) ?? declared.args?.get(name);
  const scope: StageScope = { comp, stage, instr, state, lookup };
  switch (instr.name) {
    case 'ARG':
      declareArgs(comp, instr, (declared.args ??= new Map()), lookup, false);
      return state;
    case 'ENV':
      return lowerEnv(scope);
    case 'WORKDIR':
      return state.dir(singleValue(scope, 'WORKDIR', 'a path'));
    case 'USER':
      return state.user(singleValue(scope, 'USER', 'a user'));
    case 'RUN':
      return lowerRun(scope);
    case 'COPY':
      return lowerCopy(scope);
    case 'ADD':
      return lowerAdd(scope);
    case 'FROM':
      throw new Error('FROM inside a stage body');
  }
}

function noFlags(comp: Compilation, instr: Instruction): LogicalSlice {
  const { flags, rest } = splitFlags(comp.args(instr));
  checkFlags(instr.name, flags, {});
  return rest;
}

function singleValue(scope: StageScope, name: string, what: string): string {
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
): void {
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
