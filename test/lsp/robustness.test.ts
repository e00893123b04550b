import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CompletionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  type DocumentSymbol,
} from 'vscode-languageserver-protocol';
import { generated } from '../../bench/programs.js';
import { Client } from './client.js';

// The server must survive whatever an editor opens: no crash, and it goes on answering.

let client: Client;
before(async () => {
  client = await Client.start();
});
after(async () => {
  assert.equal(await client.stop(), 0, client.stderr);
});

/** Every request a document gets, at a few positions: none may fail. */
async function exercise(uri: string): Promise<void> {
  const textDocument = { uri };
  for (const position of [
    { line: 0, character: 0 },
    { line: 0, character: 5 },
    { line: 3, character: 2 },
  ]) {
    await client.connection.sendRequest(HoverRequest.type, { textDocument, position });
    await client.connection.sendRequest(CompletionRequest.type, { textDocument, position });
  }
  await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument });
  await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument });
  await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 4, insertSpaces: true } });
}

test('a file of random bytes', async () => {
  const diagnostics = await client.open('file:///work/random.llb', randomBytes(64 * 1024).toString('latin1'));
  assert.ok(diagnostics.length >= 1);
  await exercise('file:///work/random.llb');
  // Random printable text, without the NUL bytes that stop everything early: many bad lines.
  const printable = Array.from(randomBytes(64 * 1024), (b) => (b % 16 === 0 ? '\n' : String.fromCharCode(32 + (b % 95)))).join('');
  const many = await client.open('file:///work/printable.llb', printable);
  assert.ok(many.length > 1, `${many.length} diagnostics`);
  await exercise('file:///work/printable.llb');
});

test('a line of a megabyte', async () => {
  const line = `FROM alpine\nRUN echo ${'x'.repeat(1 << 20)}\n`;
  assert.deepEqual(await client.open('file:///work/long.llb', line), []);
  await exercise('file:///work/long.llb');
  const bad = await client.open('file:///work/long-bad.llb', `FROM alpine\nRUN --mount=type=cache,${'a'.repeat(1 << 20)} true\n`);
  assert.equal(bad.length, 1);
  const garbage = await client.open('file:///work/long-garbage.llb', `${'\\ ~ '.repeat(1 << 18)}`);
  assert.ok(garbage.length >= 1);
});

test('a file of 100,000 lines', async () => {
  const text = generated('mixed', 100_000);
  assert.deepEqual(await client.open('file:///work/large.llb', text), []);
  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: 'file:///work/large.llb' } })) as DocumentSymbol[];
  assert.equal(symbols[0].children?.length, 100_001);
  await exercise('file:///work/large.llb');
  // An error at the end of it, typed.
  const lines = text.split('\n').length;
  const typed = await client.edit('file:///work/large.llb', { start: { line: lines - 1, character: 0 }, end: { line: lines - 1, character: 0 } }, 'RUN --network=nope true\n');
  assert.equal(typed.length, 1);
  assert.equal(typed[0].range.start.line, lines - 1);
});
