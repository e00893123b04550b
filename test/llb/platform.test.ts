import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { formatPlatform, normalizePlatform, parsePlatform, PlatformError } from '../../src/llb/platform.js';

function platformError(spec: string): PlatformError {
  try {
    parsePlatform(spec);
  } catch (err) {
    assert.ok(err instanceof PlatformError, `expected PlatformError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(spec)} to be rejected`);
}

describe('parsePlatform', () => {
  it('parses os/arch and os/arch/variant', () => {
    assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.deepEqual(parsePlatform('windows/amd64'), { os: 'windows', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('linux/riscv64'), { os: 'linux', architecture: 'riscv64' });
    assert.deepEqual(parsePlatform('linux/ppc64le'), { os: 'linux', architecture: 'ppc64le' });
  });

  it('returns normalized values', () => {
    assert.deepEqual(parsePlatform('Linux/X86_64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('macos/aarch64'), { os: 'darwin', architecture: 'arm64' });
    assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(parsePlatform('linux/arm64/8'), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(parsePlatform('linux/arm64/v9'), { os: 'linux', architecture: 'arm64', variant: 'v9' });
    assert.deepEqual(parsePlatform('linux/amd64/v1'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('linux/amd64/V3'), { os: 'linux', architecture: 'amd64', variant: 'v3' });
    assert.deepEqual(parsePlatform('linux/armhf'), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(parsePlatform('linux/armel'), { os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.deepEqual(parsePlatform('linux/i386'), { os: 'linux', architecture: '386' });
    assert.deepEqual(parsePlatform('linux/arm/7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it('accepts underscores, dots and dashes where containerd does', () => {
    assert.deepEqual(parsePlatform('my_os-1/arch.2/var_3-x'), { os: 'my_os-1', architecture: 'arch.2', variant: 'var_3-x' });
  });

  it('requires both os and architecture', () => {
    for (const spec of ['linux', 'amd64', '']) {
      assert.match(platformError(spec).message, /expected os\/arch\[\/variant\]/, spec);
    }
  });

  it('rejects empty components', () => {
    assert.match(platformError('/amd64').message, /empty operating system/);
    assert.match(platformError('linux/').message, /empty architecture/);
    assert.match(platformError('linux/arm/').message, /empty variant/);
  });

  it('rejects too many components', () => {
    assert.match(platformError('linux/arm/v7/extra').message, /too many components/);
  });

  it('rejects characters containerd does not allow', () => {
    assert.equal(
      platformError('linux/amd 64').message,
      'invalid platform "linux/amd 64": architecture "amd 64" may only contain letters, digits, "_", "." and "-"',
    );
    assert.match(platformError('li.nux/amd64').message, /operating system "li.nux"/);
    assert.match(platformError('windows(10.0.17763)/amd64').message, /operating system/);
    assert.match(platformError('linux/*').message, /architecture "\*"/);
    assert.match(platformError('linux/arm/v7+').message, /variant "v7\+"/);
  });
});

describe('normalizePlatform', () => {
  const norm = (os: string, architecture: string, variant?: string) =>
    normalizePlatform(variant === undefined ? { os, architecture } : { os, architecture, variant });

  it('lowercases and maps os names', () => {
    assert.deepEqual(norm('Linux', 'amd64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(norm('MacOS', 'arm64'), { os: 'darwin', architecture: 'arm64' });
    assert.deepEqual(norm('freebsd', 'amd64'), { os: 'freebsd', architecture: 'amd64' });
  });

  it('maps x86 names', () => {
    assert.deepEqual(norm('linux', 'i386', 'whatever'), { os: 'linux', architecture: '386' });
    assert.deepEqual(norm('linux', 'x86-64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(norm('linux', 'AMD64', 'v1'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(norm('linux', 'amd64', 'v2'), { os: 'linux', architecture: 'amd64', variant: 'v2' });
    assert.deepEqual(norm('linux', 'amd64', 'v4'), { os: 'linux', architecture: 'amd64', variant: 'v4' });
  });

  it('maps arm64 names and drops the default variant', () => {
    assert.deepEqual(norm('linux', 'aarch64', 'V8'), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(norm('linux', 'arm64', ''), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(norm('linux', 'arm64', 'v8.2'), { os: 'linux', architecture: 'arm64', variant: 'v8.2' });
  });

  it('maps 32-bit arm names and fills in the variant', () => {
    assert.deepEqual(norm('linux', 'armhf', 'v6'), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(norm('linux', 'armel'), { os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.deepEqual(norm('linux', 'arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(norm('linux', 'arm', '5'), { os: 'linux', architecture: 'arm', variant: 'v5' });
    assert.deepEqual(norm('linux', 'arm', '6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.deepEqual(norm('linux', 'arm', '8'), { os: 'linux', architecture: 'arm', variant: 'v8' });
    assert.deepEqual(norm('linux', 'arm', 'v5'), { os: 'linux', architecture: 'arm', variant: 'v5' });
  });

  it('leaves unknown architectures alone apart from case', () => {
    assert.deepEqual(norm('linux', 'S390X'), { os: 'linux', architecture: 's390x' });
    assert.deepEqual(norm('linux', 'mips64le', 'Hard'), { os: 'linux', architecture: 'mips64le', variant: 'hard' });
  });

  it('omits an empty variant and is idempotent', () => {
    const once = norm('linux', 'arm64', 'v8');
    assert.equal('variant' in once, false);
    assert.deepEqual(normalizePlatform(once), once);
    const arm = norm('Linux', 'armhf');
    assert.deepEqual(normalizePlatform(arm), arm);
  });
});

describe('formatPlatform', () => {
  it('joins os, architecture and variant', () => {
    assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64');
    assert.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7');
    assert.equal(formatPlatform({ os: 'linux', architecture: 'arm64', variant: '' }), 'linux/arm64');
    assert.equal(formatPlatform(parsePlatform('linux/armhf')), 'linux/arm/v7');
  });

  it('follows containerd for degenerate values', () => {
    assert.equal(formatPlatform({ os: '', architecture: 'amd64' }), 'unknown');
    assert.equal(formatPlatform({ os: 'linux', architecture: '' }), 'linux');
    assert.equal(formatPlatform({ os: 'linux', architecture: '.', variant: 'x' }), 'linux/x');
    assert.equal(formatPlatform({ os: 'linux', architecture: '..', variant: 'x' }), 'x');
  });
});
