import type { Platform } from './llb/platform.js';
import type { LocalOptions } from './llb/source.js';
import type { BaseImage, BuildMode, CopyMode } from './lower/compilation.js';
import { Diagnostic } from './diagnostics.js';
import type { BuildFile } from './syntax/cst.js';

export type { BuildMode };

// The compiler's options and defaults, apart from the compiler: the CLI needs them to declare
// its flags, before it knows whether it will compile anything.

export interface CompileOptions {
  readonly buildArgs?: ReadonlyMap<string, string>;
  readonly target?: string;
  readonly platform?: Platform;
  readonly copyImage?: string;
  readonly copyMode?: CopyMode;
  readonly debugInfo?: boolean;
  /** The language of the file; by default its `# mode=` directive, else its name (see modeOfName). */
  readonly mode?: BuildMode;
  /** For a frontend: the `context` local's options, and base images' configurations (see LowerOptions). */
  readonly contextSource?: LocalOptions;
  readonly baseImage?: (ref: string, platform: Platform) => BaseImage | undefined;
}

export const defaultPlatform: Platform = { os: 'linux', architecture: 'amd64' };
export const defaultCopyImage = 'docker.io/library/alpine:latest';

export const buildModes: readonly BuildMode[] = ['llbc', 'dockerfile'];

// `Dockerfile`, `app.Dockerfile`, `Dockerfile.dev` (any case, as editors match them).
const dockerfileName = /(?:^|[/\\])(?:[^/\\]*\.)?dockerfile(?:\.[^/\\]*)?$/i;

/** The mode a file's name implies, when neither `--mode` nor a `# mode=` directive says. */
export function modeOfName(name: string): BuildMode {
  return dockerfileName.test(name) ? 'dockerfile' : 'llbc';
}

/** A `# mode=` directive's value as a mode (`llb` is taken for `llbc`), or undefined when it names none. */
export function parseMode(value: string): BuildMode | undefined {
  const v = value.toLowerCase();
  if (v === 'dockerfile') return 'dockerfile';
  if (v === 'llbc' || v === 'llb') return 'llbc';
  return undefined;
}

/** The mode a file asks for: its `# mode=` directive, else its name's (`Dockerfile`, `x.Dockerfile`, `Dockerfile.x`). */
export function fileMode(file: BuildFile): BuildMode {
  const directive = file.directives.get('mode');
  if (!directive) return modeOfName(file.source.name);
  const mode = parseMode(directive.value);
  if (!mode) throw new Diagnostic(file.source, directive.offset, `unknown mode ${JSON.stringify(directive.value)} in directive: use mode=dockerfile or mode=llbc`);
  return mode;
}
