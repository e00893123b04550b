import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'llbc-language-errors-'));

/** Compiles `FROM alpine` + one line; the error must point at `spot` within that line. */
function assertPointsAt(line: string, spot: string, message: RegExp) {
  const path = join(dir, 'build.llb');
  writeFileSync(path, `FROM alpine AS self\n${line}\n`);
  const r = runCli([path]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout.length, 0);
  const col = line.indexOf(spot) + 1;
  assert.ok(col > 0, `${spot} is in ${line}`);
  const [head, shown, caret] = r.stderr.split('\n');
  assert.equal(head.startsWith(`${path}:2:${col}: error: `), true, head);
  assert.match(head, message);
  assert.equal(shown, `  ${line}`);
  assert.equal(caret.indexOf('^'), 2 + col - 1);
}

test('unknown mount type', () => assertPointsAt('RUN --mount=type=volume,target=/v true', 'type=volume', /unknown mount type "volume"/));
test('unknown mount option', () => assertPointsAt('RUN --mount=type=cache,target=/c,colour=red true', 'colour=red', /unknown mount option "colour"/));
test('an option of another mount type', () => assertPointsAt('RUN --mount=type=tmpfs,target=/t,sharing=locked true', 'sharing=locked', /option "sharing" does not apply to a tmpfs mount/));
test('rw on a secret', () => assertPointsAt('RUN --mount=type=secret,id=s,rw true', 'rw', /option "rw" does not apply to a secret mount/));
test('from= on a tmpfs', () => assertPointsAt('RUN --mount=type=tmpfs,target=/t,from=self true', 'from=self', /does not apply to a tmpfs mount/));
test('bad tmpfs size', () => assertPointsAt('RUN --mount=type=tmpfs,target=/t,size=lots true', 'size=lots', /invalid size "lots"/));
test('bad secret mode', () => assertPointsAt('RUN --mount=type=secret,id=s,mode=0999 true', 'mode=0999', /invalid mode "0999"/));
test('bad uid', () => assertPointsAt('RUN --mount=type=ssh,uid=me true', 'uid=me', /invalid uid "me"/));
test('bad boolean', () => assertPointsAt('RUN --mount=type=secret,id=s,required=maybe true', 'required=maybe', /takes true or false/));
test('a mount without its target', () => assertPointsAt('RUN --mount=type=cache,id=x true', 'type=cache', /needs target=/));
test('a mount over the root', () => assertPointsAt('RUN --mount=type=bind,target=/ true', 'target=/', /cannot replace the root/));
test('a secret without an id', () => assertPointsAt('RUN --mount=type=secret true', 'type=secret', /needs id=/));
test('two mounts at one target', () => assertPointsAt('RUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/c true', 'type=tmpfs', /two mounts at \/c/));
test('self-referencing from=', () => assertPointsAt('RUN --mount=type=bind,from=self,target=/m true', 'from=self', /cannot use itself/));
test('bad network', () => assertPointsAt('RUN --network=bridge true', 'bridge', /invalid --network "bridge"/));
test('bad security', () => assertPointsAt('RUN --security=privileged true', 'privileged', /invalid --security "privileged"/));
test('a repeated single-valued flag', () => assertPointsAt('RUN --network=none --network=host true', '--network=host', /given more than once/));
test('unknown RUN flag', () => assertPointsAt('RUN --mounts=type=cache true', '--mounts', /unknown flag --mounts for RUN/));
test('bad --chmod', () => assertPointsAt('COPY --chmod=rwx a /b', 'rwx', /invalid --chmod "rwx"/));
test('bad --chown', () => assertPointsAt('COPY --chown=a:b:c a /b', 'a:b:c', /invalid --chown "a:b:c"/));
test('--from on ADD is not a thing', () => assertPointsAt('ADD --from=self a /b', '--from=self', /unknown flag --from for ADD/));
test('bad FROM --platform', () => {
  const path = join(dir, 'platform.llb');
  writeFileSync(path, 'FROM --platform=linux/ alpine\n');
  const r = runCli([path]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /:1:17: error: invalid platform "linux\/"/);
});
test('ADD of a URL without a file name', () => assertPointsAt('ADD https://example.com/ /x', 'https://', /no file name/));
