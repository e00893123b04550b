import { parsePlatform, PlatformError, type Platform } from '../llb/platform.js';

// What buildkitd tells a frontend it runs, through its environment (as BuildKit's Go
// grpcclient reads it), and the options of `buildctl build --opt`, as BuildKit's Dockerfile
// frontend reads them.

export interface FrontendEnv {
  /** The build's options: `BUILDKIT_FRONTEND_OPT_<n>=key=value`. */
  readonly opts: ReadonlyMap<string, string>;
  /** The client's session, which holds its local directories. */
  readonly sessionID: string;
  /** The daemon's workers' platforms, first worker first (BUILDKIT_WORKERS), if it said. */
  readonly workerPlatforms: readonly Platform[];
}

export function readFrontendEnv(env: NodeJS.ProcessEnv): FrontendEnv {
  const opts = new Map<string, string>();
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('BUILDKIT_FRONTEND_OPT_') || v === undefined) continue;
    const eq = v.indexOf('=');
    // An option without `=` is a key with an empty value, as Go's client reads it.
    opts.set(eq < 0 ? v : v.slice(0, eq), eq < 0 ? '' : v.slice(eq + 1));
  }
  return { opts, sessionID: env.BUILDKIT_SESSION_ID ?? '', workerPlatforms: workerPlatforms(env.BUILDKIT_WORKERS) };
}

/** BUILDKIT_WORKERS: a JSON list of Go client.WorkerInfo, whose platforms are OCI platforms. */
function workerPlatforms(json: string | undefined): Platform[] {
  try {
    const workers = JSON.parse(json ?? '[]') as { Platforms?: { os?: string; architecture?: string; variant?: string }[] }[];
    const first = Array.isArray(workers) ? workers[0]?.Platforms ?? [] : [];
    return first.filter((p) => p.os && p.architecture).map((p) => ({ os: p.os!, architecture: p.architecture!, ...(p.variant ? { variant: p.variant } : {}) }));
  } catch {
    return [];
  }
}

export interface FrontendOptions {
  /** The build file's name in the build-definition local. */
  readonly filename: string;
  /** The local the build file is read from (the context is always the `context` local, which llbc's COPY names). */
  readonly dockerfileLocal: string;
  readonly target?: string;
  readonly buildArgs: ReadonlyMap<string, string>;
  /** The platforms to build for; several make a multi-platform result. Empty: the worker's. */
  readonly platforms: readonly Platform[];
  /** How ResolveImageConfig looks images up: `default`, `pull` or `local`. */
  readonly imageResolveMode: string;
  /** A map of results keyed by platform, even for one platform. */
  readonly multiPlatform: boolean;
}

/** An option BuildKit's Dockerfile frontend would also refuse. */
export class OptionError extends Error {}

export function frontendOptions(opts: ReadonlyMap<string, string>): FrontendOptions {
  const buildArgs = new Map<string, string>();
  for (const [k, v] of opts) if (k.startsWith('build-arg:')) buildArgs.set(k.slice('build-arg:'.length), v);
  const mode = opts.get('image-resolve-mode') || 'default';
  if (!['default', 'pull', 'local'].includes(mode)) throw new OptionError(`invalid image-resolve-mode: ${mode}`);
  return {
    // BuildKit's Dockerfile frontend hands a file whose first line is `# syntax=IMAGE` to
    // that image with `cmdline` and `source` added: the file is then the Dockerfile's.
    filename: opts.get('filename') || (opts.has('cmdline') ? 'Dockerfile' : 'build.llb'),
    dockerfileLocal: opts.get('dockerfilekey') || 'dockerfile',
    target: opts.get('target') || undefined,
    buildArgs,
    platforms: (opts.get('platform') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '').map(platformOption),
    imageResolveMode: mode,
    multiPlatform: opts.get('multi-platform') === 'true',
  };
}

function platformOption(spec: string): Platform {
  try {
    return parsePlatform(spec);
  } catch (e) {
    if (e instanceof PlatformError) throw new OptionError(`platform ${JSON.stringify(spec)}: ${e.message}`);
    throw e;
  }
}
