import { addCap, marshalConstraints, newConstraints, type Constraints } from './constraints.js';
import { cleanPath, isAbsPath, joinPath } from './path.js';
import { released, State, type OpOptions } from './state.js';
import { InputList, MarshalCache, Output, type Marshalled, type Vertex } from './vertex.js';
import { encodeMessage } from '../wire/encode.js';
import type * as pb from '../wire/messages.generated.js';

/** A user or group: by numeric id, or by name looked up in the destination's /etc files. */
export type UserRef = { readonly id: number } | { readonly name: string };

export interface ChownOpt {
  readonly user: UserRef;
  readonly group?: UserRef;
}

/** Go's llb.WithUser("user[:group]"): numbers (and "root") are ids, anything else a name. */
export function parseChown(spec: string): ChownOpt {
  const colon = spec.indexOf(':');
  const [user, group] = colon < 0 ? [spec, undefined] : [spec.slice(0, colon), spec.slice(colon + 1)];
  return { user: userRef(user), group: group === undefined ? undefined : userRef(group) };
}

function userRef(s: string): UserRef {
  // An empty name marshals as id 0 (Go's UserOpt.marshal takes the name only when it is set).
  if (s === 'root' || s === '') return { id: 0 };
  if (/^[+-]?\d+$/.test(s)) {
    const n = Number(s);
    if (n >= -(2 ** 31) && n < 2 ** 31) return { id: n >>> 0 };
  }
  return { name: s };
}

export interface MkdirInfo {
  readonly makeParents?: boolean;
  readonly chown?: ChownOpt;
}

export interface MkfileInfo {
  readonly chown?: ChownOpt;
}

export interface CopyInfo {
  readonly mode?: number;
  readonly chown?: ChownOpt;
  readonly followSymlinks?: boolean;
  readonly copyDirContentsOnly?: boolean;
  readonly attemptUnpack?: boolean;
  readonly createDestPath?: boolean;
  readonly allowWildcard?: boolean;
  readonly allowEmptyWildcard?: boolean;
  /**
   * CopyInfo.ExcludePatterns: source paths left out. Go's llb declares no cap for it: the loop in
   * FileOp.Marshal that asks actions for their caps runs before the actions are collected.
   */
  readonly excludePatterns?: readonly string[];
}

type SubAction =
  | { readonly kind: 'mkdir'; readonly path: string; readonly mode: number; readonly info: MkdirInfo }
  | { readonly kind: 'mkfile'; readonly path: string; readonly mode: number; readonly data: Uint8Array; readonly info: MkfileInfo }
  | { readonly kind: 'copy'; readonly src: State; readonly srcPath: string; readonly dest: string; readonly info: CopyInfo };

/**
 * Go's llb.FileAction: a chain of file actions applied one after another. The state an
 * action applies to is bound when the chain is handed to State.file.
 */
export class FileAction {
  private constructor(
    readonly action: SubAction,
    readonly prev?: FileAction,
  ) {}

  /** What a released FileOp holds instead of its actions, which name other ops' states. */
  static readonly released = new FileAction({ kind: 'mkdir', path: '/', mode: 0, info: {} });

  static mkdir(path: string, mode: number, info: MkdirInfo = {}): FileAction {
    return new FileAction({ kind: 'mkdir', path, mode, info });
  }

  static copy(src: State, srcPath: string, dest: string, info: CopyInfo = {}): FileAction {
    return new FileAction({ kind: 'copy', src, srcPath, dest, info });
  }

  /** Go's llb.Mkfile: a file with this content. */
  static mkfile(path: string, mode: number, data: Uint8Array, info: MkfileInfo = {}): FileAction {
    return new FileAction({ kind: 'mkfile', path, mode, data, info });
  }

  mkdir(path: string, mode: number, info: MkdirInfo = {}): FileAction {
    return new FileAction({ kind: 'mkdir', path, mode, info }, this);
  }

  copy(src: State, srcPath: string, dest: string, info: CopyInfo = {}): FileAction {
    return new FileAction({ kind: 'copy', src, srcPath, dest, info }, this);
  }

  /** Oldest first. */
  chain(): FileAction[] {
    const out: FileAction[] = [];
    for (let a: FileAction | undefined = this; a; a = a.prev) out.push(a);
    return out.reverse();
  }
}

/** Go's llb.FileOp over a bound chain of actions. */
export class FileOp extends MarshalCache implements Vertex {
  readonly output: Output = new Output(this);
  private readonly constraints?: Partial<Constraints>;

  constructor(
    private base: State,
    private action: FileAction,
    opts: OpOptions,
  ) {
    super();
    // The options object itself is not kept: it is often made for this one call.
    this.constraints = opts.constraints;
  }

  protected override dropInputs(): void {
    this.base = released;
    this.action = FileAction.released;
  }

  /** Newest action first, then its copy source, then older actions: BuildKit's deterministic order. */
  inputs(): readonly Output[] {
    const base = this.base.output;
    const a = this.action.action;
    // The walk asks an op for its inputs once per input: the usual single action is not worth a set.
    if (!this.action.prev) {
      const src = a.kind === 'copy' ? a.src.output : undefined;
      if (!base) return src ? [src] : [];
      return src && src !== base ? [base, src] : [base];
    }
    const seen = new Set<Output>();
    const chain = this.action.chain();
    for (let i = chain.length - 1; i >= 0; i--) {
      if (this.base.output) seen.add(this.base.output);
      const a = chain[i].action;
      if (a.kind === 'copy' && a.src.output) seen.add(a.src.output);
    }
    return [...seen];
  }

  marshal(c: Constraints): Marshalled {
    const hit = this.load(c);
    if (hit) return hit;
    // Made when the op is marshalled, as for an exec.
    const own = newConstraints(this.constraints);
    addCap(own, 'file.base');
    own.platform ??= this.base.getPlatform();
    const { platform, metadata } = marshalConstraints(c, own);

    const inputs = new InputList();
    const chain = this.action.chain();
    const base = this.base.output ? inputs.add(this.base.output.toInput(c)) : -1;
    const secondary = chain.map(({ action: a }) => (a.kind === 'copy' && a.src.output ? inputs.add(a.src.output.toInput(c)) : -1));
    // An action after the first reads the previous action's result, numbered after the inputs.
    const parent = this.base.getDir();
    const actions = chain.map(({ action: a }, i): pb.FileAction => ({
      input: i === 0 ? base : inputs.length + i - 1,
      secondaryInput: secondary[i],
      output: i === chain.length - 1 ? 0 : -1,
      mkdir: a.kind === 'mkdir' ? mkdirAction(a, parent, base) : undefined,
      mkfile: a.kind === 'mkfile' ? mkfileAction(a, parent, base) : undefined,
      copy: a.kind === 'copy' ? copyAction(a, parent, base) : undefined,
    }));
    const op: pb.Op = { inputs: inputs.list, file: { actions }, platform, constraints: {} };
    return this.store(c, encodeMessage('Op', op), metadata, own.sourceLocations);
  }
}

function mkdirAction(a: SubAction & { kind: 'mkdir' }, parent: string, base: number): pb.FileActionMkDir {
  return {
    path: normalizePath(parent, a.path, false),
    mode: a.mode & 0o7777,
    makeParents: a.info.makeParents,
    owner: marshalChown(a.info.chown, base),
    timestamp: -1,
  };
}

function mkfileAction(a: SubAction & { kind: 'mkfile' }, parent: string, base: number): pb.FileActionMkFile {
  return {
    path: normalizePath(parent, a.path, false),
    mode: a.mode & 0o7777,
    data: a.data,
    owner: marshalChown(a.info.chown, base),
    timestamp: -1,
  };
}

function copyAction(a: SubAction & { kind: 'copy' }, parent: string, base: number): pb.FileActionCopy {
  const info = a.info;
  return {
    src: sourcePath(a.srcPath, a.src.getDir()),
    dest: normalizePath(parent, a.dest, true),
    owner: marshalChown(info.chown, base),
    mode: info.mode ?? -1,
    followSymlink: info.followSymlinks,
    dirCopyContents: info.copyDirContentsOnly,
    attemptUnpackDockerCompatibility: info.attemptUnpack,
    createDestPath: info.createDestPath,
    allowWildcard: info.allowWildcard,
    allowEmptyWildcard: info.allowEmptyWildcard,
    timestamp: -1,
    exclude_patterns: info.excludePatterns,
  };
}

function marshalChown(chown: ChownOpt | undefined, base: number): pb.ChownOpt | undefined {
  if (!chown) return undefined;
  const user = (u: UserRef | undefined): pb.UserOpt | undefined =>
    u === undefined ? undefined : 'id' in u ? { byID: u.id } : { byName: { name: u.name, input: base } };
  return { user: user(chown.user), group: user(chown.group) };
}

function sourcePath(src: string, dir: string): string {
  const p = cleanPath(src);
  return isAbsPath(p) ? p : joinPath('/', dir, p);
}

/** Go's fileop normalizePath: relative paths join the state's dir; keepSlash preserves "dir/" and "dir/.". */
export function normalizePath(parent: string, p: string, keepSlash: boolean): string {
  let out = cleanPath(p);
  if (!isAbsPath(out)) out = joinPath('/', parent, out);
  if (keepSlash) {
    if (p.endsWith('/') && !out.endsWith('/')) out += '/';
    else if (p.endsWith('/.')) out = `${out === '/' ? out : `${out}/`}.`;
  }
  return out;
}

/** Go's State.File: the new state is the file op's single output. */
export function file(base: State, action: FileAction, opts: OpOptions = {}): State {
  return base.withOutput(new FileOp(base, action, opts).output);
}
