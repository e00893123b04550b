import type { Instruction } from '../syntax/cst.js';
import { expandStepName, ExpandError, type Lookup } from '../syntax/expand.js';
import { looksLikeJsonForm, splitFlags } from '../syntax/args.js';
import type { Program } from './program.js';

// How BuildKit v0.11.6's Dockerfile frontend names its steps (convert.go prefixCommand and
// its callers), for Dockerfile mode: what differs from llbc mode's names.

/**
 * The image as the frontend's FROM step names it: `reference.ParseNormalizedNamed(ref).String()`,
 * the full name without the `:latest` that normalizing adds (`alpine` → `docker.io/library/alpine`).
 */
export function stepImageName(written: string, normalized: string): string {
  const last = written.slice(written.lastIndexOf('/') + 1);
  const tagged = last.includes(':') || written.includes('@');
  return !tagged && normalized.endsWith(':latest') ? normalized.slice(0, -':latest'.length) : normalized;
}

/**
 * Whether step names carry the stage's name: when the frontend has more than one dispatch state,
 * which every stage is, and besides them every distinct image named by `COPY --from` and, as
 * v0.11.6 does it, any `RUN --mount` (observed: a single-stage build with one names its steps
 * `[stage-0 1/2]`).
 */
export function namesCarryStage(program: Program, isStage: (ref: string) => boolean): boolean {
  if (program.stages.length > 1) return true;
  for (const stage of program.stages) {
    for (let i = 0; i < stage.size; i++) {
      const instr = stage.at(i);
      if (instr.name !== 'RUN' && instr.name !== 'COPY') continue;
      const { flags } = splitFlags(program.args(instr).slice(0));
      for (const f of flags) {
        if (instr.name === 'RUN' && f.name === 'mount') return true;
        if (instr.name === 'COPY' && f.name === 'from' && f.value && !isStage(f.value.text)) return true;
      }
    }
  }
  return false;
}

/**
 * The instruction as its step name shows it: the keyword, then the arguments as written
 * (continuations joined), with variables the frontend knows expanded and the others left as
 * they are (processCmdEnv: raw quotes, unset variables kept). COPY and ADD in JSON form show
 * their words as Go's `%v` prints a list: `COPY [a b, /dest/]`.
 */
export function stepText(program: Program, instr: Instruction, lookup: Lookup, raw: string): string {
  if (instr.name === 'COPY' || instr.name === 'ADD') {
    const { flags, rest } = splitFlags(program.args(instr).slice(0));
    if (looksLikeJsonForm(rest.text)) {
      try {
        const words = JSON.parse(rest.text) as string[];
        return [instr.name, ...flags.map((f) => f.slice.text), `[${words.join(', ')}]`].join(' ');
      } catch {
        // Not JSON after all: shell form, named as below.
      }
    }
  }
  try {
    return expandStepName(raw, lookup, instr.name === 'RUN');
  } catch (e) {
    if (e instanceof ExpandError) return raw;
    throw e;
  }
}
