import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  applyArg,
  applyCmd,
  applyEntrypoint,
  applyEnv,
  applyExpose,
  applyHealthcheck,
  applyLabel,
  applyMaintainer,
  applyOnbuild,
  applyShell,
  applyStopSignal,
  applyUser,
  applyVolume,
  applyWorkdir,
  baseImage,
  commandArgs,
  emptyImage,
  finishedImage,
  goDurationString,
  goQuote,
  healthConfig,
  ImageConfigError,
  imageConfigJSON,
  parseGoDuration,
  parseImageConfig,
  parsePortSpec,
  startStage,
  takeOnbuildTriggers,
  type StageImage,
} from '../../src/lower/imageconfig.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const fresh = (): StageImage => startStage(baseImage(undefined, amd64));
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

describe('base images', () => {
  it('FROM scratch has PATH and WorkingDir /', () => {
    const img = emptyImage({ os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(img.config.Env, [PATH]);
    assert.equal(img.config.WorkingDir, '/');
    assert.equal(img.variant, 'v7');
  });

  it('an unresolved image is empty but for PATH and the platform, like llbref\'s made-up config', () => {
    const img = baseImage(undefined, amd64);
    assert.deepEqual(img.config.Env, [PATH]);
    assert.equal(img.config.WorkingDir, undefined);
    assert.equal(imageConfigJSON(img), `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":null},"config":{"Env":["${PATH}"],"OnBuild":null}}`);
  });

  it('a resolved config keeps its fields, loses created, and gains PATH only when it has none', () => {
    const resolved = parseImageConfig(
      JSON.stringify({ created: '2023-01-01T00:00:00Z', architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/custom', 'A=1'], User: 'app', Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: ['sha256:aa'] }, extra: 1 }),
    );
    const img = baseImage(resolved, amd64);
    assert.equal(img.created, undefined);
    assert.deepEqual(img.config.Env, ['PATH=/custom', 'A=1']);
    assert.deepEqual(img.config.Cmd, ['sh']);
    assert.deepEqual(img.rootfs.diff_ids, ['sha256:aa']);
    assert.deepEqual(baseImage(parseImageConfig('{"config":{"Env":["A=1"]}}'), amd64).config.Env, ['A=1', PATH]);
  });

  it('refuses a config that is not a JSON object', () => {
    assert.throws(() => parseImageConfig('[1]'), ImageConfigError);
    assert.throws(() => parseImageConfig('{'), ImageConfigError);
  });
});

describe('CMD and ENTRYPOINT', () => {
  it('ENTRYPOINT clears an inherited CMD', () => {
    const base = applyCmd(fresh(), { json: ['base-cmd'] }).image;
    const child = applyEntrypoint(startStage(base), { json: ['/entry'] });
    assert.deepEqual(child.image.config.Entrypoint, ['/entry']);
    assert.equal(child.image.config.Cmd, undefined);
  });

  it('ENTRYPOINT keeps a CMD set earlier in the same stage; a later CMD replaces it', () => {
    let s = applyCmd(fresh(), { json: ['first'] });
    s = applyEntrypoint(s, { json: ['/entry'] });
    assert.deepEqual(s.image.config.Cmd, ['first']);
    s = applyCmd(s, { shell: 'echo later' });
    assert.deepEqual(s.image.config.Cmd, ['/bin/sh', '-c', 'echo later']);
    assert.equal(s.image.config.ArgsEscaped, true);
  });

  it('shell forms run through the stage SHELL, or cmd on Windows', () => {
    const s = applyShell(fresh(), ['/bin/ash', '-eo', 'pipefail', '-c']);
    assert.deepEqual(applyEntrypoint(s, { shell: 'run.sh --x' }).image.config.Entrypoint, ['/bin/ash', '-eo', 'pipefail', '-c', 'run.sh --x']);
    assert.deepEqual(commandArgs(emptyImage({ os: 'windows', architecture: 'amd64' }), { shell: 'dir' }), ['cmd', '/S', '/C', 'dir']);
  });

  it('records Go-quoted history', () => {
    const s = applyCmd(fresh(), { json: ['a "b"', 'c\td'] });
    assert.deepEqual(finishedImage(s).history?.at(-1), { created_by: 'CMD ["a \\"b\\"" "c\\td"]', comment: 'buildkit.dockerfile.v0', empty_layer: true });
  });
});

describe('ENV, ARG, LABEL, USER, WORKDIR, SHELL, MAINTAINER, ONBUILD', () => {
  it('ENV replaces a key where it is and appends new ones', () => {
    const s = applyEnv(applyEnv(fresh(), [['A', '1'], ['B', '2']]), [['PATH', '/opt/bin'], ['A', '3']]);
    assert.deepEqual(s.image.config.Env, ['PATH=/opt/bin', 'A=3', 'B=2']);
    assert.equal(finishedImage(s).history?.at(-1)?.created_by, 'ENV PATH=/opt/bin A=3');
  });

  it('ARG only adds history', () => {
    const before = fresh();
    const s = applyArg(before, [['A', undefined], ['B', 'x']]);
    assert.deepEqual(s.image.config, before.image.config);
    assert.equal(finishedImage(s).history?.at(-1)?.created_by, 'ARG A B=x');
  });

  it('LABEL merges, later values win; keys print sorted', () => {
    const s = applyLabel(applyLabel(fresh(), [['z', '1'], ['a', '2']]), [['z', '3']]);
    assert.match(imageConfigJSON(s.image), /"Labels":\{"a":"2","z":"3"\}/);
  });

  it('WORKDIR joins relative paths to the current one and cleans them', () => {
    let r = applyWorkdir(fresh(), 'app', true);
    assert.equal(r.dir, '/app');
    r = applyWorkdir(r.stage, 'lib/../bin', true);
    assert.equal(r.dir, '/app/bin');
    assert.equal(r.stage.image.config.WorkingDir, '/app/bin');
    assert.deepEqual(finishedImage(r.stage).history?.at(-1), { created_by: 'WORKDIR /app/bin', comment: 'buildkit.dockerfile.v0' });
    assert.equal(finishedImage(applyWorkdir(r.stage, '/', false).stage).history?.at(-1)?.empty_layer, true);
  });

  it('a child stage takes its base\'s ONBUILD triggers and keeps none', () => {
    const parent = applyOnbuild(fresh(), 'RUN echo trigger').image;
    const { triggers, stage } = takeOnbuildTriggers(startStage(parent));
    assert.deepEqual(triggers, ['RUN echo trigger']);
    assert.equal(stage.image.config.OnBuild, null);
    assert.deepEqual(parent.config.OnBuild, ['RUN echo trigger']);
  });

  it('USER, MAINTAINER, ONBUILD', () => {
    let s = applyUser(fresh(), '1000:1000');
    s = applyMaintainer(s, 'me@example.com');
    s = applyOnbuild(applyOnbuild(s, 'COPY . /app'), 'RUN make');
    assert.equal(s.image.config.User, '1000:1000');
    assert.equal(s.image.author, 'me@example.com');
    assert.deepEqual(s.image.config.OnBuild, ['COPY . /app', 'RUN make']);
  });
});

describe('EXPOSE, VOLUME, STOPSIGNAL', () => {
  it('normalizes ports to port/proto and expands ranges', () => {
    assert.deepEqual(parsePortSpec('80'), ['80/tcp']);
    assert.deepEqual(parsePortSpec('53/UDP'), ['53/udp']);
    assert.deepEqual(parsePortSpec('8000-8002/tcp'), ['8000/tcp', '8001/tcp', '8002/tcp']);
    assert.deepEqual(parsePortSpec('127.0.0.1:8080:80/'), ['80/tcp']);
    const s = applyExpose(fresh(), ['443/tcp', '80']);
    assert.match(imageConfigJSON(s.image), /"ExposedPorts":\{"443\/tcp":\{\},"80\/tcp":\{\}\}/);
    assert.equal(finishedImage(s).history?.at(-1)?.created_by, 'EXPOSE map[443/tcp:{} 80/tcp:{}]');
  });

  it('refuses bad ports', () => {
    for (const bad of ['', 'http', '70000', '90-80', '80/icmp', '/tcp']) assert.throws(() => parsePortSpec(bad), ImageConfigError, bad);
  });

  it('VOLUME adds paths and refuses an empty one', () => {
    const s = applyVolume(fresh(), ['/data', '/logs']);
    assert.deepEqual(Object.keys(s.image.config.Volumes ?? {}), ['/data', '/logs']);
    assert.equal(finishedImage(s).history?.at(-1)?.created_by, 'VOLUME [/data /logs]');
    assert.throws(() => applyVolume(fresh(), ['']), /can not be an empty string/);
  });

  it('STOPSIGNAL takes names and numbers as written', () => {
    assert.equal(applyStopSignal(fresh(), 'SIGTERM').image.config.StopSignal, 'SIGTERM');
    assert.equal(applyStopSignal(fresh(), 'kill').image.config.StopSignal, 'kill');
    assert.equal(applyStopSignal(fresh(), '9').image.config.StopSignal, '9');
    assert.throws(() => applyStopSignal(fresh(), 'SIGNOPE'), /Invalid signal/);
  });
});

describe('HEALTHCHECK', () => {
  it('shell form is CMD-SHELL with the options in nanoseconds', () => {
    const h = healthConfig('CMD', { shell: 'wget -q -O- http://localhost/ || exit 1' }, { interval: '30s', timeout: '5s', startPeriod: '1m30s', retries: '3' });
    assert.deepEqual(h, { Test: ['CMD-SHELL', 'wget -q -O- http://localhost/ || exit 1'], Interval: 30e9, Timeout: 5e9, StartPeriod: 90e9, Retries: 3 });
    const s = applyHealthcheck(fresh(), h);
    assert.equal(finishedImage(s).history?.at(-1)?.created_by, 'HEALTHCHECK &{["CMD-SHELL" "wget -q -O- http://localhost/ || exit 1"] "30s" "5s" "1m30s" \'\\x03\'}');
  });

  it('JSON form is CMD; NONE takes nothing', () => {
    assert.deepEqual(healthConfig('CMD', { json: ['curl', '-f', 'http://localhost/'] }), { Test: ['CMD', 'curl', '-f', 'http://localhost/'] });
    assert.deepEqual(healthConfig('NONE', undefined), { Test: ['NONE'] });
    assert.throws(() => healthConfig('NONE', { shell: 'x' }), /takes no arguments/);
  });

  it('checks its options', () => {
    assert.throws(() => healthConfig('CMD', { shell: 'x' }, { interval: '500us' }), /cannot be less than 1ms/);
    assert.throws(() => healthConfig('CMD', { shell: 'x' }, { retries: '0' }), /at least 1/);
    assert.throws(() => healthConfig('CMD', { shell: 'x' }, { timeout: '5' }), /missing unit/);
    assert.throws(() => healthConfig('CMD', undefined), /Missing command/);
  });
});

describe('Go formats', () => {
  it('parses and prints durations as Go does', () => {
    assert.equal(parseGoDuration('1h2m3.5s'), 3723.5e9);
    assert.equal(parseGoDuration('1.5ms'), 1.5e6);
    assert.equal(parseGoDuration('0'), 0);
    assert.throws(() => parseGoDuration('3x'), /unknown unit/);
    assert.equal(goDurationString(3723.5e9), '1h2m3.5s');
    assert.equal(goDurationString(90e9), '1m30s');
    assert.equal(goDurationString(1.5e6), '1.5ms');
    assert.equal(goDurationString(0), '0s');
  });

  it('quotes like strconv.Quote', () => {
    assert.equal(goQuote('a"b\\c\n\x01é'), '"a\\"b\\\\c\\n\\x01é"');
  });
});

describe('imageConfigJSON', () => {
  it('prints fields in the Go frontend\'s order, with OnBuild null when empty', () => {
    let s = fresh();
    s = applyShell(s, ['/bin/bash', '-c']);
    s = applyEntrypoint(s, { json: ['/bin/app'] });
    s = applyCmd(s, { json: ['--port', '8080'] });
    s = applyHealthcheck(s, healthConfig('CMD', { json: ['true'] }, { interval: '10s' }));
    s = applyStopSignal(applyLabel(applyVolume(applyUser(applyExpose(s, ['80']), 'nobody'), ['/data']), [['k', 'v']]), 'SIGINT');
    s = applyWorkdir(applyMaintainer(s, 'me'), '/srv', true).stage;
    const json = JSON.parse(imageConfigJSON(finishedImage(s)));
    assert.deepEqual(Object.keys(json), ['author', 'architecture', 'os', 'rootfs', 'history', 'config']);
    assert.deepEqual(Object.keys(json.config), ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'Healthcheck', 'ArgsEscaped', 'OnBuild', 'Shell']);
    assert.deepEqual(json.config.Healthcheck, { Test: ['CMD', 'true'], Interval: 10e9 });
    assert.equal(json.config.OnBuild, null);
  });

  it('round-trips through parseImageConfig', () => {
    const s = applyOnbuild(applyEnv(applyExpose(fresh(), ['80']), [['A', 'b']]), 'RUN x');
    const text = imageConfigJSON(finishedImage(s));
    assert.equal(imageConfigJSON(parseImageConfig(text)), text);
  });
});
