import type { Instruction } from '../syntax/cst.js';
import { expandWith, ExpandError, type ExpandOptions, type Lookup } from '../syntax/expand.js';
import { instructionHeredocs, splitFlags } from '../syntax/args.js';
import { findHeredocs } from '../syntax/heredoc.js';
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
 * The instruction as its step name shows it (convert.go's `uppercaseCmd(processCmdEnv(...))` of
 * the line as written): the variables the frontend knows expanded, then the keyword upper-cased.
 * A RUN's line is read with quotes kept and unknown variables left as written (RawQuotes,
 * SkipUnsetEnv), the others as a word: quotes removed and unknown variables empty, so
 * `COPY ["a b", "/c/"]` shows as `COPY [a b, /c/]`. Text v0.11.6's lexer cannot read is shown as
 * written.
 */
export function stepText(program: Program, instr: Instruction, lookup: Lookup, raw: string): string {
  const escape = program.file.escape;
  const options = instr.name === 'RUN' ? { rawQuotes: true, skipUnset: true, v011: true, escape } : { v011: true, escape };
  const heredoc = instr.body.some((t) => t.kind === 'heredoc');
  // A RUN's heredoc summary is part of the text the frontend expands (dispatchRun appends it to
  // customname before processCmdEnv), so `\` at the end of its first line escapes the `.` after it.
  const named = upperKeyword(expandStepText(heredoc && instr.name === 'RUN' ? raw + runHeredocSummary(program, instr) : raw, lookup, options));
  return heredoc && instr.name !== 'RUN' ? copyHeredocStepText(named) : named;
}

function expandStepText(raw: string, lookup: Lookup, options: ExpandOptions): string {
  try {
    return expandWith(raw, lookup, options);
  } catch (e) {
    if (!(e instanceof ExpandError)) throw e;
    return raw;
  }
}

function upperKeyword(text: string): string {
  const space = text.indexOf(' ');
  return space < 0 ? text.toUpperCase() : text.slice(0, space).toUpperCase() + text.slice(space);
}

/**
 * The frontend's summary of a RUN that is one heredoc: ` (` its body's first line `)`, with
 * `...` when there are more (convert.go summarizeHeredoc); "" for any other RUN.
 */
function runHeredocSummary(program: Program, instr: Instruction): string {
  const line = program.args(instr);
  const heredocs = instructionHeredocs(instr, line);
  if (heredocs.length !== 1 || splitFlags(line.slice(0)).rest.text !== heredocs[0].at.text) return '';
  const lines = heredocs[0].content.trim().replace(/\r\n/g, '\n').split('\n');
  return ` (${lines[0]}${lines.length > 1 ? '...' : ''})`;
}

/** A COPY or ADD shows each heredoc source as `<<NAME` (`<<-NAME`), its quotes removed. */
function copyHeredocStepText(text: string): string {
  let out = text;
  for (const m of findHeredocs(text).reverse()) out = `${out.slice(0, m.start)}<<${m.chomp ? '-' : ''}${m.name}${out.slice(m.end)}`;
  return out;
}

/**
 * The instruction's line as the frontend's parser keeps it (node.Original, the text of its
 * `com.docker.dockerfile.v1.command`): the keyword as written and everything after it (see
 * joinedBody), trailing whitespace trimmed.
 */
export function originalLine(instr: Instruction): string {
  return (instr.keyword.text + joinedBody(instr)).trimEnd();
}

/**
 * What follows the keyword, on one line as Dockerfile's parser joins it: each `\` and line break
 * removed and nothing inserted, comment lines and blank lines inside the continuation dropped
 * whole (their indentation too), heredoc bodies left out.
 */
export function joinedBody(instr: Instruction): string {
  const body = instr.body;
  let text = '';
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    if (t.kind === 'continuation' || t.kind === 'comment' || t.kind === 'newline' || t.kind === 'heredoc') continue;
    const next = body[i + 1]?.kind;
    if (t.kind === 'whitespace' && (next === 'comment' || next === 'newline')) continue;
    text += t.text;
  }
  return text;
}
