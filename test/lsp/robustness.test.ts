import { test } from 'node:test';
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
import { serverForTests } from './session.js';

// The server must survive whatever an editor opens: no crash, and it goes on answering.

const server = serverForTests();

/** Every request a document gets, at a few positions: none may fail. */
async function exercise(uri: string): Promise<void> {
  const textDocument = { uri };
  for (const position of [
    { line: 0, character: 0 },
    { line: 0, character: 5 },
    { line: 3, character: 2 },
  ]) {
    await server().connection.sendRequest(HoverRequest.type, { textDocument, position });
    await server().connection.sendRequest(CompletionRequest.type, { textDocument, position });
  }
  await server().connection.sendRequest(DocumentSymbolRequest.type, { textDocument });
  await server().connection.sendRequest(FoldingRangeRequest.type, { textDocument });
  await server().connection.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 4, insertSpaces: true } });
}

// Each in both modes: a .llb file, and a Dockerfile (Dockerfile mode, a shell for RUN).
for (const [mode, uri] of [
  ['llbc mode', (name: string) => `file:///work/${name}.llb`],
  ['Dockerfile mode', (name: string) => `file:///work/${name}/Dockerfile`],
] as const) {
  test(`a file of random bytes (${mode})`, async () => {
    const diagnostics = await server().open(uri('random'), randomBytes(64 * 1024).toString('latin1'));
    assert.ok(diagnostics.length >= 1);
    await exercise(uri('random'));
    // Random printable text, without the NUL bytes that stop everything early: many bad lines.
    const printable = Array.from(randomBytes(64 * 1024), (b) => (b % 16 === 0 ? '\n' : String.fromCharCode(32 + (b % 95)))).join('');
    const many = await server().open(uri('printable'), printable);
    assert.ok(many.length > 1, `${many.length} diagnostics`);
    await exercise(uri('printable'));
  });

  test(`a line of a megabyte (${mode})`, async () => {
    const line = `FROM alpine\nRUN echo ${'x'.repeat(1 << 20)}\n`;
    assert.deepEqual(await server().open(uri('long'), line), []);
    await exercise(uri('long'));
    const bad = await server().open(uri('long-bad'), `FROM alpine\nRUN --mount=type=cache,${'a'.repeat(1 << 20)} true\n`);
    assert.equal(bad.length, 1);
    const garbage = await server().open(uri('long-garbage'), `${'\\ ~ '.repeat(1 << 18)}`);
    assert.ok(garbage.length >= 1);
  });

  test(`a file of 100,000 lines (${mode})`, async () => {
    const text = generated('mixed', 100_000);
    assert.deepEqual(await server().open(uri('large'), text), []);
    const symbols = (await server().connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: uri('large') } })) as DocumentSymbol[];
    assert.equal(symbols[0].children?.length, 100_001);
    await exercise(uri('large'));
    // An error at the end of it, typed.
    const lines = text.split('\n').length;
    const typed = await server().edit(uri('large'), { start: { line: lines - 1, character: 0 }, end: { line: lines - 1, character: 0 } }, 'RUN --network=nope true\n');
    assert.equal(typed.length, 1);
    assert.equal(typed[0].range.start.line, lines - 1);
  });
}
