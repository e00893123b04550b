import { newConstraints, type Constraints } from './constraints.js';
import { joinPath } from './path.js';
import { EnvList } from './env.js';
import type { Platform } from './platform.js';
import type { Output } from './vertex.js';

export type NetMode = 'sandbox' | 'host' | 'none';
export type SecurityMode = 'sandbox' | 'insecure';

/** The values a state carries besides its filesystem: what an exec built on it inherits. */
export interface StateMeta {
  readonly env: EnvList;
  readonly dir?: string;
  readonly user?: string;
  readonly platform?: Platform;
}

const emptyMeta: StateMeta = { env: EnvList.empty };

/**
 * Go's llb.State: an immutable value pairing a filesystem (an op's output, or none for
 * scratch) with metadata. Every method returns a new State, so stages can be shared freely.
 */
export class State {
  private constructor(
    readonly output: Output | undefined,
    readonly meta: StateMeta,
  ) {}

  static scratch(): State {
    return new State(undefined, emptyMeta);
  }

  static of(output: Output | undefined, meta: StateMeta = emptyMeta): State {
    return new State(output, meta);
  }

  withOutput(output: Output | undefined): State {
    return new State(output, this.meta);
  }

  addEnv(key: string, value: string): State {
    return new State(this.output, { ...this.meta, env: this.meta.env.addOrReplace(key, value) });
  }

  /** Relative paths join the current directory, as Go's llb.Dir does; absolute ones are kept verbatim. */
  dir(path: string): State {
    const value = path.startsWith('/') ? path : joinPath(this.meta.dir || '/', path);
    return new State(this.output, { ...this.meta, dir: value });
  }

  user(user: string): State {
    return new State(this.output, { ...this.meta, user });
  }

  platform(platform: Platform): State {
    return new State(this.output, { ...this.meta, platform });
  }

  getDir(): string {
    return this.meta.dir ?? '';
  }

  getEnv(): EnvList {
    return this.meta.env;
  }

  getPlatform(): Platform | undefined {
    return this.meta.platform;
  }
}

/** What a released op holds instead of the state it was built on (see Vertex.release). */
export const released = State.scratch();

/** Options shared by every op constructor: Go's ConstraintsOpt values. */
export interface OpOptions {
  readonly constraints?: Partial<Constraints>;
}

export function opConstraints(opts: OpOptions | undefined): Constraints {
  return newConstraints(opts?.constraints);
}
