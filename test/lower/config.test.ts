import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceFile } from '../../src/diagnostics.js';
import { parse } from '../../src/syntax/parser.js';
import { lower } from '../../src/lower/lower.js';
import { imageConfigJSON } from '../../src/lower/imageconfig.js';
import { repoRoot } from '../helpers.js';

const platform = { os: 'linux', architecture: 'amd64' };

/** The target stage's image configuration, as `llbc config` prints it. */
function config(text: string, target?: string): Record<string, unknown> {
  const lowered = lower(parse(new SourceFile('Dockerfile', text)), { buildArgs: new Map(), platform, copyImage: 'alpine', target, imageConfig: true });
  return JSON.parse(imageConfigJSON(lowered.config)) as Record<string, unknown>;
}

function fixture(name: string): string {
  return readFileSync(join(repoRoot, 'fixtures', 'dockerfile', name, 'Dockerfile'), 'utf8');
}

test('fixture image-config: every config instruction lands in the OCI config; the base image is unknown offline', () => {
  const c = config(fixture('image-config'));
  assert.equal(c.author, 'someone@example.com');
  assert.deepEqual(Object.keys(c), ['author', 'architecture', 'os', 'rootfs', 'history', 'config']);
  const cfg = c.config as Record<string, unknown>;
  assert.deepEqual(cfg.ExposedPorts, { '443/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {}, '8002/tcp': {}, '80/tcp': {} });
  assert.deepEqual(cfg.Labels, { 'multi word': 'value with spaces', 'org.opencontainers.image.title': 'demo', version: '1.0' });
  assert.deepEqual(cfg.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'PORT=8080']);
  assert.equal(cfg.WorkingDir, '/app');
  assert.equal(cfg.User, 'nobody');
  assert.equal(cfg.StopSignal, 'SIGTERM');
  assert.deepEqual(cfg.Entrypoint, ['/bin/app']);
  assert.deepEqual(cfg.Cmd, ['--port', '8080']);
  assert.equal(cfg.OnBuild, null);
  assert.ok(Object.keys(cfg.Volumes as object).includes('/data'));
});

test('fixture cmd-entrypoint: ENTRYPOINT resets an inherited CMD, not one set earlier in the stage; shell forms use SHELL', () => {
  const text = fixture('cmd-entrypoint');
  const cfg = (target?: string) => config(text, target).config as Record<string, unknown>;
  assert.deepEqual(cfg('base').Cmd, ['base-cmd']);
  assert.deepEqual(cfg('reset').Entrypoint, ['/entry']);
  assert.equal(cfg('reset').Cmd, undefined);
  assert.deepEqual(cfg('both').Entrypoint, ['/bin/sh', '-c', '/entry.sh']);
  assert.deepEqual(cfg('both').Cmd, ['/bin/sh', '-c', 'echo later']);
  assert.deepEqual(cfg().Cmd, ['/bin/sh', '-c', 'echo shell form']);
  const shell = config('FROM alpine\nSHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nCMD echo hi\n').config as Record<string, unknown>;
  assert.deepEqual(shell.Cmd, ['/bin/ash', '-eo', 'pipefail', '-c', 'echo hi']);
  assert.deepEqual(shell.Shell, ['/bin/ash', '-eo', 'pipefail', '-c']);
});

test('HEALTHCHECK: Go durations in nanoseconds, CMD-SHELL for the shell form, NONE', () => {
  const h = (line: string) => (config(`FROM alpine\n${line}\n`).config as Record<string, unknown>).Healthcheck;
  assert.deepEqual(h('HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s --retries=3 CMD curl -f http://localhost/'), {
    Test: ['CMD-SHELL', 'curl -f http://localhost/'],
    Interval: 30e9,
    Timeout: 90e9,
    StartPeriod: 1.5e9,
    Retries: 3,
  });
  assert.deepEqual(h('HEALTHCHECK CMD ["true"]'), { Test: ['CMD', 'true'] });
  assert.deepEqual(h('HEALTHCHECK NONE'), { Test: ['NONE'] });
  assert.throws(() => config('FROM alpine\nHEALTHCHECK --interval=10 CMD true\n'), (e: Error & { offset?: number }) => /--interval: time: missing unit/.test(e.message));
  assert.throws(() => config('FROM alpine\nHEALTHCHECK --retries=0 CMD true\n'), /--retries must be at least 1/);
  assert.throws(() => config('FROM alpine\nHEALTHCHECK SOMETIMES\n'), /unknown type "SOMETIMES"/);
});

test('ONBUILD records its trigger as written; refused triggers and bad SHELL forms are errors', () => {
  const cfg = config('FROM alpine\nONBUILD RUN echo trigger\nONBUILD ENV A=1\n').config as Record<string, unknown>;
  assert.deepEqual(cfg.OnBuild, ['RUN echo trigger', 'ENV A=1']);
  assert.throws(() => config('FROM alpine\nONBUILD FROM x\n'), /FROM isn't allowed as an ONBUILD trigger/);
  assert.throws(() => config('FROM alpine\nONBUILD BOGUS x\n'), /unknown instruction "BOGUS" for ONBUILD/);
  assert.throws(() => config('FROM alpine\nSHELL /bin/sh -c\n'), /SHELL requires the arguments in JSON form/);
});

test('a stage FROM another starts from its configuration; FROM scratch from the empty image', () => {
  const cfg = config('FROM scratch AS a\nLABEL a=1\nFROM a\nLABEL b=2\n').config as Record<string, unknown>;
  assert.deepEqual(cfg.Labels, { a: '1', b: '2' });
  assert.equal(cfg.WorkingDir, '/');
});

/** The history's created_by lines and whether each made a layer, of a file compiled in Dockerfile mode. */
function history(text: string, buildArgs: Record<string, string> = {}): string[] {
  const lowered = lower(parse(new SourceFile('Dockerfile', text)), { buildArgs: new Map(Object.entries(buildArgs)), platform, copyImage: 'alpine', mode: 'dockerfile', imageConfig: true });
  const c = JSON.parse(imageConfigJSON(lowered.config)) as { history: { created_by: string; comment: string; empty_layer?: boolean }[] };
  for (const h of c.history) assert.equal(h.comment, 'buildkit.dockerfile.v0');
  return c.history.map((h) => `${h.empty_layer ? '-' : '+'} ${h.created_by}`);
}

test('history: RUN, COPY, ADD and WORKDIR entries as the frontend writes them, with layers', () => {
  const text = [
    'FROM alpine',
    'ARG V=1',
    'ARG N',
    'ENV V=2',
    'RUN echo hi && ls',
    'WORKDIR /app',
    'WORKDIR /',
    'COPY a $V/b ./',
    'ADD --chown=1 x.tgz /y',
    'RUN ["echo", "j"]',
    'EXPOSE 80 443/udp',
    'USER nobody',
    '',
  ].join('\n');
  assert.deepEqual(history(text, { V: '9' }), [
    // The ARG as declared, not the build arg's value.
    '- ARG V=1',
    '- ARG N',
    '- ENV V=2',
    // The stage's ARGs with their values in the environment (ENV won), an undefined one empty.
    '+ RUN |2 V=2 N= /bin/sh -c echo hi && ls # buildkit',
    '+ WORKDIR /app',
    '- WORKDIR /',
    '+ COPY a 2/b ./ # buildkit',
    '+ ADD x.tgz /y # buildkit',
    '+ RUN |2 V=2 N= echo j # buildkit',
    '- EXPOSE map[443/udp:{} 80/tcp:{}]',
    '- USER nobody',
  ]);
});

test('history: a stage FROM another continues its history; its ONBUILD triggers add their entries, its ARGs start anew', () => {
  const text = ['FROM alpine AS base', 'ARG A=1', 'RUN one', 'ONBUILD RUN two', 'FROM base', 'ARG Z=3', 'RUN three', ''].join('\n');
  assert.deepEqual(history(text), ['- ARG A=1', '+ RUN |1 A=1 /bin/sh -c one # buildkit', '+ RUN /bin/sh -c two # buildkit', '- ARG Z=3', '+ RUN |1 Z=3 /bin/sh -c three # buildkit']);
});

test('history: the target\'s chain of FROM stages, whichever stage is the target; a stage copied from adds none', () => {
  const text = ['FROM alpine AS a', 'RUN one', 'FROM a AS b', 'RUN two', 'FROM alpine', 'COPY --from=b /x /y', ''].join('\n');
  const createdBy = (target?: string) => {
    const lowered = lower(parse(new SourceFile('Dockerfile', text)), { buildArgs: new Map(), platform, copyImage: 'alpine', mode: 'dockerfile', target, imageConfig: true });
    return (JSON.parse(imageConfigJSON(lowered.config)) as { history: { created_by: string }[] }).history.map((h) => h.created_by);
  };
  assert.deepEqual(createdBy('b'), ['RUN /bin/sh -c one # buildkit', 'RUN /bin/sh -c two # buildkit']);
  assert.deepEqual(createdBy(), ['COPY /x /y # buildkit']);
});
