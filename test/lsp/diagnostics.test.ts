import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { runCli } from '../helpers.js';
import { serverForTests } from './session.js';

const server = serverForTests();

const dir = mkdtempSync(join(tmpdir(), 'llbc-lsp-diagnostics-'));

/** What `llbc build` says of a file: its one error's line, column, width and message. */
function cliError(text: string): { line: number; character: number; width: number; message: string } {
  const path = join(dir, 'one.llb');
  writeFileSync(path, text);
  const r = runCli([path]);
  assert.equal(r.code, 1, `${text}\n${r.stderr}`);
  const [head, , caret] = r.stderr.split('\n');
  const m = /^[^:]+:(\d+):(\d+): error: (.*)$/.exec(head);
  assert.ok(m, head);
  const line = Number(m[1]) - 1;
  const character = Number(m[2]) - 1;
  // The CLI shows a caret past the end of a line; a range stops at its end.
  const width = Math.min(caret.trim().length, text.split('\n')[line].length - character);
  return { line, character, width, message: m[3] };
}

function summary(d: Diagnostic) {
  return { line: d.range.start.line, character: d.range.start.character, width: d.range.end.character - d.range.start.character, message: d.message as string };
}

// Instructions that each fail on their own (from the CLI's error tests), in one stage named self.
const badLines = [
  'RUN --mount=type=volume,target=/v true',
  'RUN --mount=type=cache,target=/c,colour=red true',
  'RUN --mount=type=tmpfs,target=/t,sharing=locked true',
  'RUN --mount=type=secret,id=s,rw true',
  'RUN --mount=type=tmpfs,target=/t,size=lots true',
  'RUN --mount=type=ssh,uid=me true',
  'RUN --mount=type=cache,id=x true',
  'RUN --mount=type=bind,target=/ true',
  'RUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/c true',
  'RUN --mount=type=bind,from=self,target=/m true',
  'RUN --network=bridge true',
  'RUN --network=none --network=host true',
  'RUN --mounts=type=cache true',
  'COPY --chmod=rwx a /b',
  'COPY --chown=a:b:c a /b',
  'ADD --from=self a /b',
  'ADD https://example.com/ /x',
  'RUNN echo hi',
  'STOPSIGNAL SIGFOO',
  'EXPOSE http',
  'WORKDIR',
  'ENV =x',
  'RUN echo "unterminated',
  'USER ${NAME:?is required}',
];

test('every independent error in a file is published, where and as `llbc build` reports it alone', async () => {
  const expected = badLines.map((line, i) => ({ ...cliError(`FROM alpine AS self\n${line}\n`), line: i + 1 }));
  const text = `FROM alpine AS self\n${badLines.join('\n')}\n`;
  const got = (await server().open('file:///work/many.llb', text)).map(summary);
  assert.deepEqual(got, expected);
  for (const d of server().published.get('file:///work/many.llb')!.diagnostics) assert.equal(d.source, 'llbc');
});

test('errors in separate stages, in FROM lines and before the first FROM are all published', async () => {
  const parts = ['RUN echo before any stage', 'FROM alpine AS 1bad', 'FROM --platform=linux/ alpine AS b', 'RUN --network=bridge true', 'FROM b AS c', 'COPY --from=c a b'];
  const text = `${parts.join('\n')}\n`;
  const got = (await server().open('file:///work/stages.llb', text)).map(summary);
  const expected = [
    { ...cliError('RUN echo before any stage\nFROM alpine\n'), line: 0 },
    { ...cliError('FROM alpine AS 1bad\n'), line: 1 },
    { ...cliError('FROM --platform=linux/ alpine AS b\n'), line: 2 },
    { ...cliError('FROM alpine\nRUN --network=bridge true\n'), line: 3 },
    { ...cliError('FROM alpine AS c\nCOPY --from=c a b\n'), line: 5 },
  ];
  assert.deepEqual(got, expected);
});

test('a file without a stage gets the compiler error, at its end', async () => {
  const got = await server().open('file:///work/empty.llb', '# nothing\n');
  assert.deepEqual(got.map(summary), [cliError('# nothing\n')]);
});

test('diagnostics follow the edits, as the user types', async () => {
  const uri = 'file:///work/typing.llb';
  assert.deepEqual(await server().open(uri, 'FROM alpine\nRUN echo hi\n'), []);
  // Typing an N after RUN: an unknown instruction.
  const typed = await server().edit(uri, { start: { line: 1, character: 3 }, end: { line: 1, character: 3 } }, 'N');
  assert.equal(typed.length, 1);
  assert.match(typed[0].message as string, /unknown instruction "RUNN"/);
  assert.deepEqual(typed[0].range, { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } });
  assert.deepEqual(await server().edit(uri, { start: { line: 1, character: 3 }, end: { line: 1, character: 4 } }, ''), []);
  const cycle = await server().change(uri, 'FROM alpine AS a\nCOPY --from=b x y\nFROM alpine AS b\nCOPY --from=a x y\n');
  assert.equal(cycle.length, 1);
  assert.match(cycle[0].message as string, /stage cycle: /);
});
