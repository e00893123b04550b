import { fields, type Flag, type InstructionHeredoc, type LogicalSlice } from '../syntax/args.js';
import { run } from '../llb/exec.js';
import { file, FileAction, parseChown, type ChownOpt, type CopyInfo } from '../llb/fileop.js';
import { git, http } from '../llb/source.js';
import { StepConstraints } from '../llb/constraints.js';
import { cleanPath, isAbsPath, joinPath } from '../llb/path.js';
import type { State } from '../llb/state.js';
import { shlexSplit, ShlexError } from '../syntax/shlex.js';
import { expandJsonElement, expandWord } from './expansion.js';
import { readArgs, stageRefFlags, type StageScope } from './compilation.js';
import { dockerfileJson, fail, parseBool, parseJsonForm } from './words.js';
import { heredocCopyInfo, heredocsOf, heredocSource } from './heredoc.js';
import { addLayerHistory } from './imageconfig.js';

interface CopyArgs {
  readonly sources: { readonly at: LogicalSlice; readonly path: string }[];
  /** The sources written as heredocs (`<<EOF`), after the others as the frontend copies them. */
  readonly heredocs: readonly InstructionHeredoc[];
  readonly dest: string;
  readonly destAt: LogicalSlice;
  /** The stage or image to copy from (COPY --from). */
  readonly from?: Flag;
  readonly chown?: ChownOpt;
  readonly mode?: number;
  /** --exclude patterns, expanded (llbc mode). */
  readonly exclude?: readonly string[];
}

function readCopyArgs(scope: StageScope): CopyArgs {
  const name = scope.instr.name;
  const { spec, flags, byName, rest } = readArgs(scope.comp, scope.instr);
  const json = scope.comp.mode === 'dockerfile' ? dockerfileJson(rest.text) : parseJsonForm(rest);
  const heredocs = json ? [] : heredocsOf(scope, rest);
  const heredocAt = new Set(heredocs.map((h) => h.at.start));
  const expandJson = scope.comp.mode === 'dockerfile' ? (path: string) => expandJsonElement(path, rest, scope.lookup) : (path: string) => path;
  const all = json ? json.map((path) => ({ at: rest, path: expandJson(path) })) : fields(rest).map((w) => ({ at: w, path: heredocAt.has(w.start) ? w.text : expandWord(w, scope.lookup) }));
  if (all.length < 2) fail(rest, `${name} requires at least one source and a destination`, 0, Math.max(1, rest.text.length));
  // The frontend copies an empty source as the whole of it (`/`) and an empty destination as the
  // working directory; llbc mode refuses both.
  if (scope.comp.mode !== 'dockerfile') for (const w of all) if (w.path === '') fail(w.at, `${name} path expanded to an empty string`, 0, w.at.text.length);
  const last = all[all.length - 1];
  if (heredocAt.has(last.at.start)) fail(last.at, `${name} needs a destination after its heredocs`, 0, last.at.text.length);
  return {
    sources: all.slice(0, -1).filter((w) => !heredocAt.has(w.at.start)),
    heredocs,
    dest: last.path,
    destAt: last.at,
    from: stageRefFlags(spec, flags)[0],
    chown: chownOf(byName.get('chown')?.[0], scope),
    mode: modeOf(byName.get('chmod')?.[0], scope),
    exclude: byName.get('exclude')?.map((f) => excludePattern(f, scope)),
  };
}

function excludePattern(flag: Flag, scope: StageScope): string {
  const pattern = expandWord(flag.value!, scope.lookup);
  if (pattern === '') fail(flag.value!, '--exclude needs a pattern', 0, Math.max(1, flag.value!.text.length));
  return pattern;
}

function chownOf(flag: Flag | undefined, scope: StageScope): ChownOpt | undefined {
  if (!flag) return undefined;
  const spec = expandWord(flag.value!, scope.lookup);
  // The frontend takes any owner (llb.WithUser: up to the first `:` the user, the rest the
  // group, an empty one id 0) and none when it expands to "" (`--chown=${UID}:${GID}` with both
  // unset is `:`).
  if (scope.comp.mode === 'dockerfile') return spec === '' ? undefined : parseChown(spec);
  if (!/^[^:\s]+(?::[^:\s]+)?$/.test(spec)) fail(flag.value!, `invalid --chown ${JSON.stringify(spec)}: use user, user:group, uid or uid:gid`, 0, Math.max(1, flag.value!.text.length));
  return parseChown(spec);
}

function modeOf(flag: Flag | undefined, scope: StageScope): number | undefined {
  if (!flag) return undefined;
  const spec = expandWord(flag.value!, scope.lookup);
  // v0.11.6 reads the mode as strconv.ParseUint(spec, 8, 32) and ignores one it cannot read.
  if (scope.comp.mode === 'dockerfile') return /^[0-7]+$/.test(spec) && parseInt(spec, 8) < 2 ** 32 ? parseInt(spec, 8) | 0 : undefined;
  if (!/^[0-7]{1,4}$/.test(spec)) fail(flag.value!, `invalid --chmod ${JSON.stringify(spec)}: use octal digits, like 0755`, 0, Math.max(1, flag.value!.text.length));
  return parseInt(spec, 8);
}

/** A destination names a directory when it ends in `/`, is `.` or is empty; relative ones join the WORKDIR. */
function resolveDest(dest: string, workdir: string): { path: string; isDir: boolean } {
  const isDir = dest.endsWith('/') || dest === '.' || dest === '';
  if (isAbsPath(dest)) return { path: dest, isDir };
  const joined = joinPath(workdir || '/', dest);
  return { path: isDir && !joined.endsWith('/') ? `${joined}/` : joined, isDir };
}

/** COPY [--from=stage|image] [--chown=...] [--chmod=...] <src>... <dest>. */
export function lowerCopy(scope: StageScope): State {
  const args = readCopyArgs(scope);
  const from = args.from?.value;
  // v0.11.6 takes --from as written (`--from=$STAGE` names an image "$STAGE", which it refuses).
  const fromValue = from && (scope.comp.mode === 'dockerfile' ? from.text : expandWord(from, scope.lookup));
  const source = from ? scope.comp.stageOrImage(from, fromValue!, scope.stage, scope.instr) : contextFor(scope, args);
  return copyLocal(scope, args, source);
}

/** The build context, as the source of these paths (Dockerfile mode lists them on the context source); none for heredocs only. */
function contextFor(scope: StageScope, args: CopyArgs): State | undefined {
  let state: State | undefined;
  for (const s of args.sources) state = scope.comp.context(s.path);
  return state;
}

/** The history entry of a COPY or ADD: its sources and destination as expanded (convert.go dispatchCopy). */
function copyHistory(scope: StageScope, args: CopyArgs): void {
  scope.config.image = addLayerHistory(scope.config.image, () => [scope.instr.name, ...args.sources.map((s) => s.path), args.dest].join(' '));
}

/** `source` is undefined only when every source is a heredoc. */
function copyLocal(scope: StageScope, args: CopyArgs, source: State | undefined, unpack?: boolean): State {
  copyHistory(scope, args);
  const dest = resolveDest(args.dest, scope.state.getDir());
  // Heredocs are files made for the copy, copied as the frontend copies them, in both modes.
  const heredocs = args.heredocs.map((h) => ({ ...heredocSource(scope, h), info: heredocCopyInfo(args.mode, args.chown) }));
  // The cp helper has no owner, mode or exclusions: a FileOp copy has them.
  if (!source || scope.comp.copyMode === 'file' || args.chown || args.mode !== undefined || args.exclude) {
    const info = dockerfileCopyInfo(args, unpack);
    return copyFileOp(scope, scope.state, [...args.sources.map((s) => ({ state: source!, path: joinPath('/', s.path), info })), ...heredocs], dest.path);
  }
  const copied = copyWithHelper(scope, args, source, dest);
  return heredocs.length > 0 ? copyFileOp(scope, copied, heredocs, dest.path) : copied;
}

/** Dockerfile's COPY semantics for a FileOp copy. */
function dockerfileCopyInfo(args: CopyArgs, unpack?: boolean): CopyInfo {
  return {
    mode: args.mode,
    chown: args.chown,
    attemptUnpack: unpack,
    followSymlinks: true,
    copyDirContentsOnly: true,
    createDestPath: true,
    allowWildcard: true,
    allowEmptyWildcard: true,
    excludePatterns: args.exclude,
  };
}

/** Several sources chain into one FileOp, as Dockerfile's COPY does. */
function copyFileOp(scope: StageScope, base: State, sources: { state: State; path: string; info: CopyInfo }[], dest: string): State {
  let action: FileAction | undefined;
  for (const s of sources) action = action ? action.copy(s.state, s.path, dest, s.info) : FileAction.copy(s.state, s.path, dest, s.info);
  return file(base, action!, { constraints: scope.comp.opConstraints(scope.stage, scope.instr, scope.lookup) });
}

const makeParents = { makeParents: true };

/**
 * The seed program's copy: `cp -a` in a helper image with the source at /src and the stage
 * at /dest. `cp` cannot create the destination directory, so a mkdir comes first.
 */
function copyWithHelper(scope: StageScope, args: CopyArgs, source: State, dest: { path: string; isDir: boolean }): State {
  const constraints = scope.comp.opConstraints(scope.stage, scope.instr);
  let state = scope.state;
  const cleaned = cleanPath(dest.path);
  const dir = dest.isDir ? cleaned : parentDir(cleaned);
  if (dir !== '/') state = file(state, FileAction.mkdir(dir, 0o755, makeParents), { constraints });
  for (const src of args.sources) {
    const from = isAbsPath(src.path) ? src.path : `/${src.path}`;
    // Joined rather than concatenated: a concatenated string is a pair of pieces, kept as such by the exec until it is marshalled.
    const helper = run(scope.comp.copyHelper(), { args: copyCommand(src.at, ['/src', from].join(''), ['/dest', dest.path].join('')), constraints });
    helper.addMount('/src', source);
    state = helper.addMount('/dest', state);
  }
  return state;
}

// What shlex treats specially (a `#` only at the start of a word, and these paths start with `/`).
const shlexSpecial = /[\s'"\\]/;

/** Go's llb.Shlexf("cp -a %s %s"): the paths are formatted into a command line and split again. */
function copyCommand(at: LogicalSlice, src: string, dest: string): string[] {
  // Plain paths split back into themselves, and the command's words are then shared by every COPY.
  if (!shlexSpecial.test(src) && !shlexSpecial.test(dest)) return ['cp', '-a', src, dest];
  try {
    return shlexSplit(`cp -a ${src} ${dest}`);
  } catch (e) {
    if (e instanceof ShlexError) fail(at, `this path cannot be copied by the cp helper (${e.message}); use copy=file`, 0, at.text.length);
    throw e;
  }
}

function parentDir(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** ADD <http(s) URL | git URL#ref | local path>... <dest>. */
export function lowerAdd(scope: StageScope): State {
  const dockerfile = scope.comp.mode === 'dockerfile';
  const checksum = readArgs(scope.comp, scope.instr).byName.get('checksum')?.[0];
  if (dockerfile && checksum) {
    fail(checksum.slice, "ADD --checksum needs BuildKit v0.12 (Dockerfile frontend 1.6); v0.11.6 refuses it: instruction 'ADD --checksum=<CHECKSUM>' requires the labs channel", 0, checksum.slice.text.length);
  }
  const args = readCopyArgs(scope);
  const remote = args.sources.map((s) => remoteSource(s, scope, remoteOptions(scope)));
  // Dockerfile's ADD unpacks local archives.
  if (remote.every((r) => r === undefined)) return copyLocal(scope, args, dockerfile || args.sources.length === 0 ? contextFor(scope, args) : scope.comp.context(), dockerfile || undefined);
  copyHistory(scope, args);
  const dest = resolveDest(args.dest, scope.state.getDir());
  const local = dockerfileCopyInfo(args, dockerfile || undefined);
  const sources = args.sources.map((s, i) => {
    const r = remote[i];
    if (!r) return { state: scope.comp.context(s.path), path: joinPath('/', s.path), info: local };
    return { state: r.state, path: r.path, info: { mode: args.mode, chown: args.chown, createDestPath: true } };
  });
  const heredocs = args.heredocs.map((h) => ({ ...heredocSource(scope, h), info: heredocCopyInfo(args.mode, args.chown) }));
  return copyFileOp(scope, scope.state, [...sources, ...heredocs], dest.path);
}

const gitLike = /^(?:git:\/\/|ssh:\/\/|[A-Za-z0-9_-]+@[A-Za-z0-9.-]+:)|^https?:\/\/[^#]*\.git(?:#.*)?$/;

/** ADD's options for its remote sources (llbc mode; Dockerfile mode has refused them). */
interface RemoteOptions {
  readonly checksum?: { readonly flag: Flag; readonly digest: string };
  readonly keepGitDir?: Flag;
}

function remoteOptions(scope: StageScope): RemoteOptions {
  const { byName } = readArgs(scope.comp, scope.instr);
  const checksumFlag = byName.get('checksum')?.[0];
  const keepFlag = byName.get('keep-git-dir')?.[0];
  let checksum: RemoteOptions['checksum'];
  if (checksumFlag) {
    const digest = expandWord(checksumFlag.value!, scope.lookup);
    const m = /^(sha256|sha384|sha512):([0-9a-f]*)$/.exec(digest);
    const hexLength = { sha256: 64, sha384: 96, sha512: 128 };
    if (!m || m[2].length !== hexLength[m[1] as keyof typeof hexLength]) {
      fail(checksumFlag.value!, `invalid --checksum ${JSON.stringify(digest)}: use a digest like sha256:<64 hex digits>`, 0, Math.max(1, checksumFlag.value!.text.length));
    }
    checksum = { flag: checksumFlag, digest };
  }
  const keep = keepFlag && (keepFlag.value === undefined || parseBool(expandWord(keepFlag.value, scope.lookup)));
  return { checksum, keepGitDir: keep ? keepFlag : undefined };
}

function remoteSource(src: { at: LogicalSlice; path: string }, scope: StageScope, options: RemoteOptions = {}): { state: State; path: string } | undefined {
  const dockerfile = scope.comp.mode === 'dockerfile';
  // The frontend's http and git sources carry an empty command description and no step name.
  const constraints = dockerfile
    ? scope.comp.debugNames()
      ? new StepConstraints(undefined, scope.instr.startLine, scope.instr.endLine, '')
      : undefined
    : scope.comp.opConstraints(scope.stage, scope.instr);
  if (gitLike.test(src.path)) {
    if (dockerfile) fail(src.at, 'ADD of a git repository needs BuildKit v0.12 (Dockerfile frontend 1.6); v0.11.6 refuses it: instruction ADD <git ref> requires the labs channel', 0, src.at.text.length);
    const hash = src.path.indexOf('#');
    const url = hash < 0 ? src.path : src.path.slice(0, hash);
    const ref = hash < 0 ? '' : src.path.slice(hash + 1);
    if (options.checksum) fail(options.checksum.flag.slice, 'ADD --checksum applies to an http(s) URL, not to a git repository', 0, options.checksum.flag.slice.text.length);
    return { state: git(url, ref, { constraints, keepGitDir: options.keepGitDir !== undefined }), path: '/' };
  }
  // v0.11.6 ignores --keep-git-dir on anything but a git repository (which it refuses).
  const keepGitDir = dockerfile ? undefined : options.keepGitDir;
  if (!/^https?:\/\//i.test(src.path)) {
    for (const f of [options.checksum?.flag, keepGitDir]) {
      if (f) fail(f.slice, `ADD --${f.name} applies to ${f.name === 'checksum' ? 'an http(s) URL' : 'a git repository'}, not to ${JSON.stringify(src.path)}`, 0, f.slice.text.length);
    }
    return undefined;
  }
  if (keepGitDir) fail(keepGitDir.slice, 'ADD --keep-git-dir applies to a git repository, not to an http(s) URL', 0, keepGitDir.slice.text.length);
  let url: URL;
  try {
    url = new URL(src.path);
  } catch {
    fail(src.at, `invalid URL ${JSON.stringify(src.path)}`, 0, src.at.text.length);
  }
  // Go's url.Parse rejects a `%` in the path that does not start an escape; so does ADD, then.
  if (/%(?![0-9A-Fa-f]{2})/.test(url.pathname)) fail(src.at, `invalid URL ${JSON.stringify(src.path)}: a "%" must start an escape like %20`, 0, src.at.text.length);
  const segments = url.pathname.split('/');
  const name = unescapePath(segments[segments.length - 1] ?? '');
  if (name === '') fail(src.at, `cannot name the downloaded file: ${JSON.stringify(src.path)} has no file name at the end of its path`, 0, src.at.text.length);
  return { state: http(src.path, { filename: name, checksum: options.checksum?.digest, constraints }), path: `/${name}` };
}

/**
 * Percent-escapes to the bytes they stand for, read as UTF-8. Unlike decodeURIComponent this
 * takes escapes that are not UTF-8 (`%FF`), as Go does; they become U+FFFD.
 */
function unescapePath(s: string): string {
  if (!s.includes('%')) return s;
  const parts = s.split(/(%[0-9A-Fa-f]{2})/).map((p) => (p.startsWith('%') ? Buffer.from([parseInt(p.slice(1), 16)]) : Buffer.from(p, 'utf8')));
  return Buffer.concat(parts).toString('utf8');
}
