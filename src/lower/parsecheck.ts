import type { Instruction } from '../syntax/cst.js';
import { fields, quotedFields, type LogicalSlice } from '../syntax/args.js';
import { readArgs, type Compilation } from './compilation.js';
import { refuseNewerFlags } from './instructions.js';
import { refuseForbiddenTrigger } from './config.js';
import { dockerfileJson, fail } from './words.js';
import type { Stage } from './program.js';

// What BuildKit v0.11.6's parser (instructions.Parse) refuses in any stage, before it builds the
// target's: a Dockerfile whose unused stage has `COPY a` or `CMD --x` fails. llbc checks these
// when it lowers a stage; this pass covers the stages the target does not use. What the frontend
// checks only when it builds a stage (expansion, ports, mounts) is left to lowering.

/** Dockerfile mode: the parse-time checks of every instruction of the stages the target does not use. */
export function checkUnusedStages(comp: Compilation, stages: readonly Stage[]): void {
  for (const stage of stages) {
    for (let i = 0; i < stage.size; i++) parseCheck(comp, stage.at(i));
  }
}

/** Dockerfile mode: every instruction's flags, checked before lowering (an unknown flag anywhere fails the build). */
export function checkAllFlags(comp: Compilation): void {
  for (const stage of comp.program.stages) {
    for (let i = 0; i < stage.size; i++) {
      const instr = stage.at(i);
      // Most lines have no flag: only those with `--` are split.
      if (instr.body.some((t) => t.text.includes('--'))) {
        readArgs(comp, instr);
        refuseNewerFlags(comp, instr);
      }
    }
  }
}

const goDuration = /^(?:0|(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+)$/;

function parseCheck(comp: Compilation, instr: Instruction): void {
  const { rest } = readArgs(comp, instr);
  const name = instr.name;
  const empty = rest.text === '';
  switch (name) {
    case 'COPY':
    case 'ADD': {
      const count = dockerfileJson(rest.text)?.length ?? fields(rest).length;
      if (count < 2) fail(rest, `${name} requires at least two arguments, but only one was provided. Destination could not be determined`, 0, Math.max(1, rest.text.length));
      return;
    }
    case 'ENV':
    case 'LABEL': {
      if (empty) fail(rest, `${name} requires at least one argument`);
      const words = quotedFields(rest);
      if (!words[0].text.includes('=') && words.length < 2) fail(rest, `${name} must have two arguments`, 0, rest.text.length);
      return;
    }
    case 'ARG':
    case 'EXPOSE':
    case 'MAINTAINER':
    case 'STOPSIGNAL':
    case 'ONBUILD':
      if (empty) fail(rest, `${name} requires ${name === 'ARG' || name === 'EXPOSE' || name === 'ONBUILD' ? 'at least' : 'exactly'} one argument`);
      if (name === 'ONBUILD') refuseForbiddenTrigger(rest);
      return;
    case 'SHELL': {
      const json = dockerfileJson(rest.text);
      if (!json) fail(rest, 'SHELL requires the arguments to be in JSON form', 0, Math.max(1, rest.text.length));
      if (json.length === 0) fail(rest, 'SHELL requires at least one argument', 0, rest.text.length);
      return;
    }
    case 'HEALTHCHECK':
      return checkHealthcheck(comp, instr, rest);
    default:
      return;
  }
}

function checkHealthcheck(comp: Compilation, instr: Instruction, rest: LogicalSlice): void {
  if (rest.text === '') fail(rest, 'HEALTHCHECK requires at least one argument');
  const [kind, ...args] = rest.text.split(/\s+/);
  const upper = kind.toUpperCase();
  if (upper === 'NONE') {
    if (args.length > 0) fail(rest, 'HEALTHCHECK NONE takes no arguments', 0, rest.text.length);
    return;
  }
  if (upper !== 'CMD') fail(rest, `Unknown type ${JSON.stringify(upper)} in HEALTHCHECK (try CMD)`, 0, kind.length);
  if (args.length === 0) fail(rest, 'Missing command after HEALTHCHECK CMD', 0, rest.text.length);
  for (const flag of readArgs(comp, instr).flags) {
    const value = flag.value?.text ?? '';
    const bad = value !== '' && (flag.name === 'retries' ? !/^[+-]?\d+$/.test(value) : !goDuration.test(value));
    if (bad) fail(flag.slice, `invalid value ${JSON.stringify(value)} for HEALTHCHECK --${flag.name}`, 0, flag.slice.text.length);
  }
}
