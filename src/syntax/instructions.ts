/**
 * Every instruction of the language, declared once. The lexer's keywords, flag checking, the
 * formatter's flag order and argument layout, step numbering, the scan for stages a stage uses,
 * the EBNF keyword line and the editor grammar's keyword regexes (both generated: `npm run
 * grammar`) all read this table; a language server's hover text is its `doc` and `usage`.
 *
 * Adding an instruction: a row here, a lowering function in src/lower/ registered in
 * `handlers` (src/lower/instructions.ts, which the type checker holds to this table), tests.
 */

/**
 * How a flag takes its value. `value`: `--name=value`, at most once. `repeatable`:
 * `--name=value`, any number of times, kept in order. `boolean`: `--name` alone or
 * `--name=true|false` (Go's strconv.ParseBool spellings), at most once.
 */
export type FlagKind = 'value' | 'repeatable' | 'boolean';

export interface FlagSpec {
  /** Without the leading `--`. */
  readonly name: string;
  readonly kind: FlagKind;
  /** One line, for hover text and the EBNF. */
  readonly doc: string;
  /**
   * The whole value names a stage (by name or index) or else an image. A stage named by a
   * plain word is lowered before the instruction's stage; one named through variables is asked
   * for when the instruction is lowered.
   */
  readonly stageRef?: boolean;
  /** The values it takes, where there is a fixed set (completion offers them). */
  readonly values?: readonly string[];
}

/**
 * Whether the arguments may be a JSON array of strings (`["a", "b"]`, taken literally).
 * `required` is for instructions that take nothing else (SHELL).
 */
export type JsonForm = 'none' | 'allowed' | 'required';

/**
 * How the arguments after the flags are split, which decides where the formatter may print any
 * run of blanks as one space (elsewhere it keeps the whitespace exactly):
 * - `fields`: split on blanks, quotes or not (FROM, COPY, ADD);
 * - `shell`: a command line split like a shell's words (RUN);
 * - `assignments`: `NAME[=value]` words, split on blanks outside quotes (ARG);
 * - `name-value`: as `assignments`, or a name then the rest of the line as its value (ENV);
 * - `whole`: the rest of the line is one value (WORKDIR, USER).
 */
export type ArgsLayout = 'fields' | 'shell' | 'assignments' | 'name-value' | 'whole';

export interface InstructionSpec {
  /** Upper case; keywords match it in any case. */
  readonly name: string;
  /** One line, for hover text. */
  readonly doc: string;
  /** The synopsis, as the README and hover text show it. */
  readonly usage: string;
  /** In the canonical order, which the formatter sorts flags into (flags of one name keep the order written: mounts are made in it). */
  readonly flags: readonly FlagSpec[];
  readonly json: JsonForm;
  readonly layout: ArgsLayout;
  /**
   * Counts as a step (`[stage 2/5]` in step names): the instruction makes an op, as Dockerfile
   * counts them. FROM counts only when its base is an image.
   */
  readonly step: boolean;
  /**
   * Its shell form may open heredocs (`<<EOF`), whose bodies follow the line (also as an ONBUILD
   * trigger): RUN runs them through the shell, COPY and ADD copy them as files.
   */
  readonly heredocs?: boolean;
}

// `as const satisfies`: the names stay literal types (InstructionName), and each row is checked.
export const instructions = [
  {
    name: 'FROM',
    doc: 'Starts a build stage from an image, an earlier stage or scratch, optionally naming it.',
    usage: 'FROM [--platform=os/arch[/variant]] <image | stage | scratch> [AS <name>]',
    flags: [{ name: 'platform', kind: 'value', doc: 'the platform of the image, and of every op of the stage', values: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/386', 'linux/ppc64le', 'linux/s390x', 'linux/riscv64'] }],
    json: 'none',
    layout: 'fields',
    step: true,
  },
  {
    name: 'RUN',
    doc: 'Runs a command in the stage (an ExecOp); in llbc mode a shell runs only when the command names one or SHELL was set.',
    usage: 'RUN [--mount=...]... [--network=...] [--security=...] <command | ["exec", "form"]>',
    flags: [
      { name: 'mount', kind: 'repeatable', doc: 'a mount for this command: type=bind|cache|tmpfs|secret|ssh,target=...' },
      { name: 'network', kind: 'value', doc: 'the network for this command: default, none or host', values: ['default', 'none', 'host'] },
      { name: 'security', kind: 'value', doc: 'the security mode for this command: sandbox or insecure', values: ['sandbox', 'insecure'] },
    ],
    json: 'allowed',
    layout: 'shell',
    step: true,
    heredocs: true,
  },
  {
    name: 'COPY',
    doc: 'Copies files from the build context, a stage or an image into the stage.',
    usage: 'COPY [--from=<stage | image>] [--chown=<user>[:<group>]] [--chmod=<mode>] [--link] <src>... <dest>',
    flags: [
      { name: 'from', kind: 'value', doc: 'copy from this stage (name or index) or image instead of the build context', stageRef: true },
      { name: 'chown', kind: 'value', doc: 'the owner of the copied files: user, user:group, uid or uid:gid' },
      { name: 'chmod', kind: 'value', doc: 'the mode of the copied files, in octal' },
      { name: 'link', kind: 'boolean', doc: 'copy into a layer of its own (BuildKit v0.11.6 makes the same ops either way)' },
      { name: 'exclude', kind: 'repeatable', doc: 'leave out source paths matching this pattern (a Dockerfile needs BuildKit v0.13)' },
    ],
    json: 'allowed',
    layout: 'fields',
    step: true,
    heredocs: true,
  },
  {
    name: 'ADD',
    doc: 'Copies local files, downloads http(s) URLs or clones git repositories into the stage.',
    usage: 'ADD [--chown=<user>[:<group>]] [--chmod=<mode>] [--link] <src | URL | git URL[#ref]>... <dest>',
    flags: [
      { name: 'chown', kind: 'value', doc: 'the owner of the added files: user, user:group, uid or uid:gid' },
      { name: 'chmod', kind: 'value', doc: 'the mode of the added files, in octal' },
      { name: 'link', kind: 'boolean', doc: 'add into a layer of its own (BuildKit v0.11.6 makes the same ops either way)' },
      { name: 'checksum', kind: 'value', doc: 'the digest a downloaded file must have, like sha256:... (a Dockerfile needs BuildKit v0.12)' },
      { name: 'keep-git-dir', kind: 'boolean', doc: 'keep the .git directory of a cloned repository (a Dockerfile needs BuildKit v0.12)' },
      { name: 'exclude', kind: 'repeatable', doc: 'leave out source paths matching this pattern (a Dockerfile needs BuildKit v0.13)' },
    ],
    json: 'allowed',
    layout: 'fields',
    step: true,
    heredocs: true,
  },
  {
    name: 'ENV',
    doc: 'Sets environment variables for the commands that follow.',
    usage: 'ENV <name>=<value>... | ENV <name> <value>',
    flags: [],
    json: 'none',
    layout: 'name-value',
    step: false,
  },
  {
    name: 'ARG',
    doc: 'Declares build variables, with optional defaults; --build-arg overrides them.',
    usage: 'ARG <name>[=<default>]...',
    flags: [],
    json: 'none',
    layout: 'assignments',
    step: false,
  },
  {
    name: 'WORKDIR',
    doc: 'Sets the working directory of the commands that follow; relative paths join the previous one.',
    usage: 'WORKDIR <path>',
    flags: [],
    json: 'none',
    layout: 'whole',
    step: false,
  },
  {
    name: 'USER',
    doc: 'Sets the user the commands that follow run as.',
    usage: 'USER <user>[:<group>]',
    flags: [],
    json: 'none',
    layout: 'whole',
    step: false,
  },
  {
    name: 'SHELL',
    doc: 'Sets the shell that the shell form of RUN, CMD and ENTRYPOINT runs through (the image records it too).',
    usage: 'SHELL ["executable", "parameters"...]',
    flags: [],
    json: 'required',
    layout: 'whole',
    step: false,
  },
  {
    name: 'CMD',
    doc: "The image's default command (its arguments when it has an ENTRYPOINT); makes no op.",
    usage: 'CMD <command> | CMD ["exec", "form"]',
    flags: [],
    json: 'allowed',
    layout: 'whole',
    step: false,
  },
  {
    name: 'ENTRYPOINT',
    doc: 'The command the image runs, with CMD as its arguments; resets a CMD of the base image; makes no op.',
    usage: 'ENTRYPOINT <command> | ENTRYPOINT ["exec", "form"]',
    flags: [],
    json: 'allowed',
    layout: 'whole',
    step: false,
  },
  {
    name: 'EXPOSE',
    doc: 'Records the ports the image listens on (port[-end][/tcp|udp|sctp]); makes no op.',
    usage: 'EXPOSE <port>[/<protocol>]...',
    flags: [],
    json: 'none',
    layout: 'fields',
    step: false,
  },
  {
    name: 'LABEL',
    doc: "Adds metadata to the image's configuration; makes no op.",
    usage: 'LABEL <key>=<value>... | LABEL <key> <value>',
    flags: [],
    json: 'none',
    layout: 'name-value',
    step: false,
  },
  {
    name: 'VOLUME',
    doc: "Records mount points for volumes in the image's configuration; makes no op.",
    usage: 'VOLUME <path>... | VOLUME ["path", ...]',
    flags: [],
    json: 'allowed',
    layout: 'fields',
    step: false,
  },
  {
    name: 'STOPSIGNAL',
    doc: 'The signal that stops a container of the image (a name like SIGTERM, or a number); makes no op.',
    usage: 'STOPSIGNAL <signal>',
    flags: [],
    json: 'none',
    layout: 'whole',
    step: false,
  },
  {
    name: 'HEALTHCHECK',
    doc: 'How a container of the image checks that it still works, or NONE to turn off the base image\'s check; makes no op.',
    usage: 'HEALTHCHECK [--interval=<duration>] [--timeout=<duration>] [--start-period=<duration>] [--retries=<n>] CMD <command> | HEALTHCHECK NONE',
    flags: [
      { name: 'interval', kind: 'value', doc: 'the time between checks, a Go duration like 30s (default 30s)' },
      { name: 'timeout', kind: 'value', doc: 'how long a check may take, a Go duration like 10s (default 30s)' },
      { name: 'start-period', kind: 'value', doc: 'the start-up time during which failures do not count, a Go duration like 5s' },
      { name: 'retries', kind: 'value', doc: 'the failures in a row that make the container unhealthy (default 3)' },
    ],
    json: 'none',
    layout: 'whole',
    step: false,
  },
  {
    name: 'ONBUILD',
    doc: 'An instruction recorded in the image, to run when a later build (or stage) starts FROM it.',
    usage: 'ONBUILD <instruction>',
    flags: [],
    json: 'none',
    layout: 'whole',
    step: false,
  },
  {
    name: 'MAINTAINER',
    doc: "Sets the image's author (deprecated in Dockerfile: prefer LABEL); makes no op.",
    usage: 'MAINTAINER <name>',
    flags: [],
    json: 'none',
    layout: 'whole',
    step: false,
  },
] as const satisfies readonly InstructionSpec[];

export type InstructionName = (typeof instructions)[number]['name'];

export const instructionNames: readonly InstructionName[] = instructions.map((i) => i.name);

/** The instructions whose shell form may open heredocs. */
export const heredocInstructionNames: readonly InstructionName[] = instructions.filter((i: InstructionSpec) => i.heredocs).map((i) => i.name);

/** A row with its flags by name, made once per instruction. */
export interface InstructionInfo extends InstructionSpec {
  readonly name: InstructionName;
  readonly flagsByName: ReadonlyMap<string, FlagSpec>;
  /** The flags' names, in the canonical order. */
  readonly flagNames: readonly string[];
  /** The flags with `stageRef`. */
  readonly stageRefFlags: readonly FlagSpec[];
}

const byName = new Map<string, InstructionInfo>(
  instructions.map((row: InstructionSpec & { name: InstructionName }) => [
    row.name,
    {
      ...row,
      flagsByName: new Map(row.flags.map((f) => [f.name, f])),
      flagNames: row.flags.map((f) => f.name),
      stageRefFlags: row.flags.filter((f) => f.stageRef),
    },
  ]),
);

/** The row of an instruction. */
export function instruction(name: InstructionName): InstructionInfo {
  return byName.get(name)!;
}

/** The row of an instruction named in any case, if the language has it. */
export function findInstruction(name: string): InstructionInfo | undefined {
  return byName.get(name.toUpperCase());
}
