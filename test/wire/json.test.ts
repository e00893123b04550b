import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDefinition, decodeMessage, DecodeError } from '../../src/wire/decode.js';
import { encodeAny } from '../../src/wire/encode.js';
import { fromGoJSON, goJSON, goJSONString, parseJSON, type JSONValue } from '../../src/wire/json.js';
import { conformanceCases } from '../helpers.js';

/** Encodes with the project's encoder, decodes with the decoder, prints as Go would. */
function json(typeName: string, value: object): string {
  return goJSON(typeName, decodeMessage(typeName, encodeAny(typeName, value)));
}

test('strings are escaped as Go 1.20 encoding/json escapes them (HTML-safe)', () => {
  assert.equal(goJSONString('a<b>&"c"\\'), '"a\\u003cb\\u003e\\u0026\\"c\\"\\\\"');
  assert.equal(goJSONString('\n\r\t\b\f\x01\x1f\x7f'), '"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\x7f"');
  assert.equal(goJSONString('\u2028\u2029é😀'), '"\\u2028\\u2029é😀"');
  assert.equal(goJSONString('\udc80x\ud800'), '"\\ufffdx\\ufffd"', 'lone surrogates (invalid UTF-8) become \\ufffd');
});

test('invalid UTF-8 prints one \\ufffd per bad byte; a real U+FFFD prints as itself', () => {
  const id = Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x61, 0xef, 0xbf, 0xbd, 0xed, 0xa0, 0x80]);
  const source = Buffer.concat([Buffer.from([0x0a, id.length]), id]);
  const op = Buffer.concat([Buffer.from([0x1a, source.length]), source]);
  assert.equal(goJSON('Op', decodeMessage('Op', op)), '{"Op":{"source":{"identifier":"a\\ufffd\\ufffd\\ufffda\ufffd\\ufffd\\ufffd\\ufffd"}}}');
});

test('the fields the conformance cases never show follow the same rules', () => {
  const exec = {
    inputs: [{ digest: 'sha256:aa', index: 2 }],
    exec: {
      meta: {
        args: ['sh'],
        env: ['A=<1>'],
        cwd: '/',
        user: 'app',
        proxy_env: { http_proxy: 'http://p', no_proxy: 'x' },
        extraHosts: [{ Host: 'h', IP: '10.0.0.1' }],
        hostname: 'box',
        ulimit: [{ Name: 'nofile', Soft: 1024, Hard: 2 ** 40 }],
        cgroupParent: 'cg',
      },
      mounts: [
        { input: 0, dest: '/', output: 0 },
        { input: -1, dest: '/c', output: -1, mountType: 3, cacheOpt: { ID: 'id', sharing: 1 } },
        { input: 0, dest: '/s', output: 0, mountType: 1, secretOpt: { ID: 's', uid: 1, gid: 2, mode: 0o400, optional: false } },
        { dest: '/ssh', mountType: 2, SSHOpt: { ID: 'default', mode: 0o600 } },
        { input: -1, dest: '/t', output: -1, mountType: 4, TmpfsOpt: {} },
        { input: 1, selector: '/x', dest: '/r', output: -1, readonly: true, resultID: 'r1' },
      ],
      network: 1,
      security: 1,
      secretenv: [{ ID: 'k', name: 'K' }],
    },
    platform: { Architecture: 'arm', OS: 'linux', Variant: 'v7', OSFeatures: ['f'] },
    constraints: { filter: ['a==b'] },
  };
  assert.equal(
    json('Op', exec),
    '{"inputs":[{"digest":"sha256:aa","index":2}],"Op":{"exec":{"meta":{"args":["sh"],"env":["A=\\u003c1\\u003e"],"cwd":"/","user":"app",' +
      '"proxy_env":{"http_proxy":"http://p","no_proxy":"x"},"extraHosts":[{"Host":"h","IP":"10.0.0.1"}],"hostname":"box",' +
      '"ulimit":[{"Name":"nofile","Soft":1024,"Hard":1099511627776}],"cgroupParent":"cg"},"mounts":[' +
      '{"input":0,"dest":"/","output":0},' +
      '{"input":-1,"dest":"/c","output":-1,"mountType":3,"cacheOpt":{"ID":"id","sharing":1}},' +
      '{"input":0,"dest":"/s","output":0,"mountType":1,"secretOpt":{"ID":"s","uid":1,"gid":2,"mode":256}},' +
      '{"input":0,"dest":"/ssh","output":0,"mountType":2,"SSHOpt":{"ID":"default","mode":384}},' +
      '{"input":-1,"dest":"/t","output":-1,"mountType":4,"TmpfsOpt":{}},' +
      '{"input":1,"selector":"/x","dest":"/r","output":-1,"readonly":true,"resultID":"r1"}],' +
      '"network":1,"security":1,"secretenv":[{"ID":"k","name":"K"}]}},' +
      '"platform":{"Architecture":"arm","OS":"linux","Variant":"v7","OSFeatures":["f"]},"constraints":{"filter":["a==b"]}}',
  );
});

test('file actions: owners by name and by id (0 prints as an empty oneof), mkfile data, rm, patterns', () => {
  const file = {
    file: {
      actions: [
        { input: 0, secondaryInput: -1, output: -1, mkdir: { path: '/d', mode: 0o755, owner: { user: { byName: { name: 'app', input: 0 } }, group: { byID: 0 } }, timestamp: -1 } },
        { input: 1, secondaryInput: -1, output: -1, mkfile: { path: '/f', mode: 0o644, data: new Uint8Array([104, 105, 255]), owner: { user: { byID: 1000 } } } },
        { input: 2, secondaryInput: -1, output: -1, rm: { path: '/x', allowNotFound: true, allowWildcard: true } },
        { input: 3, secondaryInput: 0, output: 0, copy: { src: '/', dest: '/', mode: -1, include_patterns: ['*.go'], exclude_patterns: ['x'], timestamp: -1 } },
        { input: 4, secondaryInput: -1, output: -1 },
      ],
    },
  };
  assert.equal(
    json('Op', file),
    '{"Op":{"file":{"actions":[' +
      '{"input":0,"secondaryInput":-1,"output":-1,"Action":{"mkdir":{"path":"/d","mode":493,"owner":{"user":{"User":{"byName":{"name":"app","input":0}}},"group":{"User":{}}},"timestamp":-1}}},' +
      '{"input":1,"secondaryInput":-1,"output":-1,"Action":{"mkfile":{"path":"/f","mode":420,"data":"aGn/","owner":{"user":{"User":{"byID":1000}}}}}},' +
      '{"input":2,"secondaryInput":-1,"output":-1,"Action":{"rm":{"path":"/x","allowNotFound":true,"allowWildcard":true}}},' +
      '{"input":3,"secondaryInput":0,"output":0,"Action":{"copy":{"src":"/","dest":"/","mode":-1,"timestamp":-1,"include_patterns":["*.go"],"exclude_patterns":["x"]}}},' +
      '{"input":4,"secondaryInput":-1,"output":-1,"Action":null}]}}}',
  );
});

test('merge, diff and build ops, and an op with nothing set', () => {
  assert.equal(json('Op', { merge: { inputs: [{ input: 0 }, { input: 1 }] } }), '{"Op":{"merge":{"inputs":[{"input":0},{"input":1}]}}}');
  assert.equal(json('Op', { diff: { lower: { input: 0 }, upper: { input: 1 } } }), '{"Op":{"diff":{"lower":{"input":0},"upper":{"input":1}}}}');
  assert.equal(json('Op', { build: { builder: 0, inputs: new Map([['b', { input: 1 }], ['a', {}]]), attrs: { z: '1', y: '2' } } }), '{"Op":{"build":{"builder":0,"inputs":{"a":{"input":0},"b":{"input":1}},"attrs":{"y":"2","z":"1"}}}}');
  assert.equal(json('Op', {}), '{"Op":null}');
});

test('OpMetadata: every field, map keys sorted byte-wise, and caps printed even when absent', () => {
  const md = {
    ignore_cache: true,
    description: { 'llb.customname': '[1/2] RUN a && b', 'com.docker.dockerfile.v1.command': 'RUN', 'é': 'x', z: 'y' },
    export_cache: { Value: true },
    caps: { 'source.image': true, 'exec.meta.base': true },
    progress_group: { id: 'g', name: 'group', weak: true },
  };
  assert.equal(
    json('OpMetadata', md),
    '{"ignore_cache":true,"description":{"com.docker.dockerfile.v1.command":"RUN","llb.customname":"[1/2] RUN a \\u0026\\u0026 b","z":"y","é":"x"},' +
      '"export_cache":{"Value":true},"caps":{"exec.meta.base":true,"source.image":true},"progress_group":{"id":"g","name":"group","weak":true}}',
  );
  assert.equal(json('OpMetadata', {}), '{"caps":null}');
});

test('64-bit integers past 2^53 print exactly', () => {
  // FileActionMkDir{timestamp: 2^60 + 1} and {timestamp: -2^62 - 1}, hand-encoded.
  const varint = (n: bigint) => {
    const out: number[] = [];
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    return [...out, Number(v)];
  };
  for (const ts of [2n ** 60n + 1n, -(2n ** 62n) - 1n]) {
    const bytes = new Uint8Array([0x28, ...varint(ts)]);
    const msg = decodeMessage('FileActionMkDir', bytes);
    assert.equal(goJSON('FileActionMkDir', msg), `{"timestamp":${ts}}`);
    assert.ok(Buffer.from(encodeAny('FileActionMkDir', msg)).equals(bytes));
  }
});

test('decoding follows gogo: unknown fields skipped, the last oneof member wins, bad data refused', () => {
  // Op{source{identifier:"a"}}, an unknown field 15 (varint), then Op.exec{} replacing the source.
  const op = new Uint8Array([0x1a, 0x03, 0x0a, 0x01, 0x61, 0x78, 0x05, 0x12, 0x00]);
  assert.equal(goJSON('Op', decodeMessage('Op', op)), '{"Op":{"exec":{}}}');
  assert.throws(() => decodeMessage('Op', new Uint8Array([0x1a, 0x05, 0x0a])), DecodeError);
  assert.throws(() => decodeMessage('Op', new Uint8Array([0x18, 0x01])), /Op\.source: wrong wire type 0/);
  assert.throws(() => decodeMessage('Op', new Uint8Array([0x7f])), /illegal wire type 7/);
  assert.throws(() => decodeMessage('Op', new Uint8Array([0x78, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), /varint longer than 10 bytes/);
});

test('decode then encode gives back every conformance op byte for byte', () => {
  for (const c of conformanceCases()) {
    const def = decodeDefinition(c.pb);
    const raw = decodeMessage('Definition', c.pb).def as Uint8Array[];
    def.ops.forEach(({ op }, i) => assert.ok(Buffer.from(encodeAny('Op', op)).equals(raw[i]), `${c.name} op ${i}`));
  }
});

test('a dump line reads back into the op it was printed from', () => {
  for (const c of conformanceCases()) {
    const raw = decodeMessage('Definition', c.pb).def as Uint8Array[];
    c.json
      .trim()
      .split('\n')
      .forEach((line, i) => {
        const parsed = parseJSON(line) as Map<string, JSONValue>;
        const op = fromGoJSON('Op', parsed.get('Op')!);
        assert.ok(Buffer.from(encodeAny('Op', op)).equals(raw[i]), `${c.name} op ${i}`);
      });
  }
});
