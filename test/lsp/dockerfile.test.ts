import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DiagnosticSeverity,
  type CodeAction,
  type Diagnostic,
} from 'vscode-languageserver-protocol';
import { instruction, instructionNames, type InstructionName } from '../../src/syntax/instructions.js';
import { runCli } from '../helpers.js';
import { codeActionsIn, completionsAfter, DocumentRequests, serverForTests } from './session.js';
import { applyEdits, positionOf } from './positions.js';

// The server on Dockerfiles: Dockerfile mode's semantics (a shell runs RUN; its errors), and every
// feature for every instruction, the image-config ones included.

const server = serverForTests();

const dir = mkdtempSync(join(tmpdir(), 'llbc-lsp-dockerfile-'));

const text = [
  '# syntax=docker/dockerfile:1',
  'ARG BASE=alpine:3.18',
  'FROM ${BASE} AS build',
  'ARG VERSION=1.0',
  'ENV APP=/app',
  'WORKDIR $APP',
  'RUN make && make install > /log',
  'SHELL ["/bin/ash", "-eo", "pipefail", "-c"]',
  'RUN echo "$VERSION" | tee /v',
  'HEALTHCHECK --interval=30s --timeout=3s CMD wget -q http://localhost/ || exit 1',
  'ONBUILD RUN echo $VERSION',
  'LABEL org.example.version=$VERSION maintainer="me"',
  'EXPOSE 8080/tcp',
  'VOLUME /data',
  'STOPSIGNAL SIGTERM',
  'MAINTAINER me',
  '',
  'FROM build AS final',
  'COPY --from=build /app /app',
  'ENTRYPOINT ["/app/run"]',
  'CMD ["--help"]',
  'USER nobody',
  '',
].join('\n');
const uri = 'file:///work/Dockerfile';

const main = new DocumentRequests(server, uri, text);
const rangeOf = main.rangeOf.bind(main);
const hoverText = main.hover.bind(main);

/** What `llbc build` says of a build file written under a name: its diagnostics' line, column and message. */
function cliSays(name: string, body: string): { line: number; character: number; severity: string; message: string }[] {
  const sub = mkdtempSync(join(dir, 'cli-'));
  const path = join(sub, name);
  writeFileSync(path, body);
  const r = runCli(['build', path, '-o', join(sub, 'out.pb')]);
  return [...r.stderr.matchAll(/^[^\n]*:(\d+):(\d+): (error|warning): ([^\n]*)$/gm)].map((m) => ({ line: Number(m[1]) - 1, character: Number(m[2]) - 1, severity: m[3], message: m[4] }));
}

function summary(d: Diagnostic) {
  return { line: d.range.start.line, character: d.range.start.character, severity: d.severity === DiagnosticSeverity.Error ? 'error' : 'warning', message: d.message as string };
}

test('a Dockerfile is checked in Dockerfile mode: a shell runs RUN, so no shell-operator warning', async () => {
  assert.deepEqual(await server().open(uri, text), []);
  assert.deepEqual(cliSays('Dockerfile', text), []);
  // The same text as a .llb file: llbc mode warns at the `&&` before SHELL (the RUN after it has a shell).
  const llb = await server().open('file:///work/same.llb', text);
  assert.deepEqual(llb.map(summary), cliSays('same.llb', text));
  assert.deepEqual(
    llb.map((d) => d.range),
    [rangeOf('&&')],
  );
});

test("a Dockerfile's diagnostics are Dockerfile mode's, where and as `llbc build` reports them", async () => {
  // Each line is an error in one mode only.
  const lines = [
    'RUN --security=insecure true', // Dockerfile mode: needs BuildKit v0.12
    'RUN echo "unterminated', // llbc mode: a quote shlex cannot close; a shell's business in a Dockerfile
  ];
  const body = `FROM alpine\n${lines.join('\n')}\n`;
  for (const [u, name] of [
    ['file:///work/errors/Dockerfile', 'Dockerfile'],
    ['file:///work/errors/app.Dockerfile', 'app.Dockerfile'],
    ['file:///work/errors/Dockerfile.dev', 'Dockerfile.dev'],
    ['file:///work/errors/build.llb', 'build.llb'],
  ]) {
    const got = (await server().open(u, body)).map(summary);
    // The CLI stops at the first error; the server reports each, as the CLI reports each alone.
    const expected = lines.flatMap((line, i) => cliSays(name, `FROM alpine\n${line}\n`).map((d) => ({ ...d, line: i + 1 })));
    assert.equal(expected.length, 1, name);
    assert.deepEqual(got, expected, name);
  }
  assert.match((await server().open('file:///work/errors/Dockerfile', body))[0].message as string, /needs BuildKit v0\.12/);
  // `# mode=dockerfile` makes any file a Dockerfile; `# mode=llbc` makes a Dockerfile llbc.
  assert.deepEqual((await server().open('file:///work/errors/x.llb', `# mode=dockerfile\n${body}`)).length, 1);
  assert.match((await server().open('file:///work/errors/x.llb', `# mode=dockerfile\n${body}`))[0].message as string, /v0\.12/);
  assert.deepEqual((await server().open('file:///work/errors/llbc/Dockerfile', `# mode=llbc\nFROM a\nRUN a && b\n`)).map((d) => d.severity), [DiagnosticSeverity.Warning]);
});

test('an editor that says the document is a Dockerfile (languageId dockerfile) gets Dockerfile mode, as for a Containerfile', async () => {
  const u = 'file:///work/Containerfile';
  assert.deepEqual(await server().open(u, 'FROM alpine\nRUN a && b\n', 'dockerfile'), []);
  assert.equal((await server().open('file:///work/Containerfile.llb', 'FROM alpine\nRUN a && b\n')).length, 1);
  // The directive still wins.
  assert.equal((await server().open('file:///work/Containerfile2', '# mode=llbc\nFROM alpine\nRUN a && b\n', 'dockerfile')).length, 1);
});

test('hover: every instruction, the image-config ones included, with the instruction table\'s docs', async () => {
  const names: InstructionName[] = ['FROM', 'ARG', 'ENV', 'WORKDIR', 'RUN', 'SHELL', 'HEALTHCHECK', 'ONBUILD', 'LABEL', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'MAINTAINER', 'COPY', 'ENTRYPOINT', 'CMD', 'USER'];
  for (const name of names) {
    const h = await hoverText(`\n${name} `, 0, 1);
    const row = instruction(name);
    assert.ok(h.startsWith(`**${name}**: ${row.doc}`), `${name}: ${h}`);
    assert.ok(h.includes(row.usage), `${name}: ${h}`);
  }
  assert.match(await hoverText('--interval', 0, 3), /\*\*--interval\*\*: the time between checks/);
  assert.match(await hoverText('--timeout', 0, 3), /\*\*--timeout\*\*: how long a check may take/);
  // Variables, in Dockerfile mode's image-config instructions too.
  assert.match(await hoverText('$APP', 0, 2), /`APP` = `\/app` here/);
  assert.match(await hoverText('=$VERSION', 0, 3), /`VERSION` = `1\.0` here/);
  assert.match(await hoverText('${BASE}', 0, 0), /image `docker\.io\/library\/alpine:3\.18`/);
  assert.match(await hoverText('FROM build', 0, 6), /stage `build` \(FROM on line 3\)/);
});

test('definition and references for stages and variables in a Dockerfile', async () => {
  const def = main.definition.bind(main);
  assert.deepEqual((await def('--from=build', 0, 9)).range, rangeOf('AS build', 0, 3));
  assert.deepEqual((await def('FROM build', 0, 6)).range, rangeOf('AS build', 0, 3));
  assert.deepEqual((await def('=$VERSION', 0, 3)).range, rangeOf('VERSION=1.0', 0, 0, 7));
  assert.deepEqual((await def('$APP', 0, 2)).range, rangeOf('APP=/app', 0, 0, 3));
  const refs = main.references.bind(main);
  assert.deepEqual(await refs('AS build', 0, 4), [rangeOf('AS build', 0, 3), rangeOf('FROM build', 0, 5), rangeOf('--from=build', 0, 7)]);
  const version = await refs('VERSION=1.0', 0, 1);
  // The ARG, the RUN's "$VERSION" (its shell's), ONBUILD's and LABEL's.
  assert.deepEqual(version, [rangeOf('VERSION=1.0', 0, 0, 7), rangeOf('$VERSION', 0, 1), rangeOf('$VERSION', 1, 1), rangeOf('$VERSION', 2, 1)]);
});

/** Completion labels after typing `typed` on a new last line of a Dockerfile. */
function completions(typed: string, base = text): Promise<string[]> {
  return completionsAfter(server(), `file:///work/c-${Math.random().toString(36).slice(2)}/Dockerfile`, base, typed);
}

test('completion in a Dockerfile: every instruction, flags of the image-config ones, stages and variables', async () => {
  assert.deepEqual(await completions(''), instructionNames);
  assert.ok((await completions('heal')).includes('healthcheck'));
  assert.deepEqual(await completions('HEALTHCHECK --'), instruction('HEALTHCHECK').flags.map((f) => `--${f.name}`));
  assert.deepEqual(await completions('COPY --from='), ['build']);
  // At the end of the stage build.
  const vars = await completions('LABEL x=$', text.slice(0, text.indexOf('\nFROM build') + 1));
  for (const v of ['VERSION', 'APP', 'BASE']) assert.ok(vars.includes(v), `${v} in ${vars.join()}`);
});

test('document symbols list every instruction of each stage; stages fold', async () => {
  const { symbols, folds } = await main.outline();
  assert.deepEqual(
    symbols.map((s) => [s.name, (s.children ?? []).map((c) => c.name)]),
    [
      ['ARG', []],
      ['build', ['ARG', 'ENV', 'WORKDIR', 'RUN', 'SHELL', 'RUN', 'HEALTHCHECK', 'ONBUILD', 'LABEL', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'MAINTAINER']],
      ['final', ['COPY', 'ENTRYPOINT', 'CMD', 'USER']],
    ],
  );
  assert.deepEqual(
    folds,
    [
      [2, 15],
      [17, 21],
    ],
  );
});

/** The code actions for the whole of a document. */
function actions(u: string, doc: string): Promise<CodeAction[]> {
  return codeActionsIn(server(), u, doc, { start: { line: 0, character: 0 }, end: { line: doc.split('\n').length, character: 0 } });
}

test('code actions in a Dockerfile: a misspelled image-config instruction is fixed; no sh -c, a shell runs RUN', async () => {
  for (const [typo, fixed] of [
    ['EXPOS 80', 'EXPOSE 80'],
    ['HEALTHCHEK NONE', 'HEALTHCHECK NONE'],
    ['entrypiont ["x"]', 'entrypoint ["x"]'],
  ]) {
    const doc = `FROM alpine\n${typo}\n`;
    const found = await actions(`file:///work/typo-${typo.length}/Dockerfile`, doc);
    assert.equal(found.length, 1, typo);
    assert.equal(applyEdits(doc, Object.values(found[0].edit!.changes!)[0]), `FROM alpine\n${fixed}\n`);
  }
  assert.deepEqual(await actions('file:///work/shell/Dockerfile', 'FROM alpine\nRUN make && make install\n'), []);
});
