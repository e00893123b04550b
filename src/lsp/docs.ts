import type { Mode } from './mode.js';

/**
 * What the server says about the language: instructions, their flags and the `--mount` keys,
 * each with one line of documentation. The one module the declarative instruction table (issue
 * 13) replaces: everything else reads the language from here.
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
  readonly flags: readonly FlagDoc[];
  /** Only in Dockerfile mode (an image-config instruction). */
  readonly dockerfileOnly?: boolean;
}

const instructionList: readonly InstructionDoc[] = [
  {
    name: 'FROM',
    doc: 'Starts a build stage from an image, an earlier stage or `scratch`; `AS name` names the stage.',
    flags: [{ name: 'platform', doc: 'The platform of the image and of every op of the stage (os/arch[/variant]).', values: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/386', 'linux/ppc64le', 'linux/s390x', 'linux/riscv64'] }],
  },
  {
    name: 'RUN',
    doc: 'Runs a command (an ExecOp); the shell form is split like a shell would, but runs without one.',
    flags: [
      { name: 'mount', doc: 'Mounts a cache, tmpfs, secret, SSH agent socket or bind mount for this command (repeatable).' },
      { name: 'network', doc: 'The network for this command only.', values: ['default', 'none', 'host'] },
      { name: 'security', doc: 'The security mode for this command only.', values: ['sandbox', 'insecure'] },
    ],
  },
  {
    name: 'COPY',
    doc: 'Copies files from the build context, a stage or an image into the stage.',
    flags: [
      { name: 'from', doc: 'Copy from a stage (by name or index) or an image instead of the build context.' },
      { name: 'chown', doc: 'The owner of the copied files: user, user:group, uid or uid:gid.' },
      { name: 'chmod', doc: 'The mode of the copied files, in octal (like 0755).' },
    ],
  },
  {
    name: 'ADD',
    doc: 'Like COPY, and also downloads http(s) URLs and clones git repositories.',
    flags: [
      { name: 'chown', doc: 'The owner of the added files: user, user:group, uid or uid:gid.' },
      { name: 'chmod', doc: 'The mode of the added files, in octal (like 0755).' },
    ],
  },
  { name: 'ENV', doc: 'Sets environment variables for later instructions and commands (`ENV K=V ...`).', flags: [] },
  { name: 'ARG', doc: 'Declares a build variable, with an optional default; before the first FROM it is global.', flags: [] },
  { name: 'WORKDIR', doc: 'Sets the working directory of later instructions; relative paths join the previous one.', flags: [] },
  { name: 'USER', doc: 'Sets the user later commands run as.', flags: [] },
];

/** Image-config instructions, which only Dockerfile mode accepts (issue 14 compiles them). */
const dockerfileOnly: readonly InstructionDoc[] = [
  ['CMD', 'The default command of the image.'],
  ['ENTRYPOINT', 'The command the image runs, with CMD as its arguments.'],
  ['EXPOSE', 'Documents the ports the image listens on.'],
  ['LABEL', 'Adds metadata to the image (`LABEL key=value ...`).'],
  ['VOLUME', 'Declares mount points for volumes in the image.'],
  ['STOPSIGNAL', 'The signal that stops a container of the image.'],
  ['HEALTHCHECK', 'How to check that a container of the image still works.'],
  ['SHELL', 'The shell that the shell form of RUN, CMD and ENTRYPOINT runs in.'],
  ['ONBUILD', 'An instruction to run when the image is used as a base.'],
  ['MAINTAINER', 'The author of the image (deprecated; use a LABEL).'],
].map(([name, doc]) => ({ name, doc, flags: [], dockerfileOnly: true }));

const byName = new Map<string, InstructionDoc>([...instructionList, ...dockerfileOnly].map((i) => [i.name, i]));

/** The instructions of a mode, in the order completion offers them. */
export function instructions(mode: Mode): readonly InstructionDoc[] {
  return mode === 'dockerfile' ? [...instructionList, ...dockerfileOnly] : instructionList;
}

/** An instruction by name, in any case, whichever mode accepts it. */
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

