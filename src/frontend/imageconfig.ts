import type { CompiledTarget } from '../compile.js';
import type { Platform } from '../llb/platform.js';

// The image configuration a build's result carries (`containerimage.config`): the base
// image's, with what the target stage changed. This is the seam the image-config model of
// Dockerfile mode replaces: a function of the compiled target and the resolved configuration
// of the image it starts from. Until then only ENV, WORKDIR and USER change it; the rest
// (Entrypoint, Cmd, ExposedPorts, Labels, ...) is the base image's.

/** An OCI image (the JSON an image's config blob holds), loosely: fields llbc does not know are kept as they are. */
export interface OciImage {
  architecture: string;
  os: string;
  variant?: string;
  config: OciConfig;
  rootfs: { type: string; diff_ids: string[] };
  history?: unknown[];
  [field: string]: unknown;
}

export interface OciConfig {
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  [field: string]: unknown;
}

/** The default PATH of a Linux image, which Dockerfile gives a stage FROM scratch (system.DefaultPathEnv). */
export const defaultPathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Dockerfile's configuration of a stage FROM scratch (dockerfile2llb's emptyImage). */
export function emptyImage(platform: Platform): OciImage {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: platform.os === 'windows' ? [] : [defaultPathEnv], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [] },
  };
}

/**
 * The result's configuration: the base's (or scratch's), its Env updated in place by the
 * target's environment as Dockerfile's ENV updates it, its WorkingDir and User the target's.
 * The exporter fills in the layers (rootfs) and the history of the layers the build added.
 */
export function imageConfig(target: Pick<CompiledTarget, 'meta'>, base: OciImage | undefined, platform: Platform): OciImage {
  const from = base ?? emptyImage(platform);
  const { created: _created, ...rest } = from;
  const config: OciConfig = { ...from.config };
  const env = [...(config.Env ?? [])];
  for (const kv of target.meta.env.toArray()) {
    const key = kv.slice(0, kv.indexOf('='));
    const at = env.findIndex((e) => e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')) === key);
    if (at >= 0) env[at] = kv;
    else env.push(kv);
  }
  if (env.length > 0) config.Env = env;
  if (target.meta.dir) config.WorkingDir = target.meta.dir;
  if (target.meta.user) config.User = target.meta.user;
  return {
    ...rest,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config,
    rootfs: { type: 'layers', diff_ids: [] },
    history: from.history ?? [],
  };
}

/** The configuration ResolveImageConfig answered with, checked to be an image's. */
export function parseImageConfig(ref: string, bytes: Uint8Array): OciImage {
  let image: OciImage;
  try {
    image = JSON.parse(Buffer.from(bytes).toString('utf8')) as OciImage;
  } catch (e) {
    throw new Error(`${ref}: the image configuration is not JSON: ${(e as Error).message}`);
  }
  if (typeof image !== 'object' || image === null || Array.isArray(image)) throw new Error(`${ref}: the image configuration is not a JSON object`);
  image.config = typeof image.config === 'object' && image.config !== null ? image.config : {};
  return image;
}

/** What a stage starting from the image inherits (lowering's BaseImage), pinned to its digest. */
export function inheritedFrom(ref: string, digest: string, image: OciImage): { ref?: string; env?: string[]; workingDir?: string; user?: string } {
  const c = image.config;
  return {
    ref: digest && !ref.includes('@') ? `${ref}@${digest}` : undefined,
    env: Array.isArray(c.Env) ? c.Env.filter((e): e is string => typeof e === 'string') : undefined,
    workingDir: typeof c.WorkingDir === 'string' ? c.WorkingDir : undefined,
    user: typeof c.User === 'string' ? c.User : undefined,
  };
}
