import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { compile, compileConfig, type CompileOptions } from '../../src/compile.js';
import { Diagnostic, SourceFile } from '../../src/diagnostics.js';
import { parsePlatform } from '../../src/llb/platform.js';
import { buildGraph } from '../../src/debug/graph.js';
import { diffGraphs, renderDiff } from '../../src/debug/diff.js';
import { decodeDefinition } from '../../src/wire/decode.js';
import { fixturesDir } from '../helpers.js';

// The Dockerfile corpus (fixtures/dockerfile/README.md): each case compiled in Dockerfile mode
// gives the op graph of BuildKit v0.11.6's frontend, op for op, step names included, or the
// error the frontend gives.

const corpus = join(fixturesDir, 'dockerfile');
const cases = readdirSync(corpus, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(corpus, e.name, 'Dockerfile')))
  .map((e) => e.name)
  .sort();

// Cases llbc does not reach yet, each with what it lacks. The test asserts that each still
// fails (a different graph, an error, or not the reference's error), so that reaching one
// forces it off this list.
const notYet = new Map<string, string>([]);

interface CaseOptions {
  readonly target?: string;
  readonly platform?: string;
  readonly buildArgs?: Record<string, string>;
  readonly expectError?: boolean;
}

function caseOptions(dir: string): CaseOptions {
  const file = join(dir, 'options.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CaseOptions) : {};
}

function compileCase(dir: string, o: CaseOptions): Uint8Array {
  const options: CompileOptions = {
    mode: 'dockerfile',
    debugInfo: true,
    target: o.target,
    platform: o.platform ? parsePlatform(o.platform) : undefined,
    buildArgs: new Map(Object.entries(o.buildArgs ?? {})),
  };
  return compile(new SourceFile('Dockerfile', readFileSync(join(dir, 'Dockerfile'), 'utf8')), options).bytes;
}

describe('Dockerfile corpus: the reference frontend\'s op graph', () => {
  it('has cases', () => assert.ok(cases.length >= 40));

  for (const name of cases) {
    const dir = join(corpus, name);
    const o = caseOptions(dir);
    const lacks = notYet.get(name);
    if (lacks !== undefined) {
      it(`${name} (not yet: ${lacks})`, () => assert.equal(reachesReference(dir, o), false, `${name} now reaches the reference: take it off notYet`));
      continue;
    }
    it(name, () => {
      if (o.expectError) {
        // The reference's message is in llbc's.
        const want = referenceError(dir);
        assert.throws(() => compileCase(dir, o), (e: unknown) => e instanceof Diagnostic && e.message.includes(want) && /BuildKit v0\.\d+/.test(e.message));
        passed++;
        return;
      }
      const ours = buildGraph(decodeDefinition(compileCase(dir, o)));
      const ref = buildGraph(decodeDefinition(readFileSync(join(dir, 'ref.pb'))));
      const entries = diffGraphs(ref, ours);
      assert.equal(entries.length, 0, `\n${renderDiff(entries, { a: `${name}/ref.pb`, b: 'llbc' }, new Chalk({ level: 0 }))}`);
      assert.deepEqual([...ours.byDigest.keys()].sort(), [...ref.byDigest.keys()].sort());
      passed++;
    });
  }

  it('every case is reached or listed as not yet', (t) => {
    for (const name of notYet.keys()) assert.ok(cases.includes(name), `notYet names ${name}, which is no case`);
    assert.equal(passed + notYet.size, cases.length, 'a case not listed as not yet fails');
    t.diagnostic(`Dockerfile corpus: ${passed} of ${cases.length} cases reach the reference; not yet: ${[...notYet.keys()].join(', ')}`);
  });
});

let passed = 0;

/** Whether llbc compiles a case as the reference does (its graph, or its error), without asserting. */
function reachesReference(dir: string, o: CaseOptions): boolean {
  if (o.expectError) {
    const want = referenceError(dir);
    try {
      compileCase(dir, o);
      return false;
    } catch (e) {
      return e instanceof Diagnostic && e.message.includes(want) && /BuildKit v0\.\d+/.test(e.message);
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = compileCase(dir, o);
  } catch (e) {
    if (e instanceof Diagnostic) return false;
    throw e;
  }
  const ours = buildGraph(decodeDefinition(bytes));
  const ref = buildGraph(decodeDefinition(readFileSync(join(dir, 'ref.pb'))));
  return diffGraphs(ref, ours).length === 0;
}

/** The reference's message, after its "dockerfile parse error on line N: " prefix. */
function referenceError(dir: string): string {
  return readFileSync(join(dir, 'error.txt'), 'utf8').trim().replace(/^dockerfile parse error on line \d+: /, '');
}

describe('Dockerfile mode: stage names in FROM', () => {
  const build = (text: string) => compile(new SourceFile('Dockerfile', text), { mode: 'dockerfile', buildArgs: new Map() });
  it('FROM matches the lower-cased stage name exactly, as v0.11.6 does (COPY --from and AS are case-insensitive)', () => {
    assert.doesNotThrow(() => build('FROM alpine AS Build\nRUN true\nFROM build\nCOPY --from=BUILD /a /a\n'));
    assert.throws(() => build('FROM alpine AS Build\nRUN true\nFROM Build\n'), (e: unknown) => e instanceof Diagnostic && /must be lowercase/.test(e.message));
  });
});

describe('Dockerfile mode: flags are checked in every stage', () => {
  const build = (text: string) => compile(new SourceFile('Dockerfile', text), { mode: 'dockerfile', buildArgs: new Map() });
  // v0.11.6's parser checks every instruction's flags before it builds the target's stages:
  // "dockerfile parse error on line 2: unknown flag: runInBand".
  it('refuses an unknown or malformed flag in a stage the target does not use', () => {
    for (const line of ['CMD --runInBand', 'RUN --foo=1 true', 'COPY --link=maybe a /b', 'COPY --chown=a --chown=b a /b', 'RUN --security=insecure true', 'COPY --exclude=*.md . /x']) {
      assert.throws(() => build(`FROM alpine AS unused\n${line}\nFROM alpine\nRUN true\n`), (e: unknown) => e instanceof Diagnostic && e.file?.position(e.offset).line === 2, line);
    }
  });
  it('refuses what the parser refuses in a stage the target does not use', () => {
    for (const line of ['COPY a', 'ADD ["a"]', 'ENV A', 'LABEL', 'ARG', 'EXPOSE', 'STOPSIGNAL', 'ONBUILD FROM x', 'SHELL sh -c', 'HEALTHCHECK NONE x', 'HEALTHCHECK FOO', 'HEALTHCHECK --interval=abc CMD x']) {
      assert.throws(() => build(`FROM alpine AS unused\n${line}\nFROM alpine\nRUN true\n`), (e: unknown) => e instanceof Diagnostic && e.file?.position(e.offset).line === 2, line);
    }
  });
  it('leaves what the frontend checks only when it builds a stage to that stage', () => {
    for (const line of ['EXPOSE abc', 'RUN --mount=type=foo true', 'ENV A=${V#p}', 'WORKDIR a b', 'VOLUME ""', 'CMD', 'HEALTHCHECK --retries=0 CMD y', 'MAINTAINER a b <c@d>']) {
      assert.doesNotThrow(() => build(`FROM alpine AS unused\n${line}\nFROM alpine\nRUN true\n`), line);
    }
  });
});

describe('Dockerfile mode: stage references are taken as written', () => {
  const build = (text: string) => compile(new SourceFile('Dockerfile', text), { mode: 'dockerfile', buildArgs: new Map() });
  const file = (line: string) => `ARG STAGE=build\nFROM alpine AS build\nRUN touch /out\nFROM alpine\nARG STAGE\n${line}\n`;
  // v0.11.6 does not expand COPY --from (a variable names an image "$STAGE", no valid
  // reference) and its parser refuses a variable in a mount's from=.
  it('refuses a variable in COPY --from or in a mount\'s from=', () => {
    assert.throws(() => build(file('COPY --from=$STAGE /out /out')), (e: unknown) => e instanceof Diagnostic && /"\$STAGE"/.test(e.message));
    assert.throws(() => build(file('RUN --mount=from=$STAGE,target=/x true')), (e: unknown) => e instanceof Diagnostic && /'from' doesn't support variable expansion/.test(e.message));
  });
  it('takes a quoted stage name', () => {
    assert.doesNotThrow(() => build(file('COPY --from="build" /out /out')));
  });
});

describe('Dockerfile mode: CMD and ENTRYPOINT without arguments', () => {
  // v0.11.6 takes them: the shell form of an empty line.
  it('run the shell with an empty command', () => {
    const { json } = compileConfig(new SourceFile('Dockerfile', 'FROM alpine\nENTRYPOINT\nCMD\n'), { mode: 'dockerfile', buildArgs: new Map() });
    const config = (JSON.parse(json) as { config: { Cmd: string[]; Entrypoint: string[] } }).config;
    assert.deepEqual(config.Cmd, ['/bin/sh', '-c', '']);
    assert.deepEqual(config.Entrypoint, ['/bin/sh', '-c', '']);
  });
});

describe('Dockerfile mode: proxy build args', () => {
  // The frontend gives them to every RUN, declared or not: not a build arg left unused.
  it('are not warned about as unused', () => {
    const buildArgs = new Map([['HTTP_PROXY', 'http://proxy:3128'], ['no_proxy', 'localhost'], ['UNUSED', '1']]);
    const { warnings } = compile(new SourceFile('Dockerfile', 'FROM alpine\nRUN true\n'), { mode: 'dockerfile', buildArgs });
    assert.deepEqual(warnings.map((w) => w.message), ['build-arg UNUSED was not consumed by any ARG']);
  });
});
