import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileText } from '../helpers.js';
import { Diagnostic, SourceFile } from '../../src/diagnostics.js';
import { parse } from '../../src/syntax/parser.js';
import { Compilation } from '../../src/lower/compilation.js';
import { lowerStages } from '../../src/lower/lower.js';
import { readProgram } from '../../src/lower/program.js';
import { execs, opsOf, resultOp } from './ops.js';

test('global ARGs reach FROM, and a stage sees them only once declared', () => {
  const text = 'ARG BASE=alpine:3.18\nARG MSG=global\nFROM ${BASE}\nRUN echo $MSG\nARG MSG\nRUN echo $MSG\n';
  const ops = opsOf(text);
  assert.equal(ops[0].op.source.identifier, 'docker-image://docker.io/library/alpine:3.18');
  const [first, second] = execs(text);
  assert.deepEqual(first.meta.args, ['echo']);
  assert.deepEqual(second.meta.args, ['echo', 'global']);
});

test('--build-arg overrides both global and stage defaults', () => {
  const text = 'ARG V=1\nFROM alpine\nARG V\nARG W=2\nRUN echo $V $W\n';
  const [exec] = execs(text, { buildArgs: new Map([['V', 'x'], ['W', 'y']]) });
  assert.deepEqual(exec.meta.args, ['echo', 'x', 'y']);
});

test('ARG values never reach the exec environment; ENV values do', () => {
  const [exec] = execs('FROM alpine\nARG A=1\nENV B=$A\nRUN env\n');
  assert.deepEqual(exec.meta.env, ['B=1']);
});

test('ENV overrides an ARG of the same name during expansion', () => {
  const [exec] = execs('FROM alpine\nARG X=arg\nENV X=env\nRUN echo $X\n');
  assert.deepEqual(exec.meta.args, ['echo', 'env']);
});

test('ENV on one line is expanded with the variables before that line', () => {
  const [exec] = execs('FROM alpine\nENV A=1\nENV A=2 B=$A\nRUN env\n');
  assert.deepEqual(exec.meta.env, ['A=2', 'B=1']);
});

test('setting an ENV key again moves it to the end, as Go\'s EnvList does', () => {
  const [exec] = execs('FROM alpine\nENV A=1 B=2\nENV A=3\nRUN env\n');
  assert.deepEqual(exec.meta.env, ['B=2', 'A=3']);
});

test('expansion forms: default, alternative, escaped dollar, single quotes', () => {
  const [exec] = execs("FROM alpine\nENV SET=yes\nRUN echo ${UNSET:-dflt} ${SET:+alt} ${UNSET:+no} \\$SET '$SET' \"$SET\"\n");
  assert.deepEqual(exec.meta.args, ['echo', 'dflt', 'alt', '$SET', '$SET', 'yes']);
});

test('an expanded value with spaces splits into separate arguments (no shell)', () => {
  const [exec] = execs('FROM alpine\nARG FLAGS="-l -a"\nRUN ls $FLAGS /\n');
  assert.deepEqual(exec.meta.args, ['ls', '-l', '-a', '/']);
});

test('the JSON exec form is taken literally, without expansion', () => {
  const [exec] = execs('FROM alpine\nENV X=1\nRUN ["echo", "$X", "a b"]\n');
  assert.deepEqual(exec.meta.args, ['echo', '$X', 'a b']);
});

test('WORKDIR joins relative paths and USER sets the user', () => {
  const [exec] = execs('FROM alpine\nWORKDIR /a\nWORKDIR b/../c\nUSER 1000:1000\nRUN pwd\n');
  assert.equal(exec.meta.cwd, '/a/c');
  assert.equal(exec.meta.user, '1000:1000');
});

test('a stage continues from another stage with its env, dir and user', () => {
  const text = 'FROM alpine AS base\nENV A=1\nWORKDIR /w\nUSER u\nFROM BASE\nRUN true\n';
  const [, exec] = execs(text).length === 1 ? [undefined, execs(text)[0]] : execs(text);
  assert.deepEqual(exec.meta.env, ['A=1']);
  assert.equal(exec.meta.cwd, '/w');
  assert.equal(exec.meta.user, 'u');
});

test('FROM names only earlier stages, so a stage may share its image\'s name', () => {
  const ops = opsOf('FROM node AS node\nRUN true\n');
  assert.equal(ops[0].op.source.identifier, 'docker-image://docker.io/library/node:latest');
});

test('COPY --from may name a later stage, by name or index', () => {
  const text = 'FROM alpine\nCOPY --from=1 /a /a\nCOPY --from=LATER /b /b\nFROM busybox AS later\n';
  const ids = opsOf(text).filter((o) => o.op.source).map((o) => o.op.source.identifier);
  assert.ok(ids.includes('docker-image://docker.io/library/busybox:latest'));
});

test('COPY --from an image reference that is not a stage', () => {
  const text = 'FROM alpine\nCOPY --from=ghcr.io/acme/tools:1 /bin/t /usr/bin/\n';
  const ids = opsOf(text).filter((o) => o.op.source).map((o) => o.op.source.identifier);
  assert.ok(ids.includes('docker-image://ghcr.io/acme/tools:1'));
});

test('COPY into a relative directory creates it, joined to WORKDIR, then copies with cp -a', () => {
  const ops = opsOf('FROM alpine\nWORKDIR /app\nCOPY a.txt sub/\n');
  const mkdir = ops.find((o) => o.op.file)!.op.file.actions[0].mkdir;
  assert.equal(mkdir.path, '/app/sub');
  assert.equal(mkdir.mode, 0o755);
  assert.equal(mkdir.makeParents, true);
  const exec = ops.find((o) => o.op.exec)!.op.exec;
  assert.deepEqual(exec.meta.args, ['cp', '-a', '/src/a.txt', '/dest/app/sub/']);
  assert.deepEqual(exec.mounts.map((m: any) => m.dest), ['/', '/dest', '/src']);
});

test('COPY to a file path makes its parent; COPY to / makes nothing', () => {
  const file = opsOf('FROM alpine\nCOPY a /etc/app/conf\n').find((o) => o.op.file)!;
  assert.equal(file.op.file.actions[0].mkdir.path, '/etc/app');
  assert.equal(opsOf('FROM alpine\nCOPY a /\n').some((o) => o.op.file), false);
  assert.equal(opsOf('FROM alpine\nCOPY a /top\n').some((o) => o.op.file), false);
});

test('COPY with . as destination means the WORKDIR as a directory', () => {
  const exec = execs('FROM alpine\nWORKDIR /w\nCOPY x .\n')[0];
  assert.deepEqual(exec.meta.args, ['cp', '-a', '/src/x', '/dest/w/']);
});

test('--copy-image replaces the helper image', () => {
  const ids = opsOf('FROM scratch\nCOPY a /a\n', { copyImage: 'busybox:1.36' }).filter((o) => o.op.source).map((o) => o.op.source.identifier);
  assert.ok(ids.includes('docker-image://docker.io/library/busybox:1.36'));
  assert.ok(!ids.includes('docker-image://docker.io/library/alpine:latest'));
});

test('COPY --chown or --chmod makes a FileOp copy with Dockerfile semantics', () => {
  const op = resultOp('FROM alpine\nCOPY --chown=app:staff --chmod=640 a b /dst/\n');
  const [first, second] = op.file.actions;
  assert.equal(first.copy.src, '/a');
  assert.equal(first.copy.dest, '/dst/');
  assert.deepEqual(first.copy.owner, { user: { byName: { name: 'app' } }, group: { byName: { name: 'staff' } } });
  assert.equal(first.copy.mode, 0o640);
  assert.equal(first.copy.followSymlink, true);
  assert.equal(first.copy.allowEmptyWildcard, true);
  assert.equal(first.output, -1);
  assert.equal(second.input, 2, 'the second copy reads the first one\'s result');
  assert.equal(second.output ?? 0, 0, 'proto3 leaves the zero output out');
});

test('--chown=root and numeric ids are ids', () => {
  const op = resultOp('FROM alpine\nCOPY --chown=root:0 a /a\n');
  assert.deepEqual(op.file.actions[0].copy.owner, { user: { byID: 0 }, group: { byID: 0 } });
});

test('the copy=file directive and --copy=file select FileOp copies', () => {
  assert.ok(resultOp('# copy=file\nFROM alpine\nCOPY a /a\n').file);
  assert.ok(resultOp('FROM alpine\nCOPY a /a\n', { copyMode: 'file' }).file);
  assert.ok(resultOp('FROM alpine\nCOPY a /a\n').exec);
  // --copy on the command line wins over the directive.
  assert.ok(resultOp('# copy=file\nFROM alpine\nCOPY a /a\n', { copyMode: 'exec' }).exec);
});

test('RUN mounts: bind from a stage is read-only unless rw, and from the context without from', () => {
  const exec = execs('FROM alpine AS s\nFROM alpine\nRUN --mount=target=/ctx --mount=type=bind,from=s,source=/etc,target=/m,rw ls\n').pop();
  const byDest = Object.fromEntries(exec.mounts.map((m: any) => [m.dest, m]));
  assert.equal(byDest['/ctx'].readonly, true);
  assert.equal(byDest['/ctx'].output, -1);
  assert.equal(byDest['/m'].selector, '/etc');
  assert.equal(byDest['/m'].readonly, undefined);
  assert.equal(byDest['/m'].output, 1);
});

test('RUN mounts: relative targets join the WORKDIR; cache ids default to the target', () => {
  const exec = execs('FROM alpine\nWORKDIR /w\nRUN --mount=type=cache,target=cache,sharing=private true\n')[0];
  const cache = exec.mounts.find((m: any) => m.mountType === 3);
  assert.equal(cache.dest, '/w/cache');
  assert.deepEqual(cache.cacheOpt, { ID: '/w/cache', sharing: 1 });
});

test('RUN mounts: tmpfs sizes, secrets and ssh options', () => {
  const exec = execs('FROM alpine\nRUN --mount=type=tmpfs,target=/t,size=1g --mount=type=secret,id=s,mode=0440,uid=1,gid=2,required --mount=type=ssh,id=default,target=/agent,required true\n')[0];
  const tmpfs = exec.mounts.find((m: any) => m.mountType === 4);
  assert.equal(tmpfs.TmpfsOpt.size, 2 ** 30);
  const secret = exec.mounts.find((m: any) => m.mountType === 1);
  assert.equal(secret.dest, '/run/secrets/s');
  assert.deepEqual(secret.secretOpt, { ID: 's', uid: 1, gid: 2, mode: 0o440 });
  const ssh = exec.mounts.find((m: any) => m.mountType === 2);
  assert.deepEqual(ssh.SSHOpt, { ID: 'default', mode: 0o600 });
  assert.equal(ssh.dest, '/agent');
  assert.deepEqual(exec.meta.env, ['SSH_AUTH_SOCK=/agent']);
});

test('RUN --network and --security apply to that exec only', () => {
  const [a, b] = execs('FROM alpine\nRUN --network=none --security=insecure true\nRUN true\n');
  assert.equal(a.network, 2);
  assert.equal(a.security, 1);
  assert.equal(b.network, undefined);
  assert.equal(b.security, undefined);
});

test('FROM --platform applies to the image and every op of the stage', () => {
  const ops = opsOf('FROM --platform=linux/arm/v7 alpine\nRUN true\nCOPY a /d/\n', { copyMode: 'file' });
  for (const o of ops.filter((x) => !x.op.source || x.op.source.identifier.startsWith('docker-image://'))) {
    assert.deepEqual(o.op.platform, { Architecture: 'arm', OS: 'linux', Variant: 'v7' });
  }
});

test('ADD of a local path is a COPY; ADD of URLs downloads', () => {
  assert.ok(resultOp('FROM alpine\nADD a /a\n').exec);
  const op = resultOp('FROM alpine\nADD https://example.com/a/b%20c.tgz /x/\n');
  assert.equal(op.file.actions[0].copy.src, '/b c.tgz');
  const git = opsOf('FROM alpine\nADD git@github.com:moby/buildkit.git#main /src\n').find((o) => o.op.source?.identifier.startsWith('git://'))!;
  assert.equal(git.op.source.identifier, 'git://git@github.com/moby/buildkit.git#main');
});

test('unreached stages are not compiled into the output', () => {
  const ids = opsOf('FROM busybox AS unused\nFROM alpine\n').map((o) => o.op.source?.identifier);
  assert.deepEqual(ids, ['docker-image://docker.io/library/alpine:latest']);
});

test('a `[` line that is not a JSON array of strings is the shell form, as Docker reads it', () => {
  const shell = (cmd: string) => compileText(`FROM alpine\nRUN ${cmd}\n`);
  assert.deepEqual(shell('[ -f /etc/alpine-release ]'), shell('["[", "-f", "/etc/alpine-release", "]"]'));
  assert.deepEqual(shell('["sh", "-c"'), shell('["[sh,", "-c"]'));
  assert.deepEqual(shell('["sh", 1]'), shell('["[sh,", "1]"]'));
  assert.deepEqual(shell('["sh", "-c", "true"]'), shell('sh -c true'));
});

test('lowerStages: the first error is thrown; with `failed`, each is reported and lowering goes on; `watch` stops at an instruction', () => {
  const text = 'FROM alpine AS a\nENV X=1\nRUN --network=bad true\nCOPY --from=b x y\nENV Y=$X\nFROM a AS b\nRUN true\n';
  const fresh = () => {
    const comp = new Compilation(readProgram(parse(new SourceFile('x.llb', text))), { buildArgs: new Map(), platform: { os: 'linux', architecture: 'amd64' }, copyImage: 'docker.io/library/alpine:latest' });
    return { comp, a: comp.program.stages[0], b: comp.program.stages[1] };
  };
  let { comp, a } = fresh();
  // b, which a's COPY names, is lowered first, and closes a cycle at its FROM.
  assert.throws(() => lowerStages(comp, a), (e) => e instanceof Diagnostic && /stage cycle: a -> b -> a/.test(e.message));

  ({ comp, a } = fresh());
  const errors: string[] = [];
  const state = lowerStages(comp, a, { failed: (e) => errors.push((e as Diagnostic).message) });
  // b goes on from scratch, and a past its bad line.
  assert.deepEqual(errors.map((m) => m.replace(/:.*/, '')), ['stage cycle', 'invalid --network "bad"']);
  assert.equal(state?.getEnv().get('Y'), '1');
  assert.ok(comp.results[1], 'b was lowered');

  ({ comp, a } = fresh());
  const envY = a.at(3);
  let seen: [string | undefined, string | undefined, string | undefined] | undefined;
  const stopped = lowerStages(comp, a, { failed: () => {}, watch: { instr: envY, found: (before, after) => (seen = [before('X'), before('Y'), after('Y')]) } });
  assert.equal(stopped, undefined);
  assert.deepEqual(seen, ['1', undefined, '1']);
  assert.equal(comp.results[0], undefined, 'a was not finished');
});
