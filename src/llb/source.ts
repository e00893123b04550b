import { addCap, marshalConstraints, newConstraints, type Constraints, type PbPlatform } from './constraints.js';
import type { Platform } from './platform.js';
import { State, type OpOptions } from './state.js';
import { MarshalCache, Output, type Marshalled, type Vertex } from './vertex.js';
import { encodeMessage } from '../wire/encode.js';
import type * as pb from '../wire/messages.generated.js';

/**
 * What a source op is, apart from its constraints. One spec can serve many ops: a compilation
 * makes one per image and platform (see imageSpec), which the ops of its stages share.
 */
export interface SourceSpec {
  readonly id: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly caps: readonly string[];
  readonly platform?: Platform;
}

/** Go's llb.SourceOp: an image, a local directory, a git repository or an HTTP file. */
export class SourceOp extends MarshalCache implements Vertex {
  readonly output: Output = new Output(this);
  /**
   * The op's constraints are made from its options, caps and platform when it is marshalled,
   * as for the other ops: a 100,000-stage file has as many image sources.
   */
  private readonly constraints?: Partial<Constraints>;

  /** The spec, or what makes it when the op is marshalled (see localDeferred). */
  private specOrMake: SourceSpec | (() => SourceSpec);

  constructor(spec: SourceSpec | (() => SourceSpec), opts: OpOptions) {
    super();
    this.specOrMake = spec;
    // The options object itself is not kept: it is often made for this one call.
    this.constraints = opts.constraints;
  }

  private get spec(): SourceSpec {
    if (typeof this.specOrMake === 'function') this.specOrMake = this.specOrMake();
    return this.specOrMake;
  }

  get id(): string {
    return this.spec.id;
  }

  inputs(): readonly Output[] {
    return [];
  }

  marshal(c: Constraints): Marshalled {
    const hit = this.load(c);
    if (hit) return hit;
    const local = this.spec.id.startsWith('local://');
    const attrs = { ...this.spec.attrs };
    const own = newConstraints(this.constraints);
    if (this.spec.platform) own.platform = this.spec.platform;
    for (const cap of this.spec.caps) addCap(own, cap);
    if (local) {
      attrs['local.unique'] = own.localUniqueID || c.localUniqueID || '';
      addCap(own, 'source.local.unique');
    }
    const { platform, metadata } = marshalConstraints(c, own);
    // Only image sources depend on the platform; BuildKit drops it from the others.
    const isImage = this.spec.id.startsWith('docker-image://') || this.spec.id.startsWith('oci-layout://');
    const pbPlatform = isImage ? platform : undefined;
    // The ops of one image spec differ in their metadata, which is not in their bytes, and
    // (rarely) in their platform: the stages of a large file that start from one image are
    // one encoding and one digest.
    const last = isImage ? encodings.get(this.spec) : undefined;
    if (last && last.c === c && samePlatform(last.platform, pbPlatform)) {
      return this.storeEncoded(c, last.bytes, last.digestNumber, metadata, own.sourceLocations);
    }
    const op: pb.Op = { source: { identifier: this.spec.id, attrs }, platform: pbPlatform, constraints: {} };
    const m = this.store(c, encodeMessage('Op', op), metadata, own.sourceLocations);
    if (isImage) encodings.set(this.spec, { c, platform: pbPlatform, bytes: m.bytes!, digestNumber: m.digestNumber });
    return m;
  }
}

/**
 * The last encoding of each image spec, under the constraints it was marshalled with. Keyed by
 * the spec, which its compilation made (imageSpec): an entry, and the digest table its
 * constraints hold, goes with the compilation's ops.
 */
const encodings = new WeakMap<SourceSpec, { readonly c: Constraints; readonly platform?: PbPlatform; readonly bytes: Uint8Array; readonly digestNumber: number }>();

function samePlatform(a: PbPlatform | undefined, b: PbPlatform | undefined): boolean {
  if (!a || !b) return a === b;
  return a.Architecture === b.Architecture && a.OS === b.OS && a.Variant === b.Variant;
}

const noAttrs: Readonly<Record<string, string>> = Object.freeze({});
const imageCaps = ['source.image'];

export interface ImageOptions extends OpOptions {
  readonly platform?: Platform;
}

/** `ref` must already be normalized (docker.io/library/alpine:latest). */
export function image(ref: string, opts: ImageOptions = {}): State {
  return imageOf(imageSpec(ref, opts.platform), opts);
}

/**
 * What llb.Image(ref) and llb.Platform(platform) make a source of. A caller that makes many
 * sources of one image (a compilation, a stage each) makes the spec once and passes it to
 * imageOf: its ops then share their encoding.
 */
export function imageSpec(ref: string, platform?: Platform): SourceSpec {
  // Joined rather than concatenated: a concatenated string is a pair of pieces, kept as such.
  return { id: ['docker-image://', ref].join(''), attrs: noAttrs, caps: imageCaps, platform };
}

/** image(), of a spec imageSpec made. */
export function imageOf(spec: SourceSpec, opts: OpOptions = {}): State {
  const st = State.of(new SourceOp(spec, opts).output);
  return spec.platform ? st.platform(spec.platform) : st;
}

/** Go's llb.LocalOption values that llbc sets: what a frontend needs to name a client's directory. */
export interface LocalOptions extends OpOptions {
  /** The client session that holds the directory (llb.SessionID). */
  readonly sessionID?: string;
  /** Shares the transfer cache between builds of different sessions (llb.SharedKeyHint). */
  readonly sharedKeyHint?: string;
  /** Only these paths are transferred (llb.FollowPaths). */
  readonly followPaths?: readonly string[];
  /** Paths left out of the transfer (llb.ExcludePatterns). */
  readonly excludePatterns?: readonly string[];
}

export function local(name: string, opts: LocalOptions = {}): State {
  return State.of(new SourceOp(localSpec(name, opts), opts).output);
}

/**
 * llb.Local whose options are read when the op is marshalled: Dockerfile's context source lists
 * every path the build copies from it, which is known only once the build is lowered.
 */
export function localDeferred(name: string, opts: () => LocalOptions, constraints: OpOptions): State {
  return State.of(new SourceOp(() => localSpec(name, opts()), constraints).output);
}

function localSpec(name: string, opts: LocalOptions): SourceSpec {
  const attrs: Record<string, string> = {};
  const caps = ['source.local'];
  // The attributes and caps Go's llb.Local sets for each option.
  if (opts.sessionID) {
    attrs['local.session'] = opts.sessionID;
    caps.push('source.local.sessionid');
  }
  if (opts.followPaths?.length) {
    attrs['local.followpaths'] = goJSON(opts.followPaths);
    caps.push('source.local.followpaths');
  }
  if (opts.excludePatterns?.length) {
    attrs['local.excludepatterns'] = goJSON(opts.excludePatterns);
    caps.push('source.local.excludepatterns');
  }
  if (opts.sharedKeyHint) {
    attrs['local.sharedkeyhint'] = opts.sharedKeyHint;
    caps.push('source.local.sharedkeyhint');
  }
  return { id: `local://${name}`, attrs: caps.length > 1 ? attrs : noAttrs, caps };
}

/** A list of strings as Go's encoding/json writes it, which escapes <, > and & for HTML. */
function goJSON(list: readonly string[]): string {
  return JSON.stringify(list).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface HttpOptions extends OpOptions {
  readonly filename?: string;
  /** llb.Checksum: the digest (`sha256:...`) the download must have. */
  readonly checksum?: string;
}

export function http(url: string, opts: HttpOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps = ['source.http'];
  if (opts.filename) attrs['http.filename'] = opts.filename;
  if (opts.checksum) {
    attrs['http.checksum'] = opts.checksum;
    caps.push('source.http.checksum');
  }
  return State.of(new SourceOp({ id: url, attrs, caps }, opts).output);
}

export interface GitOptions extends OpOptions {
  /** llb.KeepGitDir: the checkout keeps its .git directory. */
  readonly keepGitDir?: boolean;
}

const gitPrefixes: readonly (readonly [string, 'http' | 'https' | 'git' | 'ssh'])[] = [
  ['http://', 'http'],
  ['https://', 'https'],
  ['git://', 'git'],
  ['ssh://', 'ssh'],
];
const scpLike = /^[a-zA-Z0-9-_]+@[a-zA-Z0-9-.]+:.*$/;

/** Go's llb.Git(remote, ref): the identifier drops the scheme, the full URL goes in an attribute. */
export function git(remote: string, ref: string, opts: GitOptions = {}): State {
  const caps: string[] = [];
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
  if (opts.keepGitDir) {
    attrs['git.keepgitdir'] = 'true';
    caps.push('source.git.keepgitdir');
  }
  if (url) {
    attrs['git.fullurl'] = url;
    caps.push('source.git.fullurl');
  }
  if (protocol === 'ssh') {
    // Go would also ssh-keyscan the host; a compiler must not touch the network, so no known_hosts.
    caps.push('source.git.knownsshhosts');
    attrs['git.mountsshsock'] = 'default';
    caps.push('source.git.mountsshsock');
  }
  caps.push('source.git');
  return State.of(new SourceOp({ id: `git://${remote}${ref ? `#${ref}` : ''}`, attrs, caps }, opts).output);
}
