import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  ReferencesRequest,
  type CodeAction,
  type CompletionItem,
  type DocumentSymbol,
  type Location,
  type MarkupContent,
  type Range,
} from 'vscode-languageserver-protocol';
import { Client } from './client.js';
import { positionOf } from './positions.js';

/**
 * The server for a test file: started before its tests (then `ready` run, in the same hook), and
 * shut down after them, exiting with 0.
 */
export function serverForTests(ready?: (client: Client) => Promise<void>): () => Client {
  let client: Client | undefined;
  before(async () => {
    client = await Client.start();
    await ready?.(client);
  });
  after(async () => {
    assert.equal(await client!.stop(), 0, client!.stderr);
  });
  return () => client!;
}

/** Requests about one open document, at places named by the text there (see positionOf). */
export class DocumentRequests {
  constructor(
    private readonly client: () => Client,
    readonly uri: string,
    readonly text: string,
  ) {}

  at(needle: string, n = 0, delta = 0) {
    return { textDocument: { uri: this.uri }, position: positionOf(this.text, needle, n, delta) };
  }

  /** The range of the n-th `needle`, less `skip` characters at its start, `length` long. */
  rangeOf(needle: string, n = 0, skip = 0, length = needle.length - skip): Range {
    return { start: positionOf(this.text, needle, n, skip), end: positionOf(this.text, needle, n, skip + length) };
  }

  async hover(needle: string, n = 0, delta = 0): Promise<string> {
    const h = await this.client().connection.sendRequest(HoverRequest.type, this.at(needle, n, delta));
    assert.ok(h, `no hover at ${needle}`);
    return (h.contents as MarkupContent).value;
  }

  async definition(needle: string, n = 0, delta = 0): Promise<Location> {
    return (await this.client().connection.sendRequest(DefinitionRequest.type, this.at(needle, n, delta))) as Location;
  }

  async references(needle: string, n = 0, delta = 0): Promise<Range[]> {
    const found = await this.client().connection.sendRequest(ReferencesRequest.type, { ...this.at(needle, n, delta), context: { includeDeclaration: true } });
    return (found ?? []).map((l) => l.range);
  }

  /** The document symbols, as [name, children's names]; and the first lines and last lines of the folds. */
  async outline(): Promise<{ symbols: DocumentSymbol[]; folds: [number, number][] }> {
    const textDocument = { uri: this.uri };
    const symbols = (await this.client().connection.sendRequest(DocumentSymbolRequest.type, { textDocument })) as DocumentSymbol[];
    const folds = (await this.client().connection.sendRequest(FoldingRangeRequest.type, { textDocument })) ?? [];
    return { symbols, folds: folds.map((f) => [f.startLine, f.endLine]) };
  }
}

/** Completion labels after typing `typed` on a new last line of `base`, opened as a new document `uri`. */
export async function completionsAfter(client: Client, uri: string, base: string, typed: string): Promise<string[]> {
  const doc = base + typed;
  await client.open(uri, doc);
  const lines = doc.split('\n');
  const r = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: lines.length - 1, character: lines[lines.length - 1].length } });
  return ((r ?? []) as CompletionItem[]).map((i) => i.label);
}

/** Opens `text` as `uri` and asks for the code actions in `range`, with the diagnostics published on its lines. */
export async function codeActionsIn(client: Client, uri: string, text: string, range: Range): Promise<CodeAction[]> {
  const diagnostics = await client.open(uri, text);
  const context = { diagnostics: diagnostics.filter((d) => d.range.start.line >= range.start.line && d.range.start.line <= range.end.line) };
  return ((await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context })) ?? []) as CodeAction[];
}
