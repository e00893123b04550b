import type { Command } from 'commander';

/** `llbc lsp --stdio`: the language server for editors (see the README's "Editors"). */
export function lspCommand(program: Command): void {
  program
    .command('lsp')
    .description('run the language server for editors')
    .requiredOption('--stdio', 'talk LSP over standard input and output (the only transport)')
    .action(async () => {
      // Loaded here: no other command loads the server or its library.
      const { startServer } = await import('../lsp/server.js');
      await startServer();
    });
}
