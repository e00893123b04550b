import { addCap, marshalConstraints, type Constraints } from './constraints.js';
import type { Platform } from './platform.js';
import { opConstraints, State, type OpOptions } from './state.js';
import { MarshalCache, Output, type Marshalled, type Vertex } from './vertex.js';
import { encodeMessage } from '../wire/encode.js';

/** Go's llb.SourceOp: an image, a local directory, a git repository or an HTTP file. */
export class SourceOp extends MarshalCache implements Vertex {
  readonly output: Output;

  constructor(
    readonly id: string,
    private readonly attrs: Readonly<Record<string, string>>,
    private readonly constraints: Constraints,
  ) {
    super();
    this.output = new Output(this);
  }

  inputs(): readonly Output[] {
    return [];
  }

  marshal(c: Constraints): Marshalled {
    const hit = this.load(c);
    if (hit) return hit;
    const attrs = { ...this.attrs };
    const own = { ...this.constraints, metadata: { ...this.constraints.metadata, caps: { ...this.constraints.metadata.caps } } };
    if (this.id.startsWith('local://')) {
      attrs['local.unique'] = own.localUniqueID || c.localUniqueID || '';
      addCap(own, 'source.local.unique');
    }
    const { platform, metadata } = marshalConstraints(c, own);
    const op = {
      source: { identifier: this.id, attrs },
      // Only image sources depend on the platform; BuildKit drops it from the others.
      platform: this.id.startsWith('docker-image://') || this.id.startsWith('oci-layout://') ? platform : undefined,
      constraints: {},
    };
    return this.store(c, encodeMessage('Op', op), metadata, own.sourceLocations);
  }
}

function sourceState(id: string, attrs: Record<string, string>, c: Constraints): State {
  return State.of(new SourceOp(id, attrs, c).output);
}

export interface ImageOptions extends OpOptions {
  readonly platform?: Platform;
}

/** `ref` must already be normalized (docker.io/library/alpine:latest). */
export function image(ref: string, opts: ImageOptions = {}): State {
  const c = opConstraints(opts);
  if (opts.platform) c.platform = opts.platform;
  addCap(c, 'source.image');
  const st = sourceState(`docker-image://${ref}`, {}, c);
  return opts.platform ? st.platform(opts.platform) : st;
}

export function local(name: string, opts: OpOptions = {}): State {
  const c = opConstraints(opts);
  addCap(c, 'source.local');
  return sourceState(`local://${name}`, {}, c);
}

export interface HttpOptions extends OpOptions {
  readonly filename?: string;
}

export function http(url: string, opts: HttpOptions = {}): State {
  const c = opConstraints(opts);
  const attrs: Record<string, string> = {};
  if (opts.filename) attrs['http.filename'] = opts.filename;
  addCap(c, 'source.http');
  return sourceState(url, attrs, c);
}

const gitPrefixes: readonly (readonly [string, 'http' | 'https' | 'git' | 'ssh'])[] = [
  ['http://', 'http'],
  ['https://', 'https'],
  ['git://', 'git'],
  ['ssh://', 'ssh'],
];
const scpLike = /^[a-zA-Z0-9-_]+@[a-zA-Z0-9-.]+:.*$/;

/** Go's llb.Git(remote, ref): the identifier drops the scheme, the full URL goes in an attribute. */
export function git(remote: string, ref: string, opts: OpOptions = {}): State {
  const c = opConstraints(opts);
  let url = remote.split('#')[0];
  let protocol: string | undefined;
  for (const [prefix, kind] of gitPrefixes) {
    if (remote.startsWith(prefix)) {
      remote = remote.slice(prefix.length);
      protocol = kind;
    }
  }
  if (!protocol && scpLike.test(remote)) protocol = 'ssh';
  if (protocol === 'ssh') {
    const colon = remote.indexOf(':');
    if (colon >= 0) remote = `${remote.slice(0, colon)}/${remote.slice(colon + 1)}`;
  }
  if (!protocol) url = `https://${url}`;
  const attrs: Record<string, string> = {
    'git.authheadersecret': 'GIT_AUTH_HEADER',
    'git.authtokensecret': 'GIT_AUTH_TOKEN',
  };
  if (url) {
    attrs['git.fullurl'] = url;
    addCap(c, 'source.git.fullurl');
  }
  if (protocol === 'ssh') {
    // Go would also ssh-keyscan the host; a compiler must not touch the network, so no known_hosts.
    addCap(c, 'source.git.knownsshhosts');
    attrs['git.mountsshsock'] = 'default';
    addCap(c, 'source.git.mountsshsock');
  }
  addCap(c, 'source.git');
  return sourceState(`git://${remote}${ref ? `#${ref}` : ''}`, attrs, c);
}
