import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { ImageRefError, normalizeImageRef } from '../../src/lower/imageref.js';

const HEX = '0123456789abcdef'.repeat(4);
const DIGEST = `sha256:${HEX}`;

function refError(ref: string): ImageRefError {
  try {
    normalizeImageRef(ref);
  } catch (err) {
    assert.ok(err instanceof ImageRefError, `expected ImageRefError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(ref)} to be rejected`);
}

describe('normalizeImageRef', () => {
  it('qualifies official images', () => {
    assert.equal(normalizeImageRef('alpine'), 'docker.io/library/alpine:latest');
    assert.equal(normalizeImageRef('alpine:3.18'), 'docker.io/library/alpine:3.18');
    assert.equal(normalizeImageRef('library/alpine'), 'docker.io/library/alpine:latest');
    assert.equal(normalizeImageRef('docker.io/alpine'), 'docker.io/library/alpine:latest');
    assert.equal(normalizeImageRef('docker.io/library/alpine:edge'), 'docker.io/library/alpine:edge');
  });

  it('qualifies user images on Docker Hub', () => {
    assert.equal(normalizeImageRef('acme/tool'), 'docker.io/acme/tool:latest');
    assert.equal(normalizeImageRef('acme/team/tool:v1'), 'docker.io/acme/team/tool:v1');
  });

  it('canonicalizes the legacy index domain', () => {
    assert.equal(normalizeImageRef('index.docker.io/foo/bar'), 'docker.io/foo/bar:latest');
    assert.equal(normalizeImageRef('index.docker.io/ubuntu'), 'docker.io/library/ubuntu:latest');
  });

  it('keeps other registries as they are', () => {
    assert.equal(normalizeImageRef('ghcr.io/acme/tools:1.4'), 'ghcr.io/acme/tools:1.4');
    assert.equal(normalizeImageRef('quay.io/foo'), 'quay.io/foo:latest');
    assert.equal(normalizeImageRef('localhost/foo'), 'localhost/foo:latest');
    assert.equal(normalizeImageRef('localhost:5000/foo'), 'localhost:5000/foo:latest');
    assert.equal(normalizeImageRef('registry:5000/a/b:c'), 'registry:5000/a/b:c');
    assert.equal(normalizeImageRef('127.0.0.1:5000/foo'), '127.0.0.1:5000/foo:latest');
    assert.equal(normalizeImageRef('[::1]:5000/foo'), '[::1]:5000/foo:latest');
    assert.equal(normalizeImageRef('[2001:db8::1]/foo:x'), '[2001:db8::1]/foo:x');
  });

  it('treats an uppercase first element as a registry host', () => {
    assert.equal(normalizeImageRef('Foo/bar'), 'Foo/bar:latest');
    assert.equal(normalizeImageRef('EXAMPLE.com/app'), 'EXAMPLE.com/app:latest');
  });

  it('treats a lone host-like name as an official image (Go FIXME)', () => {
    assert.equal(normalizeImageRef('localhost'), 'docker.io/library/localhost:latest');
    assert.equal(normalizeImageRef('localhost:5000'), 'docker.io/library/localhost:5000');
    assert.equal(normalizeImageRef('example.com'), 'docker.io/library/example.com:latest');
  });

  it('keeps digests and does not add latest to them', () => {
    assert.equal(normalizeImageRef(`alpine@${DIGEST}`), `docker.io/library/alpine@${DIGEST}`);
    assert.equal(normalizeImageRef(`alpine:3@${DIGEST}`), `docker.io/library/alpine:3@${DIGEST}`);
    assert.equal(normalizeImageRef(`ghcr.io/a/b@${DIGEST}`), `ghcr.io/a/b@${DIGEST}`);
    const sha512 = `sha512:${HEX}${HEX}`;
    assert.equal(normalizeImageRef(`alpine@${sha512}`), `docker.io/library/alpine@${sha512}`);
  });

  it('accepts the separators the grammar allows', () => {
    assert.equal(normalizeImageRef('acme/a.b_c__d---e'), 'docker.io/acme/a.b_c__d---e:latest');
    assert.equal(normalizeImageRef('my-registry.example.com:443/a-b/c.d:V_1.0-rc'), 'my-registry.example.com:443/a-b/c.d:V_1.0-rc');
  });

  it('rejects 64-character hex identifiers', () => {
    const err = refError(HEX);
    assert.equal(err.message, `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`);
  });

  it('rejects uppercase repository names', () => {
    let err = refError('Alpine');
    assert.equal(err.message, 'invalid reference format: repository name (library/Alpine) must be lowercase');
    err = refError('ghcr.io/Acme/tool:1');
    assert.equal(err.message, 'invalid reference format: repository name (Acme/tool) must be lowercase');
    err = refError(`alpine@SHA256:${HEX}`);
    assert.match(err.message, /must be lowercase/);
  });

  it('falls back to a plain path when the host part is not a valid host (Go quirk)', () => {
    assert.equal(normalizeImageRef('ex_ample.com/foo'), 'ex_ample.com/foo:latest');
    assert.equal(normalizeImageRef('a.b_c__d---e/f'), 'a.b_c__d---e/f:latest');
  });

  it('accepts uppercase in tags', () => {
    assert.equal(normalizeImageRef('alpine:Latest'), 'docker.io/library/alpine:Latest');
  });

  it('rejects malformed references', () => {
    for (const ref of [
      '',
      'a b',
      'alpine:',
      ':tag',
      '/alpine',
      'alpine/',
      'a//b',
      'alpine:a:b',
      'alpine@',
      '-alpine',
      'alpine-',
      'a..b',
      'a___b',
      'alpine:-tag',
      `alpine:${'t'.repeat(129)}`,
      'example.com:/foo',
      'example.com:port/foo',
      '-example.com/foo',
      'example-.com/foo',
      '[::1/foo',
      '[zz]/foo',
      'alpine@sha256:abc',
      'ålpine',
    ]) {
      assert.equal(refError(ref).message, 'invalid reference format', JSON.stringify(ref));
    }
    assert.equal(normalizeImageRef(`alpine:${'t'.repeat(128)}`), `docker.io/library/alpine:${'t'.repeat(128)}`);
  });

  it('validates digests the way go-digest does', () => {
    assert.equal(refError(`alpine@sha256:${HEX.toUpperCase()}`).message, `invalid checksum digest format: sha256:${HEX.toUpperCase()}`);
    assert.equal(refError(`alpine@sha256:${HEX}00`).message, `invalid checksum digest format: sha256:${HEX}00`);
    assert.equal(refError(`alpine@sha384:${HEX}`).message, `invalid checksum digest format: sha384:${HEX}`);
    assert.equal(refError(`alpine@md5:${HEX}`).message, `unsupported digest algorithm: md5:${HEX}`);
    assert.equal(refError(`alpine:1@Md5:${HEX}`).message, `invalid checksum digest format: Md5:${HEX}`);
  });

  it('limits the full name to 255 characters', () => {
    const ok = `example.com/${'a'.repeat(255 - 'example.com/'.length)}`;
    assert.equal(normalizeImageRef(ok), `${ok}:latest`);
    const err = refError(`example.com/${'a'.repeat(256 - 'example.com/'.length)}`);
    assert.equal(err.message, 'repository name must not be more than 255 characters');
    // The "docker.io/library/" prefix counts toward the limit.
    assert.ok(refError('a'.repeat(240)) instanceof ImageRefError);
  });

  it('rejects pathological input quickly', () => {
    const t0 = Date.now();
    assert.equal(refError(`${'a-'.repeat(500_000)}!`).message, 'invalid reference format');
    assert.equal(refError(`${'a.'.repeat(500_000)}/x!`).message, 'invalid reference format');
    assert.ok(Date.now() - t0 < 2000);
  });
});
