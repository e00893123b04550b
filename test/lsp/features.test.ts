import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CodeActionRequest,
  DiagnosticSeverity,
  DocumentFormattingRequest,
  type CodeAction,
} from 'vscode-languageserver-protocol';
import { instruction, instructionNames } from '../../src/syntax/instructions.js';
import { runCli } from '../helpers.js';
import { execs } from '../lower/ops.js';
import { codeActionsIn, completionsAfter, DocumentRequests, serverForTests } from './session.js';
import { applyEdits, positionOf } from './positions.js';

const server = serverForTests(async (client) => {
  // One warning: llbc mode passes `&&` to echo as an argument.
  const opened = await client.open(uri, text);
  assert.deepEqual(
    opened.map((d) => [d.range, d.severity]),
    [[{ start: positionOf(text, '&&'), end: positionOf(text, '&&', 0, 2) }, DiagnosticSeverity.Warning]],
  );
});

const dir = mkdtempSync(join(tmpdir(), 'llbc-lsp-features-'));

const text = [
  '# copy=file',
  'ARG GO_VERSION=1.21',
  'ARG BASE=alpine',
  '',
  'FROM golang:${GO_VERSION} AS build',
  'ARG GO_VERSION',
  'ENV CGO_ENABLED=0 GOPATH=/go',
  'WORKDIR /src',
  'RUN --mount=type=cache,target=/go/pkg/mod go build -o /out/app ./cmd/$CGO_ENABLED',
  'RUN echo $GO_VERSION && ls',
  '',
  'FROM ${BASE} AS final',
  'COPY --from=build /out/app /app',
  'RUN --mount=type=bind,from=build,source=/out,target=/mnt ls /mnt',
  '',
].join('\n');
const uri = 'file:///work/features.llb';


const main = new DocumentRequests(server, uri, text);
const rangeOf = main.rangeOf.bind(main);
const hoverText = main.hover.bind(main);

test('hover tells what an instruction, a flag and a mount key do', async () => {
  // The instruction table's own lines, and its synopsis.
  const run = await hoverText('RUN --mount');
  assert.ok(run.startsWith(`**RUN**: ${instruction('RUN').doc}`), run);
  assert.ok(run.includes(instruction('RUN').usage), run);
  assert.match(await hoverText('--mount', 0, 3), /\*\*--mount\*\*: a mount for this command/);
  assert.match(await hoverText('--from=build', 0, 2), /\*\*--from\*\*: copy from this stage/);
  assert.match(await hoverText('type=cache', 0, 1), /\*\*type\*\*: The kind of mount/);
});

test('hover gives the value a variable has at that point', async () => {
  assert.match(await hoverText('$CGO_ENABLED', 0, 2), /`CGO_ENABLED` = `0` here/);
  // A stage's bare ARG takes the global default.
  assert.match(await hoverText('$GO_VERSION', 0, 2), /`GO_VERSION` = `1.21` here/);
  assert.match(await hoverText('GOPATH'), /`GOPATH` = `\/go` after this line/);
  assert.match(await hoverText('${GO_VERSION}', 0, 3), /`GO_VERSION` = `1.21` here/);
});

test('hover on a FROM gives the normalised image reference, or the stage it names', async () => {
  assert.match(await hoverText('golang:'), /image `docker\.io\/library\/golang:1\.21`/);
  assert.match(await hoverText('${BASE}', 0, 1), /image `docker\.io\/library\/alpine:latest`/);
  assert.match(await hoverText('--from=build', 0, 8), /stage `build` \(FROM on line 5\)/);
});

test('go to definition: stages from --from= and from=, variables from their uses', async () => {
  const def = main.definition.bind(main);
  const buildName = rangeOf('AS build', 0, 3);
  assert.deepEqual((await def('--from=build', 0, 9)).range, buildName);
  assert.deepEqual((await def('from=build,', 0, 6)).range, buildName);
  assert.equal((await def('--from=build', 0, 9)).uri, uri);
  assert.deepEqual((await def('$CGO_ENABLED', 0, 3)).range, rangeOf('CGO_ENABLED=0', 0, 0, 11));
  // $GO_VERSION in the stage: its ARG; that ARG: the global one.
  assert.deepEqual((await def('$GO_VERSION', 0, 3)).range, rangeOf('ARG GO_VERSION\n', 0, 4, 10));
  assert.deepEqual((await def('ARG GO_VERSION\n', 0, 6)).range, rangeOf('ARG GO_VERSION=', 0, 4, 10));
  assert.deepEqual((await def('${BASE}', 0, 3)).range, rangeOf('ARG BASE', 0, 4, 4));
});

test('find references of a stage and of a variable', async () => {
  const refs = main.references.bind(main);
  const stage = [rangeOf('AS build', 0, 3), rangeOf('--from=build', 0, 7), rangeOf('from=build,', 0, 5, 5)];
  assert.deepEqual(await refs('AS build', 0, 4), stage);
  assert.deepEqual(await refs('from=build,', 0, 7), stage);
  const goVersion = [rangeOf('ARG GO_VERSION=', 0, 4, 10), rangeOf('${GO_VERSION}', 0, 2, 10), rangeOf('ARG GO_VERSION\n', 0, 4, 10), rangeOf('$GO_VERSION', 0, 1, 10)];
  assert.deepEqual(await refs('$GO_VERSION', 0, 2), goVersion);
  assert.deepEqual(await refs('ARG GO_VERSION=', 0, 5), goVersion);
  assert.deepEqual(await refs('$CGO_ENABLED', 0, 2), [rangeOf('CGO_ENABLED=0', 0, 0, 11), rangeOf('$CGO_ENABLED', 0, 1, 11)]);
});

/** Completion labels after typing `typed` on a new last line of the file. */
function completions(typed: string, base = text): Promise<string[]> {
  return completionsAfter(server(), `file:///work/complete-${Math.random().toString(36).slice(2)}.llb`, base, typed);
}

test('completion of instructions, flags, --mount keys and values', async () => {
  assert.deepEqual(await completions(''), instructionNames);
  assert.ok((await completions('wo')).includes('workdir'));
  assert.deepEqual(await completions('RUN --'), ['--mount', '--network', '--security']);
  assert.deepEqual(await completions('COPY --'), ['--from', '--chown', '--chmod', '--link', '--exclude']);
  assert.deepEqual(await completions('RUN --network='), ['default', 'none', 'host']);
  assert.deepEqual(await completions('RUN --mount=type='), ['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
  const cacheKeys = await completions('RUN --mount=type=cache,');
  assert.ok(cacheKeys.includes('sharing') && cacheKeys.includes('target') && !cacheKeys.includes('size') && !cacheKeys.includes('type'), cacheKeys.join());
  assert.deepEqual(await completions('RUN --mount=type=cache,target=/c,sharing='), ['shared', 'private', 'locked']);
});

test('completion of stage names and declared variables', async () => {
  // The line is in the stage final, which cannot copy from itself.
  assert.deepEqual(await completions('COPY --from='), ['build']);
  assert.deepEqual(await completions('RUN --mount=type=bind,from='), ['build']);
  assert.deepEqual(await completions('FROM '), ['build', 'final', 'scratch']);
  const vars = await completions('RUN echo $');
  for (const v of ['GO_VERSION', 'BASE', 'TARGETARCH']) assert.ok(vars.includes(v), `${v} in ${vars.join()}`);
  // ENV of another stage is not visible; this stage's ENV is.
  assert.ok(!vars.includes('CGO_ENABLED'));
  const inBuild = await completions('ENV X=${', text.split('\n').slice(0, 8).join('\n') + '\n');
  assert.ok(inBuild.includes('CGO_ENABLED') && inBuild.includes('GOPATH'), inBuild.join());
});

test('document symbols: global ARGs, then stages with their instructions; stages fold', async () => {
  const { symbols, folds } = await main.outline();
  assert.deepEqual(
    symbols.map((s) => [s.name, (s.children ?? []).map((c) => c.name)]),
    [
      ['ARG', []],
      ['ARG', []],
      ['build', ['ARG', 'ENV', 'WORKDIR', 'RUN', 'RUN']],
      ['final', ['COPY', 'RUN']],
    ],
  );
  assert.deepEqual(symbols[2].selectionRange, rangeOf('AS build', 0, 3));
  assert.deepEqual(symbols[2].range, { start: { line: 4, character: 0 }, end: { line: 9, character: 26 } });
  assert.deepEqual(
    folds,
    [
      [4, 9],
      [11, 13],
    ],
  );
});

function actions(u: string, doc: string, needle: string): Promise<CodeAction[]> {
  const position = positionOf(doc, needle);
  return codeActionsIn(server(), u, doc, { start: position, end: position });
}

test('a misspelled instruction is fixed to the nearest one', async () => {
  for (const [typo, fixed] of [
    ['RUNN echo hi', 'RUN echo hi'],
    ['form alpine', 'from alpine'],
    ['WRKDIR /x', 'WORKDIR /x'],
  ]) {
    const doc = `FROM alpine\n${typo}\n`;
    const found = await actions(`file:///work/typo-${typo.length}.llb`, doc, typo);
    assert.equal(found.length, 1, typo);
    assert.equal(applyEdits(doc, Object.values(found[0].edit!.changes!)[0]), `FROM alpine\n${fixed}\n`);
  }
  assert.deepEqual(await actions('file:///work/cmd.llb', 'FROM alpine\nCMD ["sh"]\n', 'CMD'), []);
});

/** What a RUN's exec prints when run here, in a scratch directory, with its env. */
function runHere(exec: { meta: { args: string[]; env?: string[] } }): { status: number | null; stdout: string } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const e of exec.meta.env ?? []) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
  const r = spawnSync(exec.meta.args[0], exec.meta.args.slice(1), { cwd: dir, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

test("the shell-operator warning's fix wraps the RUN in sh -c: the fixed file compiles, and runs what a shell would have run", async () => {
  const commands = [
    "echo $V 'it''s' && echo done | tr a-z A-Z",
    'echo "a $V b" it\\\'s $E > /dev/null; echo ${V:-x}y ${U:-un set} "$E"',
    "printf '%s\\n' one \\\n    two | tr a-z A-Z",
    'echo $(echo sub) `echo tick` "$(echo "in q")" && true',
    'echo \'$V\' "\\$V" \\$V ${E}s "it\'s" || false',
  ];
  for (const [n, command] of commands.entries()) {
    const doc = `ARG V=1.2\nFROM alpine\nARG V\nENV E=env\nRUN ${command}\n`;
    const u = `file:///work/shell-${n}.llb`;
    // The warning, where an editor shows it (on a continuation line, for one), and its fix.
    const [warning, ...more] = await server().open(u, doc);
    assert.deepEqual(more, []);
    const found = ((await server().connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: warning.range, context: { diagnostics: [warning] } })) ?? []) as CodeAction[];
    assert.equal(found.length, 1, command);
    assert.equal(found[0].title, "Wrap the command in sh -c '...'");
    assert.equal(found[0].diagnostics?.[0].severity, DiagnosticSeverity.Warning);
    const fixed = applyEdits(doc, Object.values(found[0].edit!.changes!)[0]);
    assert.deepEqual(await server().change(u, fixed), [], fixed);
    const [exec] = execs(fixed);
    assert.deepEqual(exec.meta.args.slice(0, 2), ['sh', '-c'], fixed);
    // The reference: the same file as a Dockerfile, whose RUN has a shell and the ARGs in its env.
    const [shell] = execs(doc, { mode: 'dockerfile' });
    assert.equal(shell.meta.args[0], '/bin/sh');
    const want = runHere(shell);
    assert.equal(want.status, 0, command);
    assert.deepEqual(runHere(exec), want, `${command}\n${fixed}`);
  }
  // The first fix, whole: $V stays outside the single quotes, for llbc to expand.
  const doc = `FROM a\nRUN ${commands[0]}\n`;
  const [fix] = await actions('file:///work/shell-first.llb', doc, 'RUN');
  assert.equal(applyEdits(doc, Object.values(fix.edit!.changes!)[0]).split('\n')[1], String.raw`RUN sh -c 'echo '"$V"' '\''it'\'''\''s'\'' && echo done | tr a-z A-Z'`);
  // Nothing to fix where there is no warning: quoted operators, a SHELL in the stage.
  assert.deepEqual(await actions('file:///work/plain.llb', 'FROM alpine\nRUN echo "a && b"\n', 'RUN'), []);
  assert.deepEqual(await actions('file:///work/shelled.llb', 'FROM alpine\nSHELL ["/bin/sh", "-c"]\nRUN a && b\n', 'RUN'), []);
});

test('the mode follows the file name and # mode=: no sh -c fix in a Dockerfile; both modes complete every instruction', async () => {
  const doc = 'FROM alpine\nRUN make && make install\n';
  assert.equal((await actions('file:///work/x.llb', doc, 'RUN')).length, 1);
  for (const u of ['file:///work/Dockerfile', 'file:///work/app.Dockerfile', 'file:///work/Dockerfile.dev']) {
    assert.deepEqual(await actions(u, doc, 'RUN'), [], u);
  }
  assert.deepEqual(await actions('file:///work/y.llb', `# mode=dockerfile\n${doc}`, 'RUN'), []);
  assert.ok((await completions('', '# mode=dockerfile\nFROM alpine\n')).includes('CMD'));
  assert.ok((await completions('', 'FROM alpine\n')).includes('CMD'));
});

test('formatting gives what llbc fmt prints, in both modes, and leaves a file with a syntax error alone', async () => {
  for (const [name, messy] of [
    ['messy.llb', 'from   alpine   as  base\nrun   --network=none  echo   hi\n\n\n\ncopy  a   b\n'],
    ['Dockerfile', 'from   alpine   as  base\nrun   make &&  make install\nexpose   80  443\n\n\n\ncmd   ["x"]\n'],
  ]) {
    const path = join(mkdtempSync(join(dir, 'fmt-')), name);
    writeFileSync(path, messy);
    const fmt = runCli(['fmt', path]);
    assert.equal(fmt.code, 0, fmt.stderr);
    const u = `file://${path}`;
    await server().open(u, messy);
    const edits = await server().connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: u }, options: { tabSize: 4, insertSpaces: true } });
    assert.ok(edits && edits.length > 0);
    assert.equal(applyEdits(messy, edits), fmt.stdout.toString(), name);
  }
  const broken = 'from alpine\nrunn   echo\n';
  await server().open('file:///work/broken.llb', broken);
  assert.deepEqual(await server().connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: 'file:///work/broken.llb' }, options: { tabSize: 4, insertSpaces: true } }), []);
});
