import type { LogicalSlice } from '../syntax/args.js';
import { fields, quotedFields } from '../syntax/args.js';
import { findInstruction } from '../syntax/instructions.js';
import type { State } from '../llb/state.js';
import { readArgs, type StageScope } from './compilation.js';
import { expandJsonElement, expandWord, expandWords } from './expansion.js';
import {
  applyCmd,
  applyEntrypoint,
  applyExpose,
  applyHealthcheck,
  applyLabel,
  applyMaintainer,
  applyOnbuild,
  applyShell,
  applyStopSignal,
  applyVolume,
  healthConfig,
  ImageConfigError,
  parsePortSpec,
  type CommandLine,
  type StageImage,
} from './imageconfig.js';
import { fail, parseJsonForm } from './words.js';

// The image-configuration instructions: none makes an op; each changes the stage's image
// configuration (scope.config), with Dockerfile's rules (imageconfig.ts holds them).

type ConfigHandler = (scope: StageScope) => State;

/** Runs `f` on the stage's configuration; an ImageConfigError becomes a diagnostic at `at`. */
function apply(scope: StageScope, at: LogicalSlice, f: (image: StageImage) => StageImage): State {
  try {
    scope.config.image = f(scope.config.image);
  } catch (e) {
    if (e instanceof ImageConfigError) fail(at, e.message, 0, Math.max(1, at.text.length));
    throw e;
  }
  return scope.state;
}

/** The arguments after the flags, which must not be empty. */
function required(scope: StageScope, what: string): LogicalSlice {
  const { rest } = readArgs(scope.comp, scope.instr);
  if (rest.text === '') fail(rest, `${scope.instr.name} requires ${what}`);
  return rest;
}

/** JSON form as written, else shell form: the text, not expanded (the shell expands it). */
export function commandLine(rest: LogicalSlice): CommandLine {
  const json = parseJsonForm(rest);
  return json ? { json } : { shell: rest.text };
}

const shell: ConfigHandler = (scope) => {
  const rest = required(scope, 'a JSON array, like ["/bin/sh", "-c"]');
  const json = parseJsonForm(rest);
  if (!json) fail(rest, 'SHELL requires the arguments in JSON form, like ["/bin/bash", "-c"]', 0, rest.text.length);
  if (json.length === 0) fail(rest, 'SHELL requires at least one argument', 0, rest.text.length);
  return apply(scope, rest, (image) => applyShell(image, json));
};

/**
 * CMD's and ENTRYPOINT's command. v0.11.6 takes one with no arguments (the shell form of an
 * empty line: `[sh, -c, ""]`); llbc mode asks for a command.
 */
function command(scope: StageScope): LogicalSlice {
  return scope.comp.mode === 'dockerfile' ? readArgs(scope.comp, scope.instr).rest : required(scope, 'a command');
}

const cmd: ConfigHandler = (scope) => {
  const rest = command(scope);
  return apply(scope, rest, (image) => applyCmd(image, commandLine(rest)));
};

const entrypoint: ConfigHandler = (scope) => {
  const rest = command(scope);
  return apply(scope, rest, (image) => applyEntrypoint(image, commandLine(rest)));
};

const expose: ConfigHandler = (scope) => {
  const rest = required(scope, 'a port');
  // The frontend expands each word into words (dispatchExpose's ProcessWords): `$PORTS` may give
  // several, an unset variable none.
  const words = scope.comp.mode === 'dockerfile' ? fields(rest).flatMap((w) => expandWords(w, scope.lookup).map((port) => ({ w, port }))) : fields(rest).map((w) => ({ w, port: expandWord(w, scope.lookup) }));
  const ports = words.map(({ w, port }) => {
    try {
      parsePortSpec(port);
    } catch (e) {
      if (e instanceof ImageConfigError) fail(w, `invalid port ${JSON.stringify(port)}: ${e.message}`, 0, w.text.length);
      throw e;
    }
    return port;
  });
  return apply(scope, rest, (image) => applyExpose(image, ports));
};

/**
 * `NAME=value ...` or `NAME value` (the rest of the line), as ENV and LABEL write them: names and
 * values expanded with the variables before the line.
 */
export function nameValuePairs(scope: StageScope, rest: LogicalSlice): [string, string][] {
  const name = scope.instr.name;
  const words = quotedFields(rest);
  if (words.length === 0) fail(rest, `${name} requires a name and a value`);
  if (!words[0].text.includes('=')) {
    const key = words[0];
    if (words.length < 2) fail(key, `${name} ${key.text} needs a value: ${name} ${key.text}=value or ${name} ${key.text} value`, 0, key.text.length);
    const value = rest.source.slice(words[1].start, rest.start + rest.text.length);
    return [[expandName(scope, key), expandWord(value, scope.lookup)]];
  }
  return words.map((w) => {
    const eq = w.text.indexOf('=');
    if (eq <= 0) fail(w, eq === 0 ? `${name} name is empty` : `${name} ${w.text} needs a value: ${w.text}=value`, 0, w.text.length);
    const key = { ...w, text: w.text.slice(0, eq) };
    return [expandName(scope, key), expandWord({ ...w, text: w.text.slice(eq + 1), start: w.start + eq + 1 }, scope.lookup)];
  });
}

/** ENV keeps its names as written; LABEL expands them (Dockerfile's parseNameVal vs dispatchLabel). */
function expandName(scope: StageScope, key: LogicalSlice): string {
  return scope.instr.name === 'LABEL' ? expandWord(key, scope.lookup) : key.text;
}

const label: ConfigHandler = (scope) => {
  const rest = required(scope, 'a key and a value');
  const pairs = nameValuePairs(scope, rest);
  return apply(scope, rest, (image) => applyLabel(image, pairs));
};

const volume: ConfigHandler = (scope) => {
  const rest = required(scope, 'a path');
  const json = parseJsonForm(rest);
  // Dockerfile mode expands a JSON form's strings as words too.
  const paths = json ? (scope.comp.mode === 'dockerfile' ? json.map((p) => expandJsonElement(p, rest, scope.lookup)) : json) : fields(rest).map((w) => expandWord(w, scope.lookup));
  return apply(scope, rest, (image) => applyVolume(image, paths.map((p) => p.trim())));
};

const stopSignal: ConfigHandler = (scope) => {
  const rest = required(scope, 'a signal');
  const signal = expandWord(rest, scope.lookup);
  return apply(scope, rest, (image) => applyStopSignal(image, signal));
};

const healthcheck: ConfigHandler = (scope) => {
  const { byName, rest } = readArgs(scope.comp, scope.instr);
  if (rest.text === '') fail(rest, 'HEALTHCHECK requires NONE or CMD <command>');
  const kind = /^\S+/.exec(rest.text)![0];
  const upper = kind.toUpperCase();
  if (upper !== 'NONE' && upper !== 'CMD') fail(rest, `unknown type ${JSON.stringify(kind)} for HEALTHCHECK (use NONE or CMD)`, 0, kind.length);
  const after = rest.text.slice(kind.length);
  const lead = after.length - after.trimStart().length;
  const command = rest.source.slice(rest.start + kind.length + lead, rest.start + rest.text.length);
  const flag = (name: string) => byName.get(name)?.[0]?.value;
  const at = (name: string) => flag(name) ?? rest;
  // Each option is checked where it is written, so its error points at it.
  const options = { interval: flag('interval')?.text, timeout: flag('timeout')?.text, startPeriod: flag('start-period')?.text, retries: flag('retries')?.text };
  for (const [name, key] of [['interval', 'interval'], ['timeout', 'timeout'], ['start-period', 'startPeriod'], ['retries', 'retries']] as const) {
    if (options[key] === undefined) continue;
    try {
      healthConfig('CMD', { shell: 'true' }, { [key]: options[key] });
    } catch (e) {
      if (e instanceof ImageConfigError) fail(at(name), `--${name}: ${e.message}`, 0, Math.max(1, at(name).text.length));
      throw e;
    }
  }
  if (upper === 'NONE') {
    if (command.text !== '') fail(command, 'HEALTHCHECK NONE takes no arguments', 0, command.text.length);
    if (byName.size > 0) fail(rest, 'HEALTHCHECK NONE takes no options', 0, kind.length);
  }
  return apply(scope, command.text === '' ? rest : command, (image) =>
    applyHealthcheck(image, healthConfig(upper as 'NONE' | 'CMD', upper === 'NONE' ? undefined : commandLine(command), options)),
  );
};

/** Instructions Dockerfile refuses as an ONBUILD trigger. */
const notTriggers = new Set(['ONBUILD', 'FROM', 'MAINTAINER']);

/** Refuses an ONBUILD line whose trigger (the first word of `rest`) Dockerfile does not allow. */
export function refuseForbiddenTrigger(rest: LogicalSlice): void {
  const keyword = /^\S+/.exec(rest.text)![0];
  const upper = keyword.toUpperCase();
  if (notTriggers.has(upper)) fail(rest, `${upper} isn't allowed as an ONBUILD trigger`, 0, keyword.length);
}

const onbuild: ConfigHandler = (scope) => {
  const rest = required(scope, 'an instruction');
  const keyword = /^\S+/.exec(rest.text)![0];
  const upper = keyword.toUpperCase();
  if (!findInstruction(upper)) fail(rest, `unknown instruction ${JSON.stringify(keyword)} for ONBUILD`, 0, keyword.length);
  refuseForbiddenTrigger(rest);
  return apply(scope, rest, (image) => applyOnbuild(image, rest.text));
};

const maintainer: ConfigHandler = (scope) => {
  const rest = required(scope, 'a name');
  return apply(scope, rest, (image) => applyMaintainer(image, rest.text));
};

/** The handlers of the image-configuration rows, for src/lower/instructions.ts's table. */
export const configHandlers = {
  SHELL: shell,
  CMD: cmd,
  ENTRYPOINT: entrypoint,
  EXPOSE: expose,
  LABEL: label,
  VOLUME: volume,
  STOPSIGNAL: stopSignal,
  HEALTHCHECK: healthcheck,
  ONBUILD: onbuild,
  MAINTAINER: maintainer,
} as const;
