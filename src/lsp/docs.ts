import { instructions as table } from '../syntax/instructions.js';
import type { Mode } from './mode.js';

/**
 * What the server says about the language: instructions, their flags and the `--mount` keys,
 * each with one line of documentation, read from the instruction table (src/syntax/instructions.ts):
 * everything else in src/lsp reads the language from this module.
 */

export interface FlagDoc {
  readonly name: string;
  readonly doc: string;
  /** The values it takes, when there is a fixed set. */
  readonly values?: readonly string[];
}

export interface InstructionDoc {
  readonly name: string;
  readonly doc: string;
  readonly usage?: string;
  readonly flags: readonly FlagDoc[];
}

// The instruction table is what every mode accepts; its docs are the hover text.
const instructionList: readonly InstructionDoc[] = table;

const byName = new Map<string, InstructionDoc>(instructionList.map((i) => [i.name, i]));

/** The instructions of a mode (both modes take all of them), in the order completion offers them. */
export function instructions(_mode: Mode): readonly InstructionDoc[] {
  return instructionList;
}

/** An instruction by name, in any case. */
export function instructionDoc(name: string): InstructionDoc | undefined {
  return byName.get(name.toUpperCase());
}

export function flagDoc(instruction: string, flag: string): FlagDoc | undefined {
  return instructionDoc(instruction)?.flags.find((f) => f.name === flag);
}

export interface MountKeyDoc {
  readonly key: string;
  readonly doc: string;
  readonly values?: readonly string[];
  /** The mount types it applies to. */
  readonly types: readonly string[];
}

export const mountTypes: readonly string[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];

export const mountKeys: readonly MountKeyDoc[] = [
  { key: 'type', doc: 'The kind of mount (bind by default).', values: mountTypes, types: mountTypes },
  { key: 'target', doc: 'Where the mount appears; relative paths join the WORKDIR.', types: mountTypes },
  { key: 'source', doc: 'The path within `from` (or the context) to mount; for a secret, its id.', types: ['bind', 'cache', 'secret'] },
  { key: 'from', doc: 'The stage or image to mount from (the build context when left out).', types: ['bind', 'cache'] },
  { key: 'id', doc: 'The cache, secret or SSH agent id.', types: ['cache', 'secret', 'ssh'] },
  { key: 'sharing', doc: 'How concurrent builds share the cache.', values: ['shared', 'private', 'locked'], types: ['cache'] },
  { key: 'rw', doc: 'Makes a bind mount writable (its writes are discarded).', values: ['true', 'false'], types: ['bind'] },
  { key: 'readwrite', doc: 'The same as rw.', values: ['true', 'false'], types: ['bind'] },
  { key: 'ro', doc: 'Makes the mount read-only.', values: ['true', 'false'], types: ['bind', 'cache'] },
  { key: 'readonly', doc: 'The same as ro.', values: ['true', 'false'], types: ['bind', 'cache'] },
  { key: 'size', doc: 'The size limit of a tmpfs (like 64m, 1g).', types: ['tmpfs'] },
  { key: 'env', doc: 'Exposes the secret as this environment variable.', types: ['secret'] },
  { key: 'required', doc: 'Fails the build when the secret or SSH agent is not given.', values: ['true', 'false'], types: ['secret', 'ssh'] },
  { key: 'mode', doc: 'The file mode of the secret or socket, in octal.', types: ['secret', 'ssh'] },
  { key: 'uid', doc: 'The user id that owns the secret or socket.', types: ['secret', 'ssh'] },
  { key: 'gid', doc: 'The group id that owns the secret or socket.', types: ['secret', 'ssh'] },
];

