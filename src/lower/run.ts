import type { Flag, LogicalSlice } from '../syntax/args.js';
import { run, type ProxyEnv, type MountOptions, type RunOptions, type SecretInfo, type SSHInfo, type CacheSharing } from '../llb/exec.js';
import { cleanPath, joinPath } from '../llb/path.js';
import { file, FileAction } from '../llb/fileop.js';
import { addLayerHistory, commandArgs as shellCommand, runCreatedBy, type CreatedBy } from './imageconfig.js';
import { State, type NetMode, type SecurityMode } from '../llb/state.js';
import { shlexSplit, ShlexError } from '../syntax/shlex.js';
import { expandKeepingQuotes, expandWord } from './expansion.js';
import { readArgs, type StageScope } from './compilation.js';
import { llbShellForm } from './shellform.js';
import { dockerfileJson, fail, parseBool, parseJsonForm } from './words.js';
import { heredocRun, heredocsOf } from './heredoc.js';

/** RUN [--mount=...]... [--network=...] [--security=...] <command line | JSON array>. */
export function lowerRun(scope: StageScope): State {
  const { byName, rest } = readArgs(scope.comp, scope.instr);
  if (rest.text === '') fail(rest, 'RUN requires a command');
  const dockerfile = scope.comp.mode === 'dockerfile';
  const heredocs = heredocsOf(scope, rest);
  const heredoc = heredocs.length > 0 ? heredocRun(scope, rest, heredocs) : undefined;
  const args = heredoc ? heredoc.args : dockerfile ? dockerfileCommand(rest, scope) : commandArgs(rest, scope);
  if (args.length === 0) fail(rest, 'RUN command is empty after expansion', 0, rest.text.length);

  const network = choice<NetMode>(byName.get('network')?.[0], scope, { default: 'sandbox', none: 'none', host: 'host' });
  const security = choice<SecurityMode>(byName.get('security')?.[0], scope, { sandbox: 'sandbox', insecure: 'insecure' });
  const mounts = (byName.get('mount') ?? []).map((f) => parseMount(f, scope));
  checkDuplicateTargets(mounts);

  const secrets: SecretInfo[] = mounts.flatMap((m) => (m.kind === 'secret' ? m.secrets : []));
  const ssh: SSHInfo[] = mounts.flatMap((m) => (m.kind === 'ssh' ? [m.ssh] : []));
  // Only what differs from the defaults: every exec keeps its options until it is marshalled.
  const opts: { -readonly [K in keyof RunOptions]: RunOptions[K] } = { args, constraints: scope.comp.opConstraints(scope.stage, scope.instr, scope.lookup) };
  if (dockerfile) {
    const proxy = proxyEnv(scope.comp.options.buildArgs);
    if (proxy) opts.proxyEnv = proxy;
  }
  if (network !== 'sandbox') opts.network = network;
  if (security !== 'sandbox') opts.security = security;
  if (secrets.length > 0) opts.secrets = secrets;
  if (ssh.length > 0) opts.ssh = ssh;
  const exec = run(scope.state, opts);
  for (const m of mounts) {
    if (m.kind === 'fs') exec.addMount(m.target, m.source ?? State.scratch(), m.opts);
  }
  if (heredoc?.script) exec.addMount(heredoc.script.target, heredoc.script.state, { readonly: true, selector: '/' });
  scope.config.image = addLayerHistory(scope.config.image, () => runHistory(scope, args));
  return exec.root();
}

/**
 * A RUN's history text. With the stage's ARGs it lists each, with its value in the environment,
 * else as declared: made when read (n² text over a stage of n lines; the list only grows, the
 * environment is never changed in place). Without any, made now: a function holding the argv
 * of each of 100,000 RUN steps took 66 MB more at the peak.
 */
function runHistory(scope: StageScope, args: readonly string[]): CreatedBy {
  const list = scope.declared.argList;
  const count = list?.length ?? 0;
  if (!list || count === 0) return runCreatedBy(args, []);
  const env = scope.state.getEnv();
  return () => runCreatedBy(args, list.slice(0, count).map(([name, value]) => [name, env.get(name) ?? value ?? '']));
}

/**
 * Dockerfile's RUN: the JSON form as written; anything else (a `[` that is not a JSON array of
 * strings included) is shell form, the text run by the stage's shell unexpanded.
 */
function dockerfileCommand(rest: LogicalSlice, scope: StageScope): string[] {
  const json = dockerfileJson(rest.text);
  if (json) return json;
  return shellCommand(scope.config.image.image, { shell: rest.text });
}

/** The proxy build args (lower case; the upper-case names count too). */
export const proxyArgs = ['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy'] as const;

/** The frontend's proxyEnvFromBuildArgs: proxy build args reach every RUN, declared or not. */
function proxyEnv(buildArgs: ReadonlyMap<string, string>): ProxyEnv | undefined {
  let out: { -readonly [K in keyof ProxyEnv]: ProxyEnv[K] } | undefined;
  for (const name of proxyArgs) {
    const value = buildArgs.get(name.toUpperCase()) ?? buildArgs.get(name);
    if (value !== undefined) (out ??= {})[name] = value;
  }
  return out;
}

/** llbc mode's RUN: the JSON form as written; shell form through SHELL when the stage set one, else split. */
function commandArgs(rest: LogicalSlice, scope: StageScope): string[] {
  const json = parseJsonForm(rest);
  if (json) return json;
  const shell = llbShellForm(rest, scope);
  if (shell) return shell;
  const expanded = expandKeepingQuotes(rest, scope.lookup);
  try {
    return shlexSplit(expanded);
  } catch (e) {
    if (!(e instanceof ShlexError)) throw e;
    // Offsets into the expanded text match the source only when nothing was substituted.
    fail(rest, e.message, expanded === rest.text ? e.offset : 0);
  }
}

function choice<T extends string>(flag: Flag | undefined, scope: StageScope, values: Record<string, T>): T {
  const first = Object.values(values)[0];
  if (!flag) return first;
  const v = expandWord(flag.value!, scope.lookup);
  const picked = Object.hasOwn(values, v) ? values[v] : undefined;
  if (!picked) fail(flag.value!, `invalid --${flag.name} ${JSON.stringify(v)}: use ${Object.keys(values).join(', ')}`, 0, Math.max(1, flag.value!.text.length));
  return picked;
}

type ParsedMount =
  | { kind: 'fs'; target: string; at: LogicalSlice; source?: State; opts: MountOptions }
  | { kind: 'secret'; target: string; at: LogicalSlice; secrets: SecretInfo[] }
  | { kind: 'ssh'; target: string; at: LogicalSlice; ssh: SSHInfo };

interface MountField {
  readonly key: string;
  readonly value?: string;
  readonly at: LogicalSlice;
}

const allowedKeys: Record<string, readonly string[]> = {
  bind: ['target', 'source', 'from', 'rw', 'readwrite', 'ro', 'readonly'],
  cache: ['target', 'id', 'sharing', 'from', 'source', 'ro', 'readonly', 'uid', 'gid', 'mode'],
  tmpfs: ['target', 'size'],
  secret: ['target', 'id', 'source', 'env', 'required', 'mode', 'uid', 'gid'],
  ssh: ['target', 'id', 'required', 'mode', 'uid', 'gid'],
};

const aliases: Record<string, string> = { dst: 'target', destination: 'target', src: 'source' };

/** One `--mount=key=value,...` flag, with Dockerfile's keys and defaults. */
function parseMount(flag: Flag, scope: StageScope): ParsedMount {
  const value = flag.value!;
  const fields = mountFields(value, scope);
  const typeField = fields.find((f) => f.key === 'type');
  const type = typeField?.value?.toLowerCase() ?? 'bind';
  if (!Object.hasOwn(allowedKeys, type)) {
    fail(typeField!.at, `unknown mount type ${JSON.stringify(type)}: use bind, cache, tmpfs, secret or ssh`, 0, typeField!.at.text.length);
  }
  const get = new Map<string, MountField>();
  for (const f of fields) {
    if (f.key === 'type') continue;
    if (!allowedKeys[type].includes(f.key)) {
      const known = Object.values(allowedKeys).some((keys) => keys.includes(f.key));
      const what = known ? `option ${JSON.stringify(f.key)} does not apply to a ${type} mount` : `unknown mount option ${JSON.stringify(f.key)}`;
      fail(f.at, `${what} (a ${type} mount takes ${allowedKeys[type].join(', ')})`, 0, f.at.text.length);
    }
    if (get.has(f.key)) fail(f.at, `mount option ${f.key} given more than once`, 0, f.at.text.length);
    get.set(f.key, f);
  }
  const str = (key: string): string | undefined => {
    const f = get.get(key);
    if (!f) return undefined;
    // The frontend takes an empty source or id (`source=$UNSET`) as none given.
    if (f.value === '' && scope.comp.mode === 'dockerfile' && (key === 'source' || key === 'id')) return undefined;
    if (f.value === undefined || f.value === '') fail(f.at, `mount option ${key} needs a value: ${key}=...`, 0, f.at.text.length);
    return f.value;
  };
  const bool = (key: string): boolean | undefined => {
    const f = get.get(key);
    if (!f) return undefined;
    if (f.value === undefined) return true;
    const b = parseBool(f.value);
    if (b === undefined) fail(f.at, `mount option ${key} takes true or false`, 0, f.at.text.length);
    return b;
  };
  const dir = scope.state.getDir();
  const dockerfile = scope.comp.mode === 'dockerfile';
  const target = (fallback?: string): string => {
    const t = str('target') ?? fallback;
    if (t === undefined) fail(value, `a ${type} mount needs target=<path>`, 0, value.text.length);
    // The frontend keeps secret and ssh targets as written.
    if (dockerfile && (type === 'secret' || type === 'ssh')) return t;
    // As Dockerfile: absolute targets are kept as written, relative ones join the WORKDIR.
    const resolved = joinPath(t).startsWith('/') ? t : joinPath('/', dir, t);
    if (resolved === '/') fail(get.get('target')?.at ?? value, 'a mount cannot replace the root filesystem (target=/)', 0, (get.get('target')?.at ?? value).text.length);
    return resolved;
  };
  const mode = (fallback: number): number => {
    const m = str('mode');
    if (m === undefined) return fallback;
    if (!/^[0-7]{1,4}$/.test(m)) fail(get.get('mode')!.at, `invalid mode ${JSON.stringify(m)}: use octal digits, like 0400`, 0, get.get('mode')!.at.text.length);
    return parseInt(m, 8);
  };
  const id = (key: 'uid' | 'gid'): number | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) fail(get.get(key)!.at, `invalid ${key} ${JSON.stringify(v)}: use a number`, 0, get.get(key)!.at.text.length);
    return Number(v);
  };
  const selectorOf = (): string | undefined => {
    const src = str('source');
    const joined = src === undefined ? '/' : joinPath('/', src);
    return joined === '/' ? undefined : joined;
  };
  const fromSource = (): { source?: State; selector?: string } => {
    const from = get.get('from');
    const selector = selectorOf();
    if (!from) return { selector };
    // v0.11.6's parser refuses a variable in from= (the stage must be named as written).
    if (dockerfile && /\$./.test(from.at.text.slice(from.at.text.indexOf('=') + 1))) fail(from.at, "'from' doesn't support variable expansion, define alias stage instead", 0, from.at.text.length);
    return { source: scope.comp.stageOrImage(from.at, str('from')!, scope.stage, scope.instr), selector };
  };

  switch (type) {
    case 'bind': {
      // Dockerfile mounts a bind without a target at the working directory.
      const t = target(dockerfile ? dir || '/' : undefined);
      const rw = bool('rw') ?? bool('readwrite') ?? (bool('ro') ?? bool('readonly') ?? true) === false;
      const from = get.has('from') ? fromSource() : { source: scope.comp.context(str('source')), selector: selectorOf() };
      return { kind: 'fs', target: t, at: value, source: from.source, opts: { readonly: !rw, selector: from.selector } };
    }
    case 'cache': {
      const t = target();
      const sharingText = (str('sharing') ?? 'shared').toLowerCase();
      if (!['shared', 'private', 'locked'].includes(sharingText)) {
        fail(get.get('sharing')!.at, `invalid sharing ${JSON.stringify(sharingText)}: use shared, private or locked`, 0, get.get('sharing')!.at.text.length);
      }
      let from = fromSource();
      const readonly = bool('ro') ?? bool('readonly') ?? false;
      // Dockerfile's cache ID is the id as written or the target cleaned, after a `/`.
      const cacheID = dockerfile ? `/${str('id') ?? cleanPath(str('target')!)}` : (str('id') ?? t);
      if (!from.source && (get.has('uid') || get.has('gid') || get.has('mode'))) from = cacheMountSettings(scope, id('uid') ?? 0, id('gid') ?? 0, mode(0o755));
      return {
        kind: 'fs',
        target: t,
        at: value,
        source: from.source,
        opts: { readonly, selector: from.selector, cache: { id: cacheID, sharing: sharingText as CacheSharing } },
      };
    }
    case 'tmpfs': {
      const t = target();
      // v0.11.6 counts a tmpfs mount (no from=) as a use of the whole build context, so the
      // context source then follows no paths.
      if (dockerfile) scope.comp.context();
      const sizeField = get.get('size');
      const size = sizeField ? parseSize(sizeField, str('size')!) : 0;
      return { kind: 'fs', target: t, at: value, opts: { tmpfs: { size } } };
    }
    case 'secret': {
      const explicitTarget = get.has('target');
      const envField = get.get('env');
      if (envField && scope.comp.mode === 'dockerfile') {
        const msg = `a secret as an environment variable (env=) needs Dockerfile frontend 1.10; BuildKit v0.11.6 refuses it: unexpected key 'env' in '${envField.at.text}'`;
        fail(envField.at, msg, 0, envField.at.text.length);
      }
      const env = str('env');
      if (get.has('id') && get.has('source')) fail(get.get('source')!.at, 'a secret mount takes id or source, not both', 0, get.get('source')!.at.text.length);
      const idValue = str('id') ?? str('source') ?? (explicitTarget ? basename(target()) : undefined);
      if (idValue === undefined) fail(value, 'a secret mount needs id=<id>', 0, value.text.length);
      const optional = !(bool('required') ?? false);
      const common = { id: idValue, optional, uid: id('uid'), gid: id('gid'), mode: mode(0o400) };
      const secrets: SecretInfo[] = [];
      if (!env || explicitTarget) secrets.push({ ...common, target: target(`/run/secrets/${idValue}`) });
      if (env) secrets.push({ ...common, target: env, env: true });
      return { kind: 'secret', target: explicitTarget || !env ? target(`/run/secrets/${idValue}`) : `env:${env}`, at: value, secrets };
    }
    case 'ssh': {
      const t = get.has('target') ? target() : undefined;
      const ssh: SSHInfo = { id: str('id'), target: t, optional: !(bool('required') ?? false), uid: id('uid'), gid: id('gid'), mode: mode(0o600) };
      return { kind: 'ssh', target: t ?? `ssh:${fields.indexOf(typeField!)}`, at: value, ssh };
    }
  }
  throw new Error(`unhandled mount type ${type}`);
}

/**
 * Dockerfile's cache mount with uid, gid or mode: the cache starts from a directory made with
 * them, in an op of its own.
 */
function cacheMountSettings(scope: StageScope, uid: number, gid: number, mode: number): { source: State; selector: string } {
  const named = scope.comp.debugNames() ? { constraints: { metadata: { caps: {}, description: { 'llb.customname': '[internal] settings cache mount permissions' } } } } : {};
  const action = FileAction.mkdir('/cache', mode, { chown: { user: { id: uid }, group: { id: gid } } });
  return { source: file(State.scratch().platform(scope.comp.stagePlatform(scope.stage)), action, named), selector: '/cache' };
}

/** Splits `a=b,c` into fields, expanding each value, remembering where each field is. */
function mountFields(value: LogicalSlice, scope: StageScope): MountField[] {
  const out: MountField[] = [];
  let pos = 0;
  for (const part of value.text.split(',')) {
    const at: LogicalSlice = { text: part, start: value.start + pos, source: value.source };
    pos += part.length + 1;
    if (part === '') fail(at, 'empty mount option', 0);
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    const raw = eq < 0 ? undefined : { text: part.slice(eq + 1), start: at.start + eq + 1, source: value.source };
    out.push({ key: aliases[key] ?? key, value: raw && expandWord(raw, scope.lookup), at });
  }
  return out;
}

const sizeUnits: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** Sizes as Docker's RAMInBytes reads them: binary multiples, `64m`, `64MB`, `64MiB`, `1g`, `4096`. */
export function parseSize(field: MountField, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtpb]?)(?:i?b)?$/i.exec(text);
  const unit = m ? sizeUnits[m[2].toLowerCase()] : undefined;
  const size = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(size)) fail(field.at, `invalid size ${JSON.stringify(text)}: use bytes or a number with k, m, g (like 64m)`, 0, field.at.text.length);
  return size;
}

function basename(p: string): string {
  const parts = p.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? p;
}

function checkDuplicateTargets(mounts: ParsedMount[]): void {
  const seen = new Set<string>(['/']);
  for (const m of mounts) {
    if (seen.has(m.target)) fail(m.at, `two mounts at ${m.target}`, 0, m.at.text.length);
    seen.add(m.target);
  }
}
