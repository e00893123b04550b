// The OCI image configuration a Dockerfile stage produces, with the rules of BuildKit v0.11.6's
// Dockerfile frontend (frontend/dockerfile/dockerfile2llb: convert.go's dispatch* functions and
// the image type it marshals as `containerimage.config`). Values, not LLB: lowering records
// instructions here, `llbc config` prints the result and a gateway frontend returns it.
// It needs only Go's path rules from llb, so lowering, `llbc config` and a frontend can all use it.

import { joinPath } from '../llb/path.js';

export interface ImagePlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Docker's health check; durations in nanoseconds, as Go's time.Duration marshals. */
export interface HealthConfig {
  /** ["NONE"], ["CMD", ...argv] or ["CMD-SHELL", command]. */
  readonly Test?: readonly string[];
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly StartPeriod?: number;
  readonly Retries?: number;
}

/** The `config` object: OCI's ImageConfig with Docker's extra fields, as BuildKit declares them. */
export interface ContainerConfig {
  readonly User?: string;
  readonly ExposedPorts?: Readonly<Record<string, Record<string, never>>>;
  readonly Env?: readonly string[];
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly Volumes?: Readonly<Record<string, Record<string, never>>>;
  readonly WorkingDir?: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly StopSignal?: string;
  readonly Healthcheck?: HealthConfig;
  readonly ArgsEscaped?: boolean;
  /** Not omitted when empty: Go marshals a nil slice without omitempty as null. */
  readonly OnBuild: readonly string[] | null;
  readonly StopTimeout?: number;
  readonly Shell?: readonly string[];
}

export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly author?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

export interface ImageConfig {
  readonly created?: string;
  readonly author?: string;
  readonly architecture: string;
  readonly os: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] | null };
  readonly history?: readonly HistoryEntry[];
  readonly config: ContainerConfig;
  readonly variant?: string;
}

/**
 * A stage's image while its instructions are applied; `cmdSet` is per stage, not inherited.
 * The history entries its instructions (and its base stages') add are in `log`, after the
 * base image's `image.history`; finishedImage puts them together.
 */
export interface StageImage {
  readonly image: ImageConfig;
  /** A CMD came earlier in this stage, so ENTRYPOINT keeps it. */
  readonly cmdSet: boolean;
  /** The image's Env list when it is this stage's own, to extend in place (see owned). */
  readonly own?: OwnEnv;
  readonly log?: HistoryLog;
  /** Nothing reads this stage's history: none is recorded (see startStage). */
  readonly noHistory?: boolean;
  /**
   * A SHELL instruction ran in this stage or in the stage it starts from. In llbc mode a
   * shell-form RUN runs through the shell only then (a resolved base image's Shell does not count).
   */
  readonly shellSet?: boolean;
}

/** An Env list and where each key is in it: found by a scan, ENV would cost n² over a stage. */
interface OwnEnv {
  readonly list: string[];
  readonly index: Map<string, number>;
}

/**
 * History entries, newest first, each shared by every later state of the stage and by the
 * stages built on it: a list copied per stage or per entry cost 80 MB over 100,000 stages.
 * `createdBy` may be made only when read (see commit).
 */
interface HistoryLog {
  readonly prev: HistoryLog | undefined;
  readonly createdBy: CreatedBy;
  readonly layer: boolean;
}

/** A history entry's text, or how to make it when it is read. */
export type CreatedBy = string | (() => string);

/** A command as CMD, ENTRYPOINT or RUN writes it: JSON form, or shell form to run through SHELL. */
export type CommandLine = { readonly json: readonly string[] } | { readonly shell: string };

export class ImageConfigError extends Error {
  override readonly name = 'ImageConfigError';
}

/** The comment BuildKit's Dockerfile frontend puts on every history entry. */
export const historyComment = 'buildkit.dockerfile.v0';

/** system.DefaultPathEnv as v0.11.6 has it: the PATH a stage gets when its image sets none. */
export function defaultPathEnv(os: string): string {
  return os === 'windows' ? 'c:\\Windows\\System32;c:\\Windows' : '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}

/** defaultShell: what shell-form commands run through when the stage has no SHELL. */
export function defaultShell(os: string): string[] {
  return os === 'windows' ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
}

/** emptyImage: the image of `FROM scratch`. */
export function emptyImage(platform: ImagePlatform): ImageConfig {
  return withPlatform(
    {
      architecture: platform.architecture,
      os: platform.os,
      rootfs: { type: 'layers', diff_ids: null },
      config: { Env: [`PATH=${defaultPathEnv(platform.os)}`], WorkingDir: '/', OnBuild: null },
    },
    platform,
  );
}

/**
 * The image a stage starts from when its base is an image: `resolved` is the configuration a
 * resolver returned (a gateway's ResolveImageConfig; offline there is none, and BuildKit's
 * reference tool resolves every image to an empty one, which `undefined` stands for). As the
 * frontend does, `created` is dropped and PATH is added when the configuration has none.
 */
export function baseImage(resolved: ImageConfig | undefined, platform: ImagePlatform): ImageConfig {
  const image: ImageConfig = resolved
    ? { ...resolved, created: undefined }
    : { architecture: '', os: '', rootfs: { type: 'layers', diff_ids: null }, config: { OnBuild: null } };
  return ensurePath(withPlatform(image, platform), platform.os);
}

/**
 * A stage that starts from `base`: an image from baseImage/emptyImage, or another stage's;
 * recording its history, or none when nobody reads it (`history` false).
 */
export function startStage(base: ImageConfig | StageImage, history = true): StageImage {
  // Shared with the base until the stage first changes its Env (see owned): a copy for each of
  // 100,000 stages raised their peak heap by 64 MB.
  const quiet = history ? {} : { log: undefined, noHistory: true };
  return 'cmdSet' in base ? changed(base, { cmdSet: false, own: undefined, ...quiet }) : changed({ image: base, cmdSet: false }, quiet);
}

/** The stage's image with its whole history. */
export function finishedImage(stage: StageImage): ImageConfig {
  if (!stage.log) return stage.image;
  const added: HistoryEntry[] = [];
  for (let at: HistoryLog | undefined = stage.log; at; at = at.prev) {
    const { createdBy } = at;
    const entry: HistoryEntry = at.layer ? { created_by: '', comment: historyComment } : { created_by: '', comment: historyComment, empty_layer: true };
    if (typeof createdBy === 'string') (entry as { created_by: string }).created_by = createdBy;
    else {
      // Still made only when read: `llbc build` and the language server never read it.
      let text: string | undefined;
      Object.defineProperty(entry, 'created_by', { enumerable: true, get: () => (text ??= createdBy()) });
    }
    added.push(entry);
  }
  return { ...stage.image, history: [...(stage.image.history ?? []), ...added.reverse()] };
}

/**
 * The stage with an Env list of its own, which ENV then extends in place: copying it at each
 * ENV line made a stage of n of them cost n².
 */
function owned(stage: StageImage): StageImage & { readonly own: OwnEnv } {
  if (stage.own) return stage as StageImage & { readonly own: OwnEnv };
  const { image } = stage;
  const list = [...(image.config.Env ?? [])];
  const index = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    const k = envKey(e.includes('=') ? e.slice(0, e.indexOf('=')) : e, image.os);
    if (!index.has(k)) index.set(k, i);
  }
  const own = { list, index };
  return changed(stage, { own, image: { ...image, config: { ...image.config, Env: list } } }) as StageImage & { readonly own: OwnEnv };
}

/**
 * Reads a configuration as a registry or a gateway gives it (JSON of an image config blob).
 * Unknown fields are dropped; a missing `config` is an empty one.
 */
export function parseImageConfig(json: string): ImageConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ImageConfigError(`image config is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new ImageConfigError('image config is not a JSON object');
  const cfg = isObject(raw.config) ? raw.config : {};
  const rootfs = isObject(raw.rootfs) ? raw.rootfs : {};
  return prune({
    created: str(raw.created),
    author: str(raw.author),
    architecture: str(raw.architecture) ?? '',
    os: str(raw.os) ?? '',
    'os.version': str(raw['os.version']),
    'os.features': strs(raw['os.features']),
    rootfs: { type: str(rootfs.type) ?? '', diff_ids: strs(rootfs.diff_ids) ?? null },
    history: Array.isArray(raw.history)
      ? raw.history.filter(isObject).map((h) =>
          prune({ created: str(h.created), created_by: str(h.created_by), author: str(h.author), comment: str(h.comment), empty_layer: h.empty_layer === true || undefined }),
        )
      : undefined,
    config: prune({
      User: str(cfg.User),
      ExposedPorts: emptySet(cfg.ExposedPorts),
      Env: strs(cfg.Env),
      Entrypoint: strs(cfg.Entrypoint),
      Cmd: strs(cfg.Cmd),
      Volumes: emptySet(cfg.Volumes),
      WorkingDir: str(cfg.WorkingDir),
      Labels: isObject(cfg.Labels) ? Object.fromEntries(Object.entries(cfg.Labels).filter(([, v]) => typeof v === 'string')) as Record<string, string> : undefined,
      StopSignal: str(cfg.StopSignal),
      Healthcheck: isObject(cfg.Healthcheck)
        ? prune({ Test: strs(cfg.Healthcheck.Test), Interval: num(cfg.Healthcheck.Interval), Timeout: num(cfg.Healthcheck.Timeout), StartPeriod: num(cfg.Healthcheck.StartPeriod), Retries: num(cfg.Healthcheck.Retries) })
        : undefined,
      ArgsEscaped: cfg.ArgsEscaped === true || undefined,
      OnBuild: strs(cfg.OnBuild) ?? null,
      StopTimeout: num(cfg.StopTimeout),
      Shell: strs(cfg.Shell),
    }),
    variant: str(raw.variant),
  });
}

/** The argv of a command: JSON form as written, shell form appended to the stage's SHELL (withShell). */
export function commandArgs(image: ImageConfig, command: CommandLine): string[] {
  if ('json' in command) return [...command.json];
  const shell = image.config.Shell && image.config.Shell.length > 0 ? [...image.config.Shell] : defaultShell(image.os);
  return [...shell, command.shell];
}

/** ENV: each key replaced where it is, or appended (the frontend's addEnv; see envKey). */
export function applyEnv(shared: StageImage, pairs: readonly (readonly [string, string])[]): StageImage {
  const stage = owned(shared);
  const { list, index } = stage.own;
  for (const [key, value] of pairs) {
    // In place: the configuration holds the stage's own list.
    const k = envKey(key, stage.image.os);
    const i = index.get(k);
    if (i === undefined) index.set(k, list.push(`${key}=${value}`) - 1);
    else list[i] = `${key}=${value}`;
  }
  return commit(stage, () => `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** ARG changes no configuration, only the history. `value` undefined for `ARG NAME`. */
export function applyArg(stage: StageImage, args: readonly (readonly [string, string | undefined])[]): StageImage {
  return commit(stage, () => `ARG ${args.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(' ')}`);
}

export function applyLabel(stage: StageImage, pairs: readonly (readonly [string, string])[]): StageImage {
  const labels: Record<string, string> = { ...(stage.image.config.Labels ?? {}) };
  for (const [key, value] of pairs) labels[key] = value;
  // The history shows each pair as instructions.KeyValuePair.String(): key=value, unquoted.
  return commit(update(stage, { Labels: labels }), () => `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** MAINTAINER sets the image's author, not a label. */
export function applyMaintainer(stage: StageImage, maintainer: string): StageImage {
  return commit(changed(stage, { image: { ...stage.image, author: maintainer } }), () => `MAINTAINER ${maintainer}`);
}

/** EXPOSE with its words already expanded: each becomes `port/proto`, a range one entry a port. */
export function applyExpose(stage: StageImage, ports: readonly string[]): StageImage {
  const exposed: Record<string, Record<string, never>> = { ...(stage.image.config.ExposedPorts ?? {}) };
  const these = new Set<string>();
  for (const spec of ports) {
    for (const port of parsePortSpec(spec)) {
      exposed[port] = {};
      these.add(port);
    }
  }
  // The history prints the parsed ports as Go's %v prints the map: keys sorted, `map[80/tcp:{}]`.
  return commit(update(stage, { ExposedPorts: exposed }), () => `EXPOSE map[${[...these].sort().map((p) => `${p}:{}`).join(' ')}]`);
}

export function applyVolume(stage: StageImage, paths: readonly string[]): StageImage {
  const volumes: Record<string, Record<string, never>> = { ...(stage.image.config.Volumes ?? {}) };
  for (const p of paths) {
    if (p === '') throw new ImageConfigError('VOLUME specified can not be an empty string');
    volumes[p] = {};
  }
  return commit(update(stage, { Volumes: volumes }), () => `VOLUME [${paths.join(' ')}]`);
}

export function applyStopSignal(stage: StageImage, signal: string): StageImage {
  if (!isSignal(signal)) throw new ImageConfigError(`Invalid signal: ${signal}`);
  return commit(update(stage, { StopSignal: signal }), () => `STOPSIGNAL ${signal}`);
}

export function applyUser(stage: StageImage, user: string): StageImage {
  return commit(update(stage, { User: user }), () => `USER ${user}`);
}

/**
 * WORKDIR: a relative path joins the current one (from "/" when there is none) and is cleaned.
 * Returns the absolute directory too. `withLayer` is whether lowering made a mkdir for it (it
 * does unless the directory is "/"), which the history entry records.
 */
export function applyWorkdir(stage: StageImage, path: string, withLayer: boolean): { stage: StageImage; dir: string } {
  const dir = path.startsWith('/') ? path : joinPath('/', stage.image.config.WorkingDir ?? '', path);
  return { stage: commit(update(stage, { WorkingDir: dir }), () => `WORKDIR ${dir}`, withLayer), dir };
}

export function applyShell(stage: StageImage, shell: readonly string[]): StageImage {
  return commit(changed(update(stage, { Shell: [...shell] }), { shellSet: true }), () => `SHELL [${shell.join(' ')}]`);
}

/** CMD: the argv (shell form through SHELL); marks ArgsEscaped, as v0.11.6 does for every CMD. */
export function applyCmd(stage: StageImage, command: CommandLine): StageImage {
  const args = commandArgs(stage.image, command);
  const next = changed(update(stage, { Cmd: args, ArgsEscaped: true }), { cmdSet: true });
  return commit(next, () => `CMD ${goQuoteList(args)}`);
}

/** ENTRYPOINT: the argv (shell form through SHELL); clears Cmd unless this stage already set one. */
export function applyEntrypoint(stage: StageImage, command: CommandLine): StageImage {
  const args = commandArgs(stage.image, command);
  const next = update(stage, stage.cmdSet ? { Entrypoint: args } : { Entrypoint: args, Cmd: undefined });
  return commit(next, () => `ENTRYPOINT ${goQuoteList(args)}`);
}

export interface HealthcheckOptions {
  /** Go duration strings as written in --interval, --timeout, --start-period; --retries as written. */
  readonly interval?: string;
  readonly timeout?: string;
  readonly startPeriod?: string;
  readonly retries?: string;
}

/**
 * HEALTHCHECK NONE, or HEALTHCHECK [options] CMD: JSON form gives ["CMD", ...argv], shell form
 * ["CMD-SHELL", command] (not through SHELL: the runtime picks the shell). Checks the options as
 * the parser does (durations of at least 1ms, retries of at least 1).
 */
export function healthConfig(kind: 'NONE' | 'CMD', command: CommandLine | undefined, options: HealthcheckOptions = {}): HealthConfig {
  if (kind === 'NONE') {
    if (command || Object.values(options).some((v) => v !== undefined)) throw new ImageConfigError('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (!command || ('json' in command ? command.json.length === 0 : command.shell === '')) throw new ImageConfigError('Missing command after HEALTHCHECK CMD');
  const test = 'json' in command ? ['CMD', ...command.json] : ['CMD-SHELL', command.shell];
  let retries: number | undefined;
  if (options.retries !== undefined && options.retries !== '') {
    if (!/^[+-]?\d+$/.test(options.retries)) throw new ImageConfigError(`strconv.ParseInt: parsing ${goQuote(options.retries)}: invalid syntax`);
    retries = Number(options.retries);
    if (retries < 1) throw new ImageConfigError(`--retries must be at least 1 (not ${retries})`);
  }
  return prune({
    Test: test,
    Interval: healthInterval('interval', options.interval),
    Timeout: healthInterval('timeout', options.timeout),
    StartPeriod: healthInterval('start-period', options.startPeriod),
    Retries: retries,
  });
}

export function applyHealthcheck(stage: StageImage, health: HealthConfig): StageImage {
  return commit(update(stage, { Healthcheck: health }), () => `HEALTHCHECK ${goHealthString(health)}`);
}

/** ONBUILD records its instruction text (upper-cased keyword, as the parser gives it); no history entry. */
export function applyOnbuild(stage: StageImage, expression: string): StageImage {
  return update(stage, { OnBuild: [...(stage.image.config.OnBuild ?? []), expression] });
}

/**
 * The ONBUILD triggers a stage inherits from its base (a stage or a resolved image), which
 * lowering dispatches before the stage's own instructions; the stage keeps none of them.
 */
export function takeOnbuildTriggers(stage: StageImage): { triggers: string[]; stage: StageImage } {
  const triggers = [...(stage.image.config.OnBuild ?? [])];
  return { triggers, stage: triggers.length === 0 ? stage : update(stage, { OnBuild: null }) };
}

/**
 * The history entry of an instruction that makes a layer from an op of its own (RUN, COPY, ADD):
 * the frontend marks it ` # buildkit` (commitToHistory with a state).
 */
export function addLayerHistory(stage: StageImage, createdBy: () => CreatedBy): StageImage {
  return commit(
    stage,
    () => {
      const text = createdBy();
      return typeof text === 'string' ? `${text} # buildkit` : () => `${text()} # buildkit`;
    },
    true,
  );
}

/**
 * A RUN's history text (convert.go runCommandString): `RUN`, then the stage's build args as
 * `|N K=V ...` when it has any, then the command's argv joined with spaces.
 */
export function runCreatedBy(argv: readonly string[], buildArgs: readonly (readonly [string, string])[]): string {
  const args = buildArgs.length > 0 ? [`|${buildArgs.length}`, ...buildArgs.map(([k, v]) => `${k}=${v}`)] : [];
  return ['RUN', ...args, ...argv].join(' ');
}

/**
 * The JSON BuildKit's frontend returns as `containerimage.config`: Go's encoding/json of its
 * Image type, so fields in Go's order (the embedded OCI Image's fields, then config, then
 * variant), map keys sorted, empty fields omitted except OnBuild and rootfs.diff_ids (null).
 */
export function imageConfigJSON(image: ImageConfig): string {
  const c = image.config;
  const health = c.Healthcheck && prune({ Test: c.Healthcheck.Test, Interval: c.Healthcheck.Interval || undefined, Timeout: c.Healthcheck.Timeout || undefined, StartPeriod: c.Healthcheck.StartPeriod || undefined, Retries: c.Healthcheck.Retries || undefined });
  const ordered = prune({
    created: image.created,
    author: image.author || undefined,
    architecture: image.architecture,
    os: image.os,
    'os.version': image['os.version'] || undefined,
    'os.features': nonEmpty(image['os.features']),
    rootfs: { type: image.rootfs.type, diff_ids: image.rootfs.diff_ids },
    history: nonEmpty(image.history)?.map((h) => prune({ created: h.created, created_by: h.created_by || undefined, author: h.author || undefined, comment: h.comment || undefined, empty_layer: h.empty_layer || undefined })),
    config: prune({
      User: c.User || undefined,
      ExposedPorts: sortedKeys(c.ExposedPorts),
      Env: nonEmpty(c.Env),
      Entrypoint: nonEmpty(c.Entrypoint),
      Cmd: nonEmpty(c.Cmd),
      Volumes: sortedKeys(c.Volumes),
      WorkingDir: c.WorkingDir || undefined,
      Labels: sortedKeys(c.Labels),
      StopSignal: c.StopSignal || undefined,
      Healthcheck: health,
      ArgsEscaped: c.ArgsEscaped || undefined,
      OnBuild: c.OnBuild ?? null,
      StopTimeout: c.StopTimeout,
      Shell: nonEmpty(c.Shell),
    }),
    variant: image.variant || undefined,
  });
  return JSON.stringify(ordered);
}

/**
 * nat.ParsePortSpec as EXPOSE uses it: `[ip:[hostPort:]]port[-end][/proto]` to `port/proto`
 * entries (proto tcp when absent, lower-cased; tcp, udp or sctp).
 */
export function parsePortSpec(raw: string): string[] {
  const parts = raw.split(':');
  const containerPart = parts[parts.length - 1];
  const slash = containerPart.split('/');
  let proto = 'tcp';
  let port = containerPart;
  if (containerPart === '' || slash[0] === '') port = '';
  else if (slash.length > 1) {
    port = slash[0];
    if (slash[1] !== '') proto = slash[1];
  }
  if (port === '') throw new ImageConfigError(`no port specified: ${raw}<empty>`);
  const range = /^(\d+)(?:-(\d+))?$/.exec(port);
  const start = range ? Number(range[1]) : NaN;
  const end = range?.[2] !== undefined ? Number(range[2]) : start;
  if (!range || start > 65535 || end > 65535 || end < start) throw new ImageConfigError(`invalid containerPort: ${port}`);
  const lower = proto.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(lower)) throw new ImageConfigError(`invalid proto: ${proto}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${lower}`);
  return out;
}

const durationUnits: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(text: string): number {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new ImageConfigError(`time: invalid duration ${goQuote(text)}`);
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== '') {
    const m = part.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
      if (/^[\d.]+$/.test(s)) throw new ImageConfigError(`time: missing unit in duration ${goQuote(text)}`);
      throw new ImageConfigError(`time: ${/^[\d.]/.test(s) ? 'unknown unit' : 'invalid duration'} ${goQuote(text)}`);
    }
    const unit = durationUnits[m[3]];
    total += Number(m[1] || '0') * unit + (m[2] ? Math.round(Number(`0.${m[2]}`) * unit) : 0);
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** Go's time.Duration.String, for history messages. */
export function goDurationString(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    const [unit, div] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = `${trimFraction(u / div)}${unit}`;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    const secs = `${trimFraction(u / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${secs}` : m > 0 ? `${m}m${secs}` : secs;
  }
  return neg ? `-${out}` : out;
}

/** strconv.Quote: Go's double-quoted string literal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (!/\p{L}|\p{M}|\p{N}|\p{P}|\p{S}|\p{Zs}/u.test(ch) || (/\p{Zs}/u.test(ch) && ch !== ' ')) {
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** fmt.Sprintf("%q", *HealthConfig): &{[test...] "interval" "timeout" "start" 'retries'}. */
function goHealthString(h: HealthConfig): string {
  const d = (ns: number | undefined) => goQuote(goDurationString(ns ?? 0));
  const retries = h.Retries ?? 0;
  // %q of an int is a quoted character literal.
  const rune = retries >= 0x20 && retries < 0x7f ? `'${String.fromCharCode(retries) === "'" ? "\\'" : String.fromCharCode(retries)}'` : `'\\x${retries.toString(16).padStart(2, '0')}'`;
  return `&{${goQuoteList(h.Test ?? [])} ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${rune}}`;
}

function healthInterval(flag: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ns = parseGoDuration(value);
  if (ns < 1e6) throw new ImageConfigError(`Interval "${flag}" cannot be less than 1ms`);
  return ns;
}

const signals = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR',
  'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'UNUSED', 'URG', 'USR1', 'USR2', 'VTALRM',
  'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX',
  ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `RTMAX-${14 - i}`),
]);

/** moby/sys/signal.ParseSignal on Linux: a number, or a name with or without SIG. */
function isSignal(s: string): boolean {
  if (/^\d+$/.test(s)) return Number(s) > 0 && Number(s) <= 64;
  return signals.has(s.toUpperCase().replace(/^SIG/, ''));
}

/** An Env key as ENV compares it: exactly, but without case on Windows (addEnv). */
function envKey(key: string, os: string): string {
  return os === 'windows' ? key.toUpperCase() : key;
}

function ensurePath(image: ImageConfig, os: string): ImageConfig {
  const env = image.config.Env ?? [];
  if (env.some((e) => e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')) === 'PATH')) return image;
  return { ...image, config: { ...image.config, Env: [...env, `PATH=${defaultPathEnv(os)}`] } };
}

function withPlatform(image: ImageConfig, platform: ImagePlatform): ImageConfig {
  return { ...image, architecture: platform.architecture, os: platform.os, variant: platform.variant || undefined };
}

function update(stage: StageImage, config: Partial<ContainerConfig>): StageImage {
  return changed(stage, { image: { ...stage.image, config: { ...stage.image.config, ...config } } });
}

/**
 * `createdBy` is called only when the stage records history (`llbc build` records none); what it
 * returns may itself be made only when read: a RUN's text lists every ARG its stage declared so
 * far, n² text over a stage of n lines, which only `llbc config` and a frontend read.
 */
function commit(stage: StageImage, createdBy: () => CreatedBy, withLayer = false): StageImage {
  if (stage.noHistory) return stage;
  return changed(stage, { log: { prev: stage.log, createdBy: createdBy(), layer: withLayer } });
}

/**
 * The stage with some fields changed, made as a literal of every field: V8 gives an object
 * spread and then extended a property store with room to grow, about 280 bytes against 70
 * (40 MB at the peak of 100,000 stages).
 */
function changed(stage: StageImage, c: Partial<StageImage>): StageImage {
  return {
    image: c.image ?? stage.image,
    cmdSet: c.cmdSet ?? stage.cmdSet,
    own: 'own' in c ? c.own : stage.own,
    log: 'log' in c ? c.log : stage.log,
    noHistory: c.noHistory ?? stage.noHistory,
    shellSet: c.shellSet ?? stage.shellSet,
  };
}

function trimFraction(n: number): string {
  return String(Number(n.toFixed(9)));
}

function sortedKeys<T>(record: Readonly<Record<string, T>> | undefined): Record<string, T> | undefined {
  if (!record || Object.keys(record).length === 0) return undefined;
  // Go sorts map keys by bytes; JavaScript's default sort is by UTF-16 units, equal for the BMP.
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

function nonEmpty<T>(list: readonly T[] | undefined): readonly T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/** Drops undefined fields, keeping key order: the shape JSON.stringify then prints. */
function prune<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function strs(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function emptySet(v: unknown): Record<string, Record<string, never>> | undefined {
  return isObject(v) ? Object.fromEntries(Object.keys(v).map((k) => [k, {}])) : undefined;
}
