import fc from 'fast-check';
import type { CompileOptions } from '../../src/compile.js';

/**
 * Settings every property test shares. The seed is fixed so that CI runs the same cases every
 * time; LLBC_PROPERTY_SEED and LLBC_PROPERTY_RUNS explore further locally.
 */
export const seed = Number(process.env.LLBC_PROPERTY_SEED ?? 0x11bc);

/** fast-check parameters for n runs (scaled by LLBC_PROPERTY_RUNS_SCALE), reporting the failure itself. */
export function params(n: number): { seed: number; numRuns: number; includeErrorInReport: boolean } {
  const scale = Number(process.env.LLBC_PROPERTY_RUNS_SCALE ?? 1);
  return { seed, numRuns: Math.max(1, Math.round(n * scale)), includeErrorInReport: true };
}

// Words that are safe anywhere: no quotes, `$`, `#`, backslashes or blanks, and never a flag.
const word = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._+-]{0,7}$/);
const lower = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const path = fc.stringMatching(/^[a-z][a-z0-9._-]{0,6}(\/[a-z0-9]{1,4}){0,2}$/);
const envName = fc.constantFrom('FOO', 'BAR', 'GOPATH', 'X_1', 'VERSION');
const argName = fc.constantFrom('VERSION', 'MODE', 'USERNAME');

/** A variable reference that expands to something or to nothing, never to an error. */
const reference = fc.oneof(
  envName.map((n) => `$${n}`),
  envName.map((n) => `\${${n}}`),
  fc.tuple(envName, word).map(([n, w]) => `\${${n}:-${w}}`),
  fc.tuple(envName, word).map(([n, w]) => `\${${n}:+${w}}`),
  fc.tuple(envName, word).map(([n, w]) => `\${${n}#${w}}`),
  fc.tuple(envName, word, word).map(([n, a, b]) => `\${${n}//${a}/${b}}`),
);

/** A shell-form argument: plain, quoted, escaped or expanded. */
const shellWord = fc.oneof(
  { weight: 4, arbitrary: word },
  fc.tuple(word, word).map(([a, b]) => `'${a} ${b}'`),
  fc.tuple(word, reference).map(([a, r]) => `"${a} ${r}"`),
  fc.tuple(word, word).map(([a, b]) => `${a}\\ ${b}`),
  reference,
);

/** What separates two arguments: blanks, or a continuation with comment and blank lines inside. */
const separator = fc.constantFrom(' ', '  ', '\t', ' \\\n    ', ' \\\n# a comment\n    ', ' \\\n\n    ', '\\\n ');

function joined(words: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return words.chain((ws) =>
    fc.array(separator, { minLength: ws.length, maxLength: ws.length }).map((seps) => ws.map((w, i) => (i === 0 ? w : seps[i] + w)).join('')),
  );
}

const image = fc.constantFrom(
  'alpine',
  'busybox:1.36',
  'docker.io/library/ubuntu:22.04',
  'golang:1.21-alpine',
  'ghcr.io/org/tool@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  'localhost:5000/team/app:v2',
);

/** A stage or image a COPY --from or mount from= may name: only earlier stages, so there are no cycles. */
function source(stage: number): fc.Arbitrary<string> {
  if (stage === 0) return image;
  return fc.oneof(image, fc.integer({ min: 0, max: stage - 1 }).chain((i) => fc.constantFrom(`s${i}`, `S${i}`, String(i))));
}

function mount(stage: number, i: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(fc.option(lower, { nil: undefined }), fc.option(fc.constantFrom('shared', 'private', 'locked'), { nil: undefined }), fc.boolean()).map(
      ([id, sharing, ro]) => `--mount=type=cache,target=/cache${i}${id ? `,id=${id}` : ''}${sharing ? `,sharing=${sharing}` : ''}${ro ? ',ro' : ''}`,
    ),
    fc.option(fc.constantFrom('64m', '1g', '4096', '512k'), { nil: undefined }).map((size) => `--mount=type=tmpfs,target=/tmp${i}${size ? `,size=${size}` : ''}`),
    fc.tuple(lower, fc.boolean(), fc.boolean(), fc.boolean()).map(
      ([id, target, required, env]) =>
        `--mount=type=secret,id=${id}${target || !env ? `,target=/run/s${i}` : ''}${env ? `,env=SECRET_${i}` : ''}${required ? ',required' : ''}`,
    ),
    fc.tuple(fc.boolean(), fc.boolean()).map(([id, required]) => `--mount=type=ssh${id ? ',id=default' : ''},target=/run/ssh${i}${required ? ',required' : ''}`),
    fc.tuple(fc.option(source(stage), { nil: undefined }), fc.option(path, { nil: undefined }), fc.boolean(), fc.boolean()).map(
      ([from, src, rw, typed]) => `--mount=${typed ? 'type=bind,' : ''}target=/bind${i}${from ? `,from=${from}` : ''}${src ? `,source=/${src}` : ''}${rw ? ',rw' : ''}`,
    ),
  );
}

function run(stage: number): fc.Arbitrary<string> {
  const flags = fc
    .tuple(
      fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => mount(stage, i)))),
      fc.option(fc.constantFrom('--network=none', '--network=host', '--network=default'), { nil: undefined }),
      fc.option(fc.constantFrom('--security=insecure', '--security=sandbox'), { nil: undefined }),
    )
    .map(([mounts, network, security]) => [...mounts, ...(network ? [network] : []), ...(security ? [security] : [])]);
  const command = fc.oneof(
    { weight: 4, arbitrary: joined(fc.tuple(word, fc.array(shellWord, { maxLength: 5 })).map(([first, rest]) => [first, ...rest])) },
    fc.array(fc.oneof(word, fc.tuple(word, word).map(([a, b]) => `${a} ${b}`)), { minLength: 1, maxLength: 4 }).map((ws) => JSON.stringify(ws)),
  );
  return fc.tuple(flags, command).map(([fl, cmd]) => ['RUN', ...fl, cmd].join(' '));
}

function copy(stage: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.option(source(stage), { nil: undefined }),
      fc.option(fc.constantFrom('1000:1000', 'root', 'app:staff', '0'), { nil: undefined }),
      fc.option(fc.constantFrom('0644', '755', '0700'), { nil: undefined }),
      fc.array(fc.oneof(path, fc.constant('.'), fc.constant('*.go')), { minLength: 1, maxLength: 3 }),
      fc.oneof(path.map((p) => `/${p}`), path.map((p) => `/${p}/`), path.map((p) => `${p}/`), fc.constant('.'), fc.constant('./')),
    )
    .map(([from, chown, chmod, srcs, dest]) =>
      ['COPY', from && `--from=${from}`, chown && `--chown=${chown}`, chmod && `--chmod=${chmod}`, ...srcs, dest].filter(Boolean).join(' '),
    );
}

const add = fc.oneof(
  fc.tuple(word, path).map(([f, d]) => `ADD https://example.com/files/${f}.tar.gz /${d}/`),
  fc.tuple(lower, fc.option(lower, { nil: undefined }), path).map(([repo, ref, d]) => `ADD https://github.com/org/${repo}.git${ref ? `#${ref}` : ''} /${d}/`),
  fc.tuple(lower, path).map(([repo, d]) => `ADD git@github.com:org/${repo}.git /${d}/`),
  fc.tuple(path, path).map(([s, d]) => `ADD --chmod=0644 ${s} /${d}`),
);

const env = fc.oneof(
  fc.array(fc.tuple(envName, fc.oneof(word, fc.tuple(word, word).map(([a, b]) => `"${a} ${b}"`), reference)), { minLength: 1, maxLength: 3 }).map(
    (pairs) => `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`,
  ),
  fc.tuple(envName, fc.array(word, { minLength: 1, maxLength: 3 })).map(([k, vs]) => `ENV ${k} ${vs.join(' ')}`),
);

const arg = fc.tuple(argName, fc.option(word, { nil: undefined })).map(([n, v]) => `ARG ${n}${v === undefined ? '' : `=${v}`}`);

function instruction(stage: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: run(stage) },
    { weight: 3, arbitrary: copy(stage) },
    { weight: 3, arbitrary: env },
    { weight: 1, arbitrary: add },
    { weight: 1, arbitrary: arg },
    { weight: 1, arbitrary: fc.oneof(path.map((p) => `WORKDIR /${p}`), path.map((p) => `workdir ${p}`)) },
    { weight: 1, arbitrary: fc.constantFrom('USER app', 'USER 1000', 'USER 1000:1000', 'user nobody') },
    { weight: 1, arbitrary: fc.constantFrom('# a comment', '', '   # indented comment') },
  );
}

/** Every stage but the last has a name (s0, s1, ...): references only go backwards, and may use it. */
function stage(index: number, last: boolean): fc.Arbitrary<string[]> {
  const base = fc.oneof(
    { weight: 3, arbitrary: image },
    fc.constant('scratch'),
    fc.constant('${BASE}'),
    ...(index > 0 ? [fc.integer({ min: 0, max: index - 1 }).map((i) => `s${i}`)] : []),
  );
  const platform = fc.option(fc.constantFrom('linux/arm64', 'linux/amd64', '$BUILDPLATFORM', 'linux/arm/v7'), { nil: undefined });
  return fc
    .tuple(base, platform, fc.boolean(), fc.array(instruction(index), { maxLength: 8 }))
    .map(([b, p, named, body]) => [`FROM ${p ? `--platform=${p} ` : ''}${b}${named || !last || index === 0 ? ` AS s${index}` : ''}`, ...body]);
}

/** A valid build file: a directive maybe, global ARGs, and one to four stages. */
export const program: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(fc.constantFrom('# copy=file', '# copy=exec', '# syntax=llbc'), { nil: undefined }),
    fc.option(image, { nil: undefined }),
    fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => stage(i, i === n - 1)))),
  )
  .map(([directive, baseImage, stages]) => {
    const lines = [...(directive ? [directive] : []), `ARG BASE=${baseImage ?? 'alpine'}`, 'ARG VERSION=1.0'];
    for (const s of stages) lines.push(...s);
    return `${lines.join('\n')}\n`;
  });

/** Options a caller may compile with; the target, when set, is a stage every program has. */
export const options: fc.Arbitrary<CompileOptions> = fc
  .record({
    debugInfo: fc.boolean(),
    copyMode: fc.constantFrom(undefined, 'exec' as const, 'file' as const),
    platform: fc.constantFrom(undefined, { os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    target: fc.constantFrom(undefined, 's0'),
    buildArgs: fc.constantFrom(undefined, new Map([['VERSION', '2.0']]), new Map([['MODE', 'fast']])),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as CompileOptions);
