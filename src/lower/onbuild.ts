import type { Instruction, Token } from '../syntax/cst.js';
import { findInstruction } from '../syntax/instructions.js';
import type { Compilation } from './compilation.js';
import type { Stage } from './program.js';

// ONBUILD triggers (Dockerfile mode): a stage that starts FROM another stage of the file first
// runs the ONBUILD instructions of that stage, as BuildKit v0.11.6's frontend dispatches the
// OnBuild list of the image it starts from (convert.go dispatchOnBuildTriggers). Offline a base
// image's configuration is empty, so only stages have triggers to run.

/**
 * The instructions a stage runs before its own: its base stage's ONBUILD lines, each as the
 * instruction it holds, made of the same tokens so that steps and errors point into the file.
 */
export function onbuildTriggers(comp: Compilation, stage: Stage): Instruction[] {
  if (comp.mode !== 'dockerfile') return [];
  const base = comp.base(stage);
  if (base.kind !== 'stage') return [];
  const parent = base.stage;
  const out: Instruction[] = [];
  for (let i = 0; i < parent.size; i++) {
    const instr = parent.at(i);
    if (instr.name === 'ONBUILD') {
      const trigger = triggerInstruction(instr);
      if (trigger) out.push(trigger);
    }
  }
  return out;
}

/** `ONBUILD RUN make` as the instruction `RUN make` (the ONBUILD line was checked when it was lowered). */
function triggerInstruction(onbuild: Instruction): Instruction | undefined {
  const body = onbuild.body;
  const at = body.findIndex((t: Token) => t.kind === 'word');
  if (at < 0) return undefined;
  const spec = findInstruction(body[at].text);
  if (!spec) return undefined;
  // The parser's instructions are views on its token store: a plain object, not a spread of one.
  return { kind: 'instruction', index: onbuild.index, name: spec.name, keyword: body[at], body: body.slice(at + 1), startLine: onbuild.startLine, endLine: onbuild.endLine };
}
