import type { Platform } from './llb/platform.js';
import type { LocalOptions } from './llb/source.js';
import type { BaseImage, CopyMode } from './lower/compilation.js';

// The compiler's options and defaults, apart from the compiler: the CLI needs them to declare
// its flags, before it knows whether it will compile anything.

export interface CompileOptions {
  readonly buildArgs?: ReadonlyMap<string, string>;
  readonly target?: string;
  readonly platform?: Platform;
  readonly copyImage?: string;
  readonly copyMode?: CopyMode;
  readonly debugInfo?: boolean;
  /** For a frontend: the `context` local's options, and base images' configurations (see LowerOptions). */
  readonly contextSource?: LocalOptions;
  readonly baseImage?: (ref: string, platform: Platform) => BaseImage | undefined;
}

export const defaultPlatform: Platform = { os: 'linux', architecture: 'amd64' };
export const defaultCopyImage = 'docker.io/library/alpine:latest';
