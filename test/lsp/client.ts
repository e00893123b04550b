import { spawn, type ChildProcess } from 'node:child_process';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { llbcBin, repoRoot } from '../helpers.js';

/**
 * A real LSP client talking to `llbc lsp --stdio` in a child process, as an editor does: the
 * protocol library's own connection over the process's standard input and output.
 */
export class Client {
  readonly connection: ProtocolConnection;
  readonly process: ChildProcess;
  stderr = '';
  private readonly waiting = new Map<string, { version?: number; resolve: (p: PublishDiagnosticsParams) => void }[]>();
  private readonly versions = new Map<string, number>();
  /** The last diagnostics published for each document. */
  readonly published = new Map<string, PublishDiagnosticsParams>();
  initialized?: InitializeResult;

  constructor() {
    this.process = spawn(process.execPath, [llbcBin, 'lsp', '--stdio'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.set(p.uri, p);
      const list = this.waiting.get(p.uri) ?? [];
      this.waiting.set(
        p.uri,
        list.filter((w) => {
          if (w.version !== undefined && p.version !== w.version) return true;
          w.resolve(p);
          return false;
        }),
      );
    });
    this.connection.listen();
  }

  static async start(): Promise<Client> {
    const client = new Client();
    client.initialized = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { hover: { contentFormat: ['markdown'] } } },
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Opens a document (as the editor's language for it says); resolves with its first diagnostics. */
  open(uri: string, text: string, languageId = 'llbc'): Promise<Diagnostic[]> {
    this.versions.set(uri, 1);
    const next = this.nextDiagnostics(uri, 1);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    return next;
  }

  /** Replaces a document's text; resolves with the diagnostics of the new version. */
  change(uri: string, text: string): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const next = this.nextDiagnostics(uri, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return next;
  }

  /** Sends an incremental change (a range replaced); resolves with the new version's diagnostics. */
  edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const next = this.nextDiagnostics(uri, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return next;
  }

  private nextDiagnostics(uri: string, version: number): Promise<Diagnostic[]> {
    return new Promise((resolve) => {
      const list = this.waiting.get(uri) ?? [];
      list.push({ version, resolve: (p) => resolve(p.diagnostics) });
      this.waiting.set(uri, list);
    });
  }

  /** Shuts the server down as an editor does; resolves with its exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null) resolve(this.process.exitCode);
      else this.process.once('exit', (code) => resolve(code));
    });
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
