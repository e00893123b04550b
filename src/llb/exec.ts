import { addCap, marshalConstraints, type Constraints } from './constraints.js';
import { opConstraints, released, State, type NetMode, type OpOptions, type SecurityMode } from './state.js';
import { compareGoStrings } from '../gostring.js';
import { InputList, MarshalCache, Output, type Marshalled, type Vertex } from './vertex.js';
import { encodeMessage } from '../wire/encode.js';
import type * as pb from '../wire/messages.generated.js';

export type CacheSharing = 'shared' | 'private' | 'locked';

export interface MountOptions {
  readonly readonly?: boolean;
  readonly selector?: string;
  readonly cache?: { readonly id: string; readonly sharing: CacheSharing };
  readonly tmpfs?: { readonly size: number };
}

export interface SecretInfo {
  readonly id: string;
  /** A file path, or an environment variable name when `env` is set. */
  readonly target: string;
  readonly env?: boolean;
  readonly optional: boolean;
  readonly uid?: number;
  readonly gid?: number;
  readonly mode: number;
}

export interface SSHInfo {
  readonly id?: string;
  readonly target?: string;
  readonly optional: boolean;
  readonly uid?: number;
  readonly gid?: number;
  readonly mode: number;
}

/** Go's llb.ProxyEnv: proxies the command sees, kept out of the cache key. */
export interface ProxyEnv {
  readonly http_proxy?: string;
  readonly https_proxy?: string;
  readonly ftp_proxy?: string;
  readonly no_proxy?: string;
  readonly all_proxy?: string;
}

export interface RunOptions extends OpOptions {
  readonly args: readonly string[];
  readonly proxyEnv?: ProxyEnv;
  readonly network?: NetMode;
  readonly security?: SecurityMode;
  readonly secrets?: readonly SecretInfo[];
  readonly ssh?: readonly SSHInfo[];
}

const plainMount: MountOptions = {};
const netModes: Record<NetMode, pb.NetMode> = { sandbox: 0, host: 1, none: 2 };
const securityModes: Record<SecurityMode, pb.SecurityMode> = { sandbox: 0, insecure: 1 };
const sharingModes: Record<CacheSharing, pb.CacheSharingOpt> = { shared: 0, private: 1, locked: 2 };
const mountTypes = { bind: 0, secret: 1, ssh: 2, cache: 3, tmpfs: 4 } as const satisfies Record<string, pb.MountType>;

/** Go's llb.ExecOp: a process run over a root filesystem plus mounts. */
export class ExecOp extends MarshalCache implements Vertex {
  /** In the order BuildKit numbers them: by destination path (mounts of one path in the order added). */
  private mounts: Mount[] = [];

  constructor(
    private base: State,
    private readonly opts: RunOptions,
  ) {
    super();
  }

  protected override dropInputs(): void {
    this.base = released;
    for (const m of this.mounts) m.source = undefined;
  }

  addMount(target: string, source: Output | undefined, opts: MountOptions = plainMount): Output | undefined {
    const m = new Mount(this, target, source, opts);
    // Put in its place, rather than sorted on each use: every input's output number is looked
    // up among them. Copied rather than spliced, so that the usual single mount costs one slot, not seventeen.
    const old = this.mounts;
    let at = old.length;
    while (at > 0 && compareGoStrings(old[at - 1].target, target) > 0) at--;
    const mounts = new Array<Mount>(old.length + 1);
    for (let i = 0; i < at; i++) mounts[i] = old[i];
    mounts[at] = m;
    for (let i = at; i < old.length; i++) mounts[i + 1] = old[i];
    this.mounts = mounts;
    if (opts.readonly) return source;
    return hasOutput(m) ? m : undefined;
  }

  /** A writable mount's output number, once all mounts are known. */
  outputIndex(m: Mount): number {
    let i = 0;
    for (const other of this.mounts) {
      if (!hasOutput(other)) continue;
      if (other === m) return i;
      i++;
    }
    throw new Error(`invalid mount: ${m.target}`);
  }

  inputs(): readonly Output[] {
    const mounts = this.mounts;
    // An exec has a mount or three: a search is cheaper than a set, which a long list still gets.
    if (mounts.length > 8) return [...new Set(mounts.flatMap((m) => (m.source ? [m.source] : [])))];
    const out: Output[] = [];
    for (const m of mounts) if (m.source && !out.includes(m.source)) out.push(m.source);
    return out;
  }

  marshal(c: Constraints): Marshalled {
    const hit = this.load(c);
    if (hit) return hit;
    // Made here, not kept: until the op is marshalled a large graph would carry three objects per op for nothing.
    const own = opConstraints(this.opts);
    const mounts = this.mounts;
    let env = this.base.getEnv();
    const ssh = (this.opts.ssh ?? []).map((s, i) => ({ ...s, target: s.target || `/run/buildkit/ssh_agent.${i}` }));
    if (ssh.length > 0 && env.get('SSH_AUTH_SOCK') === undefined) env = env.addOrReplace('SSH_AUTH_SOCK', ssh[0].target);

    const network = this.opts.network ?? 'sandbox';
    const security = this.opts.security ?? 'sandbox';
    if (network !== 'sandbox') addCap(own, 'exec.meta.network');
    if (security !== 'sandbox') addCap(own, 'exec.meta.security');
    addCap(own, 'exec.meta.base');
    if (this.opts.proxyEnv) addCap(own, 'exec.meta.proxyenv');
    for (const m of mounts) {
      if (m.opts.selector) addCap(own, 'exec.mount.selector');
      if (m.opts.cache) {
        addCap(own, 'exec.mount.cache');
        addCap(own, 'exec.mount.cache.sharing');
      } else if (m.opts.tmpfs) {
        addCap(own, 'exec.mount.tmpfs');
        if (m.opts.tmpfs.size > 0) addCap(own, 'exec.mount.tmpfs.size');
      } else if (m.source) {
        addCap(own, 'exec.mount.bind');
      }
    }
    const secrets = this.opts.secrets ?? [];
    if (secrets.some((s) => s.env)) addCap(own, 'exec.secretenv');
    if (secrets.some((s) => !s.env)) addCap(own, 'exec.mount.secret');
    if (ssh.length > 0) addCap(own, 'exec.mount.ssh');
    own.platform ??= this.base.getPlatform();

    const { platform, metadata } = marshalConstraints(c, own);
    const inputs = new InputList();
    const pbMounts: pb.Mount[] = [];
    let outIndex = 0;
    for (const m of mounts) {
      let input = -1;
      if (m.source) input = inputs.add(m.source.toInput(c));
      pbMounts.push({
        input,
        selector: m.opts.selector,
        dest: m.target,
        output: hasOutput(m) ? outIndex++ : -1,
        readonly: m.opts.readonly,
        mountType: m.opts.cache ? mountTypes.cache : m.opts.tmpfs ? mountTypes.tmpfs : mountTypes.bind,
        cacheOpt: m.opts.cache && { ID: m.opts.cache.id, sharing: sharingModes[m.opts.cache.sharing] },
        TmpfsOpt: m.opts.tmpfs && { size: m.opts.tmpfs.size },
      });
    }
    for (const s of secrets.filter((x) => !x.env)) {
      pbMounts.push({
        dest: s.target,
        mountType: mountTypes.secret,
        secretOpt: { ID: s.id, uid: s.uid, gid: s.gid, mode: s.mode, optional: s.optional },
      });
    }
    for (const s of ssh) {
      pbMounts.push({
        dest: s.target,
        mountType: mountTypes.ssh,
        SSHOpt: { ID: s.id, uid: s.uid, gid: s.gid, mode: s.mode, optional: s.optional },
      });
    }
    const op: pb.Op = {
      inputs: inputs.list,
      exec: {
        meta: {
          args: this.opts.args,
          env: env.toArray(),
          cwd: this.base.getDir() || '/',
          user: this.base.meta.user,
          removeMountStubsRecursive: true,
          proxy_env: this.opts.proxyEnv,
        },
        mounts: pbMounts,
        network: netModes[network],
        security: securityModes[security],
        secretenv: secrets.filter((s) => s.env).map((s) => ({ ID: s.id, name: s.target, optional: s.optional })),
      },
      platform,
      constraints: {},
    };
    return this.store(c, encodeMessage('Op', op), metadata, own.sourceLocations);
  }
}

/** A mount, which is also the exec's output for it when it is writable: one object, not two. */
class Mount extends Output {
  constructor(
    exec: ExecOp,
    readonly target: string,
    public source: Output | undefined,
    readonly opts: MountOptions,
  ) {
    super(exec);
  }

  override index(): number {
    return (this.vertex as ExecOp).outputIndex(this);
  }
}

function hasOutput(m: Mount): boolean {
  return !m.opts.readonly && !m.opts.cache && !m.opts.tmpfs;
}

/** Go's llb.ExecState: the state after a Run, from which mounts can be read back. */
export class ExecState {
  constructor(
    readonly state: State,
    readonly exec: ExecOp,
  ) {}

  root(): State {
    return this.state;
  }

  /** The returned state carries the mounted source's metadata, as Go's ExecState.AddMount does. */
  addMount(target: string, source: State, opts: MountOptions = plainMount): State {
    return source.withOutput(this.exec.addMount(target, source.output, opts));
  }
}

/** Go's State.Run: the exec gets the state's env, dir, user and platform; the new state its root. */
export function run(base: State, opts: RunOptions): ExecState {
  const exec = new ExecOp(base, opts);
  const root = exec.addMount('/', base.output);
  return new ExecState(base.withOutput(root), exec);
}
