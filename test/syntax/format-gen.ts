// Generators for the formatter's property tests: valid programs (a model of each instruction's
// words) and arbitrary text, written out with random layout that never changes a logical line.
import fc from 'fast-check';
import { instructionNames, type InstructionName } from '../../src/syntax/instructions.js';

/** A logical instruction: its words, and which gaps may be empty (inside a JSON array). */
export interface Instr {
  readonly kind: 'instruction';
  readonly keyword: InstructionName;
  readonly words: readonly string[];
  readonly joinable?: boolean;
}
export type Line = Instr | { readonly kind: 'comment'; readonly text: string } | { readonly kind: 'blank' } | { readonly kind: 'raw'; readonly text: string };

const comments = ['# note', '#tight', '# RUN echo \\', "# it's", '# ${X}', '#', '# café ☕', '#  spaced   out  ', '# copy=file'];
const shellWords = [
  'hello', 'a=b', '--flag', '-x', '/path/to', '$V', '${V}', '${V:-d  e}', '${NOPE:-x y}', '"$V  z"', "'a  b'",
  '"x\\"y  z"', 'a\\ b', "''", '"a#b"', "'# not a comment'", 'café', '[', ']', '\\$HOME', 'x${V}y', '"${V/1/a  b}"', '${V/1/a  b}',
];
const jsonStrings = ['sh', '-c', 'echo  hi', 'a"b', 'back\\slash', 'tab\tx', 'café', '', '$V'];

const word = (pool: readonly string[]) => fc.constantFrom(...pool);
export const instr = (keyword: InstructionName, words: string[], joinable = false): Instr => ({ kind: 'instruction', keyword, words, joinable });

const runShell = fc
  .tuple(
    fc.shuffledSubarray(['--network=none', '--security=insecure', '--mount=type=cache,target=/c1', '--mount=type=tmpfs,target=/t1,size=1m', '--mount=type=cache,target=/c2,id=two']),
    word(['echo', 'printf', 'true']),
    fc.array(word(shellWords), { maxLength: 5 }),
  )
  .map(([flags, cmd, words]) => [instr('RUN', [...flags, cmd, ...words])]);
// $Q holds a quote: `echo $Q ... x$Q` is one quoted argument, blanks and all.
const runQuoted = fc.array(word(shellWords.filter((w) => !/['"\\]/.test(w))), { maxLength: 4 }).map((words) => [
  instr('ARG', ['Q="\'"']),
  instr('RUN', ['echo', '$Q', ...words, 'x$Q']),
]);
const jsonArray = (strings: string[]) => ['[', ...strings.flatMap((s, i) => (i === 0 ? [JSON.stringify(s)] : [',', JSON.stringify(s)])), ']'];
const runJson = fc.array(word(jsonStrings), { minLength: 1, maxLength: 4 }).map((s) => [instr('RUN', jsonArray(['sh', ...s]), true)]);
const copy = fc
  .tuple(
    fc.shuffledSubarray(['--from={STAGE}', '--chown=1:1', '--chmod=0755']),
    fc.subarray(['a.txt', 'dir/', 'x${V}'], { minLength: 1 }),
    word(['/dest/', 'rel/', '.']),
    fc.boolean(),
  )
  .map(([flags, srcs, dest, json]) => [json ? instr('COPY', [...flags, ...jsonArray([...srcs, dest])], true) : instr('COPY', [...flags, ...srcs, dest])]);
const add = fc.boolean().map((chmod) => [instr('ADD', [...(chmod ? ['--chmod=0644'] : []), 'https://example.com/f.tar.gz', '/opt/'])]);
// Heredoc bodies hold what must not be touched: blanks, tabs, instruction-looking and comment lines.
const bodyLines = ['echo  a   b', '\techo tab', 'FROM nothing', '# not a comment', '', '  indented  ', 'x \\', 'cat > /f <<IN', 'IN', '$V  ${V}'];
const delimiter = word(['EOF', '"EOF"', "'EOF'", '-EOF']);
const heredocBody = (d: string) =>
  fc.array(word(bodyLines), { maxLength: 4 }).map((ls): Line => ({ kind: 'raw', text: [...ls, d.startsWith('-') ? '\tEOF' : 'EOF'].join('\n') }));
const heredocRun = fc
  .tuple(fc.subarray(['--network=none', '--mount=type=cache,target=/c1']), delimiter, word(['', 'cat', 'sh -x']))
  .chain(([flags, d, cmd]) => heredocBody(d).map((body) => [instr('RUN', [...flags, `<<${d}`, ...cmd.split(' ').filter(Boolean)]), body]));
const heredocCopy = fc
  .tuple(fc.subarray(['--chmod=0644', '--chown=1:1']), delimiter, word(['/dest/f', '/dest/']))
  .chain(([flags, d, dest]) => heredocBody(d).map((body) => [instr('COPY', [...flags, `<<${d}`, dest]), body]));
const envNew = fc.subarray(['K1=v', 'K2="a  b"', "K3='c  d'", 'K4=x\\ y', 'P=$V', 'E='], { minLength: 1 }).map((w) => [instr('ENV', w)]);
const envOld = word(['value  with   blanks', 'v', '"q  uoted"  tail']).map((v) => [instr('ENV', ['OLD', v])]);
const arg = fc.subarray(['V=1', 'W="x  y"', 'NAME', 'Z=${V}-z'], { minLength: 1 }).map((w) => [instr('ARG', w)]);
const workdir = word(['/w', '/srv/a  b', 'rel', '$V/x']).map((w) => [instr('WORKDIR', [w])]);
const user = word(['nobody', 'app  user', '1000:1000']).map((w) => [instr('USER', [w])]);
export const comment = word(comments).map((text): Line[] => [{ kind: 'comment', text }]);
export const blank = fc.constant<Line[]>([{ kind: 'blank' }]);

const stage = fc.record({
  platform: fc.boolean(),
  base: word(['alpine', 'busybox:1.36', '${BASE}', '{STAGE}']),
  as: word(['AS', 'as', 'As']),
  before: fc.array(fc.oneof(comment, blank), { maxLength: 2 }),
  body: fc.array(fc.oneof(runShell, runShell, runQuoted, runJson, copy, add, envNew, envOld, arg, workdir, user, comment, blank, heredocRun, heredocCopy), { maxLength: 6 }),
});

export const program = fc.record({
  directive: word(['', '# copy=file', '#COPY = exec ']),
  globals: fc.array(fc.oneof(arg, comment, blank), { maxLength: 2 }),
  stages: fc.array(stage, { minLength: 1, maxLength: 3 }),
});

export function lines(p: typeof program extends fc.Arbitrary<infer T> ? T : never): Line[] {
  const out: Line[] = [];
  if (p.directive) out.push({ kind: 'comment', text: p.directive });
  out.push(instr('ARG', ['BASE=alpine']), ...p.globals.flat());
  p.stages.forEach((s, i) => {
    const earlier = i === 0 ? undefined : `s${i - 1}`;
    const fill = (w: string) => w.replace('{STAGE}', earlier ?? (w.startsWith('--') ? 'busybox' : 'alpine'));
    out.push(...s.before.flat());
    const from = [...(s.platform ? ['--platform=linux/arm64'] : []), fill(s.base), s.as, `s${i}`];
    out.push(instr('FROM', from));
    for (const l of s.body.flat()) out.push(l.kind === 'instruction' ? { ...l, words: l.words.map(fill) } : l);
  });
  return out;
}

/** Rendering choices read from a list of small numbers; all zeros is the plainest rendering. */
export class Noise {
  private i = 0;
  constructor(private readonly values: readonly number[]) {}
  next(n: number): number {
    if (this.values.length === 0) return 0;
    return this.values[this.i++ % this.values.length] % n;
  }
  pick<T>(options: readonly T[]): T {
    return options[this.next(options.length)];
  }
}

/**
 * Writes lines out with random spacing, keyword case, continuations (with comment, blank and
 * lone-backslash lines inside), words broken across lines, trailing blanks, CRLF and a missing
 * final newline, all without changing any instruction's logical line.
 */
export function render(ls: readonly Line[], noise: Noise): string {
  const eol = noise.next(5) === 4 ? '\r\n' : '\n';
  const blanks = () => noise.pick(['', ' ', '\t ']);
  let out = '';
  for (const l of ls) {
    if (l.kind === 'blank') out += `${noise.pick(['', ' '])}\n`;
    else if (l.kind === 'raw') out += `${l.text}\n`;
    else if (l.kind === 'comment') out += `${blanks()}${l.text}${blanks()}\n`;
    else {
      out += blanks() + caseOf(l.keyword, noise) + gap(noise, false);
      l.words.forEach((w, i) => {
        if (i > 0) out += gap(noise, l.joinable === true);
        out += breakWord(w, noise);
      });
      out += `${blanks()}\n`;
    }
  }
  if (noise.next(4) === 3) out = out.replace(/\n$/, '');
  return eol === '\n' ? out : out.replace(/\n/g, '\r\n');
}

function caseOf(keyword: string, noise: Noise): string {
  switch (noise.next(4)) {
    case 1:
      return keyword.toLowerCase();
    case 2:
      return keyword[0] + keyword.slice(1).toLowerCase();
    case 3:
      return [...keyword].map((c, i) => (i % 2 ? c.toLowerCase() : c)).join('');
    default:
      return keyword;
  }
}

/** Blanks between two words: never empty unless `joinable`, the logical blanks kept non-empty. */
function gap(noise: Noise, joinable: boolean): string {
  const kind = noise.next(7);
  if (kind === 6 && joinable) return '';
  if (kind < 4) return [' ', '  ', '\t', ' \t '][kind];
  let logical = '';
  const before = noise.pick(['', ' ', '  ']);
  logical += before;
  let s = `${before}\\${noise.pick(['', ' ', '\t'])}\n`;
  for (let n = noise.next(3); n > 0; n--) {
    const ws = noise.pick(['', ' ', '  ']);
    const lines = [`${ws}# inside${noise.pick(['', ' '])}\n`, `${ws}\n`, `${ws}\\\n`];
    const kind = noise.next(3);
    // A comment or blank line inside a continuation goes whole, its indentation too; a line of
    // blanks and a backslash keeps its blanks.
    if (kind === 2) logical += ws;
    s += lines[kind];
  }
  let after = noise.pick(['', '    ', '\t', '  ']);
  if (logical + after === '' && !joinable) after = ' ';
  return s + after;
}

/** Sometimes breaks a word with `\` and no blanks (it stays one word); a line may not start a comment. */
function breakWord(w: string, noise: Noise): string {
  if (w.length < 2 || noise.next(8) !== 7) return w;
  const at = 1 + noise.next(w.length - 1);
  if (/^[ \t]*#/.test(w.slice(at))) return w;
  return `${w.slice(0, at)}\\\n${noise.pick(['', '#c\n', '\n'])}${w.slice(at)}`;
}

const soupChars = ['a', 'b', ' ', ' ', '\t', '\r', '\u00a0', '"', "'", '\\', '$', '{', '}', ':', '-', '/', '#', '[', ']', ',', '=', '%', 'x'];
const soupWord = fc.oneof(
  fc.string({ unit: fc.constantFrom(...soupChars), minLength: 1, maxLength: 6 }),
  word(['--network=none', '--mount=type=cache,target=/c', '--x', '--from=0', '--chmod=0755', '$Q', 'A=1', '["a", "b"]']),
);
export const soupLine: fc.Arbitrary<Line[]> = fc.oneof(
  fc.tuple(fc.constantFrom(...instructionNames), fc.array(soupWord, { minLength: 1, maxLength: 5 })).map(([k, w]) => [instr(k, w, true)]),
  comment,
  blank,
);
