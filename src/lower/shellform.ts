import { Diagnostic } from '../diagnostics.js';
import { offsetOf, type LogicalSlice } from '../syntax/args.js';
import type { StageScope } from './compilation.js';
import { commandArgs } from './imageconfig.js';
import { findShellOperator } from './shelloperators.js';

/**
 * llbc mode's shell form (the caller has ruled out the JSON form), before it is split like Go's
 * llb.Shlex: after a SHELL in the stage (or the stage it starts from) the command runs through
 * that shell, unexpanded, as in a Dockerfile (the args are returned); otherwise a command with
 * shell operators gets a warning, since they reach the program as arguments (undefined is
 * returned and the caller splits the command). Warnings never change the output.
 */
export function llbShellForm(rest: LogicalSlice, scope: StageScope): string[] | undefined {
  if (scope.config.image.shellSet) return commandArgs(scope.config.image.image, { shell: rest.text });
  const found = findShellOperator(rest.text);
  if (found) {
    const message =
      `"${found.op}" is not a shell operator here: llbc runs RUN without a shell and passes it to the program as (part of) an argument; ` +
      `for a shell write sh -c '...', set SHELL ["/bin/sh", "-c"] in the stage, or use Dockerfile mode (# mode=dockerfile)`;
    scope.comp.warnings.push(new Diagnostic(rest.source.source, offsetOf(rest, found.index), message, found.op.length, 'warning'));
  }
  return undefined;
}
