import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileText, conformanceCases, fixturesDir, runCli } from '../helpers.js';
import { decodeDefinition } from './ops.js';
import type { CompileOptions } from '../../src/compile.js';

/**
 * Each op of the compiled Definition, decoded with the project's own schema: what it is,
 * its step name (OpMetadata.description["llb.customname"]) and its source ranges
 * (`start-end` line pairs of Source.locations), in Definition order, the terminal op left out.
 */
function steps(text: string, options: CompileOptions = {}, name = 'build.llb') {
  const bytes = compileText(text, { debugInfo: true, ...options }, name);
  const { ops, metadata, source } = decodeDefinition(bytes);
  return ops.slice(0, -1).map(({ digest, op }) => {
    const what = op.source
      ? op.source.identifier
      : op.exec
        ? `exec ${op.exec.meta.args.join(' ')}`
        : `file ${op.file.actions.map((a: any) => Object.keys(a).find((k) => ['copy', 'mkdir', 'mkfile', 'rm'].includes(k))).join(',')}`;
    const locations = source.locations[digest]?.locations ?? [];
    assert.ok(locations.every((l: any) => (l.sourceIndex ?? 0) === 0), 'one source file, index 0');
    const ranges = locations.flatMap((l: any) =>
      l.ranges.map((r: any) => {
        assert.equal(r.start.character ?? 0, 0, 'ranges start at character 0');
        assert.equal(r.end.character ?? 0, 0, 'ranges end at character 0');
        return `${r.start.line}-${r.end.line}`;
      }),
    );
    return { what, name: metadata[digest]?.description?.['llb.customname'] as string | undefined, ranges: ranges.join(' ') };
  });
}

test('a single-stage file numbers its steps [i/n]; FROM shows the normalised image', () => {
  assert.deepEqual(steps('FROM alpine\nENV A=1\nRUN echo hi\nWORKDIR /x\nUSER nobody\nRUN echo there\n'), [
    { what: 'docker-image://docker.io/library/alpine:latest', name: '[1/3] FROM docker.io/library/alpine:latest', ranges: '1-1' },
    { what: 'exec echo hi', name: '[2/3] RUN echo hi', ranges: '3-3' },
    { what: 'exec echo there', name: '[3/3] RUN echo there', ranges: '6-6' },
  ]);
});

test('a RUN with continuations is named on one joined line and spans all its lines', () => {
  const text = [
    'FROM alpine:3.18',
    '',
    'run apk add \\',
    '    # a comment inside the continuation',
    '    git \\',
    '',
    '    curl',
    'RUN echo done',
  ].join('\n');
  assert.deepEqual(steps(text), [
    { what: 'docker-image://docker.io/library/alpine:3.18', name: '[1/3] FROM docker.io/library/alpine:3.18', ranges: '1-1' },
    { what: 'exec apk add git curl', name: '[2/3] RUN apk add     git     curl', ranges: '3-7' },
    { what: 'exec echo done', name: '[3/3] RUN echo done', ranges: '8-8' },
  ]);
});

test('the seed program (buildkit0): every op named after its stage and step, with its lines', () => {
  const text = readFileSync(join(fixturesDir, 'buildkit0.llb'), 'utf8');
  assert.deepEqual(steps(text), [
    // alpine:latest is both stage 5's FROM and the COPY helper image: one op. The helper is
    // marshalled first, so, as in Go, the op keeps the helper's (empty) location while the
    // merged metadata carries the FROM's name.
    { what: 'docker-image://docker.io/library/alpine:latest', name: '[stage-5 1/5] FROM docker.io/library/alpine:latest', ranges: '' },
    { what: 'file mkdir', name: '[stage-5 2/5] COPY --from=buildctl /bin/buildctl /bin/', ranges: '28-28' },
    { what: 'docker-image://docker.io/library/golang:1.17-alpine', name: '[gobuild-base 1/3] FROM docker.io/library/golang:1.17-alpine', ranges: '4-4' },
    { what: 'exec apk add --no-cache g++ linux-headers', name: '[gobuild-base 2/3] RUN apk add --no-cache g++ linux-headers', ranges: '7-7' },
    { what: 'exec apk add --no-cache git libseccomp-dev make', name: '[gobuild-base 3/3] RUN apk add --no-cache git libseccomp-dev make', ranges: '8-8' },
    {
      what: 'exec git clone https://github.com/moby/buildkit.git /go/src/github.com/moby/buildkit',
      name: '[src 1/1] RUN git clone https://github.com/moby/buildkit.git /go/src/github.com/moby/buildkit',
      ranges: '18-18',
    },
    { what: 'exec go build -o /bin/buildctl ./cmd/buildctl', name: '[buildctl 1/1] RUN go build -o /bin/buildctl ./cmd/buildctl', ranges: '25-25' },
    { what: 'exec cp -a /src/bin/buildctl /dest/bin/', name: '[stage-5 2/5] COPY --from=buildctl /bin/buildctl /bin/', ranges: '28-28' },
    { what: 'file mkdir', name: '[stage-5 3/5] COPY --from=runc /usr/bin/runc /bin/', ranges: '29-29' },
    {
      what: 'exec git clone https://github.com/opencontainers/runc.git /go/src/github.com/opencontainers/runc',
      name: '[runc 1/3] RUN git clone https://github.com/opencontainers/runc.git /go/src/github.com/opencontainers/runc',
      ranges: '12-12',
    },
    // The name is the instruction as written: variables are not expanded in it.
    { what: 'exec git checkout -q v1.0.0-rc8', name: '[runc 2/3] RUN git checkout -q ${RUNC_VERSION}', ranges: '14-14' },
    { what: 'exec go build -o /usr/bin/runc ./', name: '[runc 3/3] RUN go build -o /usr/bin/runc ./', ranges: '15-15' },
    { what: 'exec cp -a /src/usr/bin/runc /dest/bin/', name: '[stage-5 3/5] COPY --from=runc /usr/bin/runc /bin/', ranges: '29-29' },
    { what: 'file mkdir', name: '[stage-5 4/5] COPY --from=buildkitd-oci /bin/buildkitd.oci_only /bin/', ranges: '30-30' },
    {
      what: 'exec go build -o /bin/buildkitd.oci_only -tags no_containerd_worker ./cmd/buildkitd',
      name: '[buildkitd-oci 1/1] RUN go build -o /bin/buildkitd.oci_only -tags no_containerd_worker ./cmd/buildkitd',
      ranges: '22-22',
    },
    {
      what: 'exec cp -a /src/bin/buildkitd.oci_only /dest/bin/',
      name: '[stage-5 4/5] COPY --from=buildkitd-oci /bin/buildkitd.oci_only /bin/',
      ranges: '30-30',
    },
    { what: 'exec ls -l /bin', name: '[stage-5 5/5] RUN ls -l /bin', ranges: '31-31' },
  ]);
});

test('the go-app example: named stages, file copies, FROM scratch and --platform', () => {
  const text = readFileSync(join(fixturesDir, 'go-app.llb'), 'utf8');
  assert.deepEqual(steps(text), [
    { what: 'docker-image://docker.io/library/golang:1.21', name: '[build 1/5] FROM docker.io/library/golang:1.21', ranges: '4-4' },
    // The build context is shared by every instruction that reads it: no name, no location.
    { what: 'local://context', name: undefined, ranges: '' },
    { what: 'file copy,copy', name: '[build 2/5] COPY go.mod go.sum ./', ranges: '6-6' },
    { what: 'exec go mod download', name: '[build 3/5] RUN --mount=type=cache,target=/go/pkg/mod go mod download', ranges: '7-7' },
    { what: 'file copy', name: '[build 4/5] COPY . .', ranges: '8-8' },
    {
      what: 'exec go build -o /out/app ./cmd/app',
      name: '[build 5/5] RUN --mount=type=cache,target=/root/.cache/go-build     --mount=type=secret,id=netrc,target=/root/.netrc     go build -o /out/app ./cmd/app',
      ranges: '9-11',
    },
    // FROM scratch is not a step, so the COPY is step 1 of 1.
    { what: 'file copy', name: '[stage-2 1/1] COPY --from=build --chmod=0755 /out/app /app', ranges: '17-17' },
  ]);
  assert.deepEqual(steps(text, { target: 'arm-tools' }), [
    { what: 'docker-image://docker.io/library/alpine:3.18', name: '[arm-tools 1/2] FROM docker.io/library/alpine:3.18', ranges: '13-13' },
    { what: 'exec apk add --no-cache file', name: '[arm-tools 2/2] RUN apk add --no-cache file', ranges: '14-14' },
  ]);
});

test('stage names are lower-cased as Dockerfile does; a FROM of another stage is not a step', () => {
  const text = 'FROM alpine AS Base\nRUN echo a\nFROM base\nRUN echo b\nRUN echo c\n';
  assert.deepEqual(
    steps(text).map((s) => s.name),
    ['[base 1/2] FROM docker.io/library/alpine:latest', '[base 2/2] RUN echo a', '[stage-1 1/2] RUN echo b', '[stage-1 2/2] RUN echo c'],
  );
});

test('ADD sources and COPY --from images carry the instruction that created them', () => {
  const text = [
    'FROM alpine',
    'ADD https://example.com/tool.tar.gz \\',
    '    https://github.com/moby/buildkit.git#v0.11.6 /opt/',
    'COPY --from=busybox:1.36 /bin/busybox /bin/',
  ].join('\n');
  const byWhat = new Map(steps(text, { copyMode: 'file' }).map((s) => [s.what, s]));
  const add = '[2/3] ADD https://example.com/tool.tar.gz     https://github.com/moby/buildkit.git#v0.11.6 /opt/';
  assert.deepEqual(byWhat.get('https://example.com/tool.tar.gz'), { what: 'https://example.com/tool.tar.gz', name: add, ranges: '2-3' });
  assert.deepEqual(byWhat.get('git://github.com/moby/buildkit.git#v0.11.6'), { what: 'git://github.com/moby/buildkit.git#v0.11.6', name: add, ranges: '2-3' });
  assert.deepEqual(byWhat.get('docker-image://docker.io/library/busybox:1.36'), {
    what: 'docker-image://docker.io/library/busybox:1.36',
    name: '[3/3] COPY --from=busybox:1.36 /bin/busybox /bin/',
    ranges: '4-4',
  });
});

test('identical ops from two instructions: Go merges the metadata (the last name wins) and keeps the first locations', () => {
  // Both stages start from the same image. The COPY's base (stage two) is marshalled before
  // its source (stage one), so the op keeps stage two's lines and ends with stage one's name.
  const text = 'FROM alpine AS one\nRUN echo one\nFROM alpine AS two\nCOPY --from=one / /\n';
  const image = steps(text, { copyMode: 'file' }).find((s) => s.what === 'docker-image://docker.io/library/alpine:latest')!;
  assert.equal(image.ranges, '3-3');
  assert.equal(image.name, '[one 1/2] FROM docker.io/library/alpine:latest');
});

test('the Definition carries the build file as source 0 and the meta.description cap', () => {
  const text = 'FROM alpine\nRUN echo hi\n';
  const { ops, metadata, source } = decodeDefinition(compileText(text, { debugInfo: true }, 'dir/app.llb'));
  assert.equal(source.infos.length, 1);
  assert.equal(source.infos[0].filename, 'dir/app.llb');
  assert.equal(source.infos[0].language, 'llb');
  assert.equal(Buffer.from(source.infos[0].data).toString('utf8'), text);
  const terminal = ops[ops.length - 1].digest;
  assert.deepEqual(metadata[terminal].caps, { constraints: true, 'meta.description': true, platform: true });
  assert.equal(source.locations[terminal], undefined, 'the terminal op has no location entry');
});

test('a large build file is carried whole, as UTF-8, a character cut by the 64K pieces it is written in too', () => {
  const head = 'FROM alpine\nRUN echo ';
  // The emoji's first UTF-16 unit is the last of the first 65,536.
  const text = `${head}${'é'.repeat(65_535 - head.length)}😀 ü\n${'RUN echo ✓\n'.repeat(10_000)}`;
  assert.equal(text.charCodeAt(65_535), 0xd83d);
  const { source } = decodeDefinition(compileText(text, { debugInfo: true }));
  assert.ok(Buffer.from(source.infos[0].data).equals(Buffer.from(text, 'utf8')));
  assert.equal(source.infos[0].language, 'llb');
});

test('without debug info: no names, no locations, no file; the ops themselves are unchanged', () => {
  for (const c of conformanceCases().filter((x) => x.args.length === 0)) {
    const withInfo = decodeDefinition(compileText(c.text, { debugInfo: true }));
    const without = decodeDefinition(compileText(c.text, { debugInfo: false }));
    assert.deepEqual(withInfo.ops.slice(0, -1), without.ops.slice(0, -1), c.name);
    assert.equal(without.source.infos, undefined);
    for (const md of Object.values<any>(without.metadata)) assert.equal(md.description, undefined);
    for (const locs of Object.values<any>(without.source.locations)) assert.equal(locs.locations, undefined);
  }
});

test('the CLI puts names and source maps in by default; --no-debug-info takes them out', () => {
  const c = conformanceCases().find((x) => x.name === 'run')!;
  const named = runCli([c.llbPath]);
  assert.equal(named.code, 0, named.stderr);
  assert.ok(!named.stdout.equals(c.pb));
  const { metadata, source } = decodeDefinition(named.stdout);
  assert.equal(source.infos[0].filename, c.llbPath);
  assert.deepEqual(
    Object.values<any>(metadata).flatMap((md) => (md.description ? [md.description['llb.customname']] : [])),
    ['[1/2] FROM docker.io/library/alpine:latest', '[2/2] RUN echo hi'],
  );
  assert.ok(runCli([c.llbPath, '--no-debug-info']).stdout.equals(c.pb));
});
