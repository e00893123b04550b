// Image reference normalization matching github.com/distribution/reference
// ParseNormalizedNamed + TagNameOnly + String(), including the digest checks
// of github.com/opencontainers/go-digest that Parse applies.
//
// The grammar is checked by hand rather than with the Go regexps translated
// to JS: JS regexps backtrack, and the reference grammar (nested repetition of
// alphanumerics with optional separators) backtracks badly on long inputs.

export class ImageRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageRefError';
  }
}

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

const IDENTIFIER = /^[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// Separators and components use disjoint character sets, so this cannot
// backtrack more than linearly.
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;
const GO_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const DOMAIN_COMPONENT = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IPV6_BODY = /^[a-fA-F0-9:]+$/;
const PORT = /^[0-9]+$/;

// go-digest only accepts algorithms whose hash is linked in; BuildKit links
// sha256 and sha512 (which also provides sha384).
const ENCODED_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

const INVALID = 'invalid reference format';

/**
 * Returns the canonical form of an image reference, e.g. "alpine" becomes
 * "docker.io/library/alpine:latest". A reference with a digest and no tag
 * gets no tag; one with both keeps both.
 */
export function normalizeImageRef(ref: string): string {
  if (IDENTIFIER.test(ref)) {
    throw new ImageRefError(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(ref);
  // Like Go, everything before the first ':' counts as the repository name,
  // so an uppercase digest algorithm after '@' is reported as uppercase too.
  const tagSep = remainder.indexOf(':');
  const remote = tagSep >= 0 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new ImageRefError(`invalid reference format: repository name (${remote}) must be lowercase`);
  }

  const full = `${domain}/${remainder}`;
  const parsed = parseReference(full);
  if (!parsed) {
    if (parseReference(full.toLowerCase())) {
      throw new ImageRefError('invalid reference format: repository name must be lowercase');
    }
    throw new ImageRefError(INVALID);
  }
  const { name, tag, digest } = parsed;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw new ImageRefError(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (digest !== '') validateDigest(digest);

  if (tag === '' && digest === '') return `${name}:${DEFAULT_TAG}`;
  return name + (tag !== '' ? `:${tag}` : '') + (digest !== '' ? `@${digest}` : '');
}

function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];

  const maybeDomain = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') {
    [domain, remote] = [maybeDomain, rest];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remote] = [DEFAULT_DOMAIN, rest];
  } else if (maybeDomain.includes('.') || maybeDomain.includes(':')) {
    [domain, remote] = [maybeDomain, rest];
  } else if (maybeDomain.toLowerCase() !== maybeDomain) {
    // Docker Hub namespaces are lowercase, so an uppercase first element
    // can only be a host name.
    [domain, remote] = [maybeDomain, rest];
  } else {
    [domain, remote] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remote.includes('/')) remote = OFFICIAL_REPO_PREFIX + remote;
  return [domain, remote];
}

interface Parsed {
  name: string;
  tag: string;
  digest: string;
}

// Equivalent to matching ReferenceRegexp: name [":" tag] ["@" digest]. The
// split is unambiguous because only the digest may follow '@', the tag cannot
// contain '/' or ':', and a ':' inside the name (a port or IPv6 host) is
// always followed by a '/'.
function parseReference(s: string): Parsed | null {
  let rest = s;
  let digest = '';
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    if (!DIGEST.test(digest)) return null;
    rest = s.slice(0, at);
  }
  let name = rest;
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && rest.indexOf('/', colon) < 0) {
    tag = rest.slice(colon + 1);
    if (!TAG.test(tag)) return null;
    name = rest.slice(0, colon);
  }
  return isName(name) ? { name, tag, digest } : null;
}

// name := [domainAndPort "/"] remoteName. The domain, if any, is the first
// '/'-separated element, since a domain cannot contain '/'.
function isName(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash >= 0 && isDomainAndPort(name.slice(0, slash)) && isRemoteName(name.slice(slash + 1))) {
    return true;
  }
  return isRemoteName(name);
}

function isDomainAndPort(s: string): boolean {
  let host: string;
  let port: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || !IPV6_BODY.test(s.slice(1, close))) return false;
    const after = s.slice(close + 1);
    if (after !== '') {
      if (after[0] !== ':') return false;
      port = after.slice(1);
    }
    return port === undefined || PORT.test(port);
  }
  const colon = s.indexOf(':');
  if (colon >= 0) {
    host = s.slice(0, colon);
    port = s.slice(colon + 1);
    if (!PORT.test(port)) return false;
  } else {
    host = s;
  }
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

function isRemoteName(s: string): boolean {
  return s.split('/').every(isPathComponent);
}

// [a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)*
function isPathComponent(s: string): boolean {
  const n = s.length;
  let i = 0;
  for (;;) {
    const start = i;
    while (i < n && isLowerAlnum(s.charCodeAt(i))) i++;
    if (i === start) return false;
    if (i === n) return true;
    const c = s[i];
    if (c === '.') {
      i++;
    } else if (c === '_') {
      i++;
      if (s[i] === '_') i++;
    } else if (c === '-') {
      while (s[i] === '-') i++;
    } else {
      return false;
    }
  }
}

function isLowerAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

// go-digest Digest.Validate, which Parse runs after the grammar accepted the
// digest: only known algorithms, with lowercase hex of the exact length.
function validateDigest(digest: string): void {
  const sep = digest.indexOf(':');
  const algorithm = digest.slice(0, sep);
  const encoded = digest.slice(sep + 1);
  const length = Object.hasOwn(ENCODED_LENGTH, algorithm) ? ENCODED_LENGTH[algorithm] : undefined;
  if (length === undefined) {
    if (!GO_DIGEST.test(digest)) throw new ImageRefError(`invalid checksum digest format: ${digest}`);
    throw new ImageRefError(`unsupported digest algorithm: ${digest}`);
  }
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) {
    throw new ImageRefError(`invalid checksum digest format: ${digest}`);
  }
}
