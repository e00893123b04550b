import type { Command } from 'commander';
import { Diagnostic } from '../diagnostics.js';

export function frontendCommand(program: Command): void {
  program
    .command('frontend')
    .description('run as a BuildKit frontend: the gateway API over standard input and output, as buildkitd runs a frontend image')
    .action(async () => {
      if (process.stdout.isTTY) throw new Diagnostic(undefined, 0, 'llbc frontend speaks gRPC on standard output: buildkitd runs it (buildctl build --frontend gateway.v0 --opt source=IMAGE)');
      // Loaded here, so that the other commands do not load the gateway's code.
      const { runOverStdio } = await import('../frontend/frontend.js');
      await runOverStdio();
    });
}
