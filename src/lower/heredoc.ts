import { instructionHeredocs, type InstructionHeredoc, type LogicalSlice } from '../syntax/args.js';
import { chompHeredocContent } from '../syntax/heredoc.js';
import { file, FileAction, type ChownOpt } from '../llb/fileop.js';
import { State } from '../llb/state.js';
import { commandArgs as shellCommand } from './imageconfig.js';
import { expandHeredocBody } from './expansion.js';
import type { StageScope } from './compilation.js';

// Heredocs as BuildKit v0.11.6's frontend lowers them (convert.go dispatchRun, dispatchCopy), in
// both modes: a RUN's bodies go to its shell, a COPY's or ADD's become files.

/** The heredocs of the instruction whose arguments (after the flags) are `rest`. */
export function heredocsOf(scope: StageScope, rest: LogicalSlice): InstructionHeredoc[] {
  return instructionHeredocs(scope.instr, rest.source);
}

/** A body as the frontend uses it: leading tabs removed for `<<-`. */
function bodyOf(h: InstructionHeredoc): string {
  return h.marker.chomp ? chompHeredocContent(h.content) : h.content;
}

/** A file made from a heredoc, in a scratch state of its own: the frontend's inline document. */
function inlineDocument(scope: StageScope, name: string, mode: number, data: string): State {
  const named = scope.comp.debugNames() ? { constraints: { metadata: { caps: {}, description: { 'llb.customname': '[internal] preparing inline document' } } } } : {};
  const action = FileAction.mkfile(`/${name}`, mode, Buffer.from(data, 'utf8'));
  return file(State.scratch().platform(scope.comp.stagePlatform(scope.stage)), action, named);
}

/** What a RUN with heredocs runs, through the stage's shell, and the mount its script needs, if any. */
export interface HeredocRun {
  readonly args: string[];
  readonly script?: { readonly target: string; readonly state: State };
}

/**
 * RUN with heredocs. A command that is one heredoc runs its body as the shell's command, or, when
 * the body starts with `#!`, as a script mounted at /dev/pipes/; otherwise the shell gets the
 * command line with each body and its terminator after it, as a shell's own heredocs.
 */
export function heredocRun(scope: StageScope, rest: LogicalSlice, heredocs: readonly InstructionHeredoc[]): HeredocRun {
  const shell = (text: string) => shellCommand(scope.config.image.image, { shell: text });
  const [first] = heredocs;
  if (heredocs.length === 1 && rest.text === first.at.text) {
    if (first.content.startsWith('#!')) {
      const state = inlineDocument(scope, first.marker.name, 0o755, bodyOf(first));
      return { args: shell(`/dev/pipes/${first.marker.name}`), script: { target: '/dev/pipes/', state } };
    }
    return { args: shell(bodyOf(first)) };
  }
  let full = rest.text;
  for (const h of heredocs) full += `\n${h.content}${h.marker.name}`;
  return { args: shell(full) };
}

/** COPY or ADD of a heredoc: the file, made with mode 0664, to copy from, and its path there. */
export function heredocSource(scope: StageScope, h: InstructionHeredoc): { state: State; path: string } {
  let data = bodyOf(h);
  if (h.marker.expand) data = expandHeredocBody({ text: data, start: h.at.start, source: h.at.source }, scope.lookup);
  return { state: inlineDocument(scope, h.marker.name, 0o664, data), path: `/${h.marker.name}` };
}

/** The copy options of a heredoc source: only these, as the frontend gives them. */
export function heredocCopyInfo(mode: number | undefined, chown: ChownOpt | undefined): { mode?: number; chown?: ChownOpt; createDestPath: true } {
  return { mode, chown, createDestPath: true };
}
