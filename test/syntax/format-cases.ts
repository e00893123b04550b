// What the formatter tests share: every fixture with its compile options, and the checks that
// say formatting kept a file's meaning and its comments.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CompileOptions } from '../../src/compile.js';
import { isDiagnostic, SourceFile } from '../../src/diagnostics.js';
import { parsePlatform } from '../../src/llb/platform.js';
import { format } from '../../src/syntax/format.js';
import type { Item } from '../../src/syntax/cst.js';
import { parse } from '../../src/syntax/parser.js';
import { compileText, fixturesDir } from '../helpers.js';

export interface Fixture {
  readonly path: string;
  /** Relative to fixtures/, for test names. */
  readonly name: string;
  readonly text: string;
  readonly options: CompileOptions;
}

/** Every .llb file under fixtures/, with the options of its .args file if it has one. */
export function allFixtures(): Fixture[] {
  const out: Fixture[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.llb')) {
        const argsPath = `${path.slice(0, -4)}.args`;
        const args = existsSync(argsPath) ? readFileSync(argsPath, 'utf8').trim().split(/\s+/).filter(Boolean) : [];
        out.push({ path, name: relative(fixturesDir, path), text: readFileSync(path, 'utf8'), options: optionsFromArgs(args) });
      }
    }
  };
  walk(fixturesDir);
  return out;
}

/** The build command's flags, as a .args file holds them, turned into compile options. */
export function optionsFromArgs(args: readonly string[]): CompileOptions {
  const buildArgs = new Map<string, string>();
  let options: CompileOptions = {};
  for (let i = 0; i < args.length; i++) {
    // Both `--flag value` and `--flag=value`.
    const eq = args[i].indexOf('=');
    const flag = args[i].startsWith('--') && eq > 0 ? args[i].slice(0, eq) : args[i];
    const value = () => (flag === args[i] ? args[++i] : args[i].slice(eq + 1));
    if (flag === '--build-arg') {
      const v = value();
      const e = v.indexOf('=');
      buildArgs.set(e < 0 ? v : v.slice(0, e), e < 0 ? (process.env[v] ?? '') : v.slice(e + 1));
    } else if (flag === '--platform') options = { ...options, platform: parsePlatform(value()) };
    else if (flag === '--target') options = { ...options, target: value() };
    else if (flag === '--copy') options = { ...options, copyMode: value() as 'exec' | 'file' };
    else if (flag === '--copy-image') options = { ...options, copyImage: value() };
    else if (flag !== '--no-debug-info') throw new Error(`the format tests do not know the build flag ${flag}`);
  }
  return { ...options, buildArgs };
}

/** What compiling gives: the Definition's bytes, or the error's message (positions aside). */
export function compileOutcome(text: string, options: CompileOptions = {}): string {
  try {
    return `bytes ${compileText(text, options).toString('hex')}`;
  } catch (e) {
    if (!isDiagnostic(e)) throw e;
    return `error ${e.message}`;
  }
}

export function formatText(text: string, name = 'build.llb', mode: 'llbc' | 'dockerfile' = 'llbc'): string {
  return format(parse(new SourceFile(name, text)), { mode });
}

/** Every Dockerfile of the corpus (fixtures/dockerfile/NAME/Dockerfile), with its options.json. */
export function dockerfileFixtures(): Fixture[] {
  const corpus = join(fixturesDir, 'dockerfile');
  return readdirSync(corpus, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(corpus, e.name, 'Dockerfile')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const path = join(corpus, name, 'Dockerfile');
      const optionsPath = join(corpus, name, 'options.json');
      const o = existsSync(optionsPath) ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as { target?: string; platform?: string; buildArgs?: Record<string, string> }) : {};
      const options: CompileOptions = {
        mode: 'dockerfile',
        target: o.target,
        platform: o.platform ? parsePlatform(o.platform) : undefined,
        buildArgs: new Map(Object.entries(o.buildArgs ?? {})),
      };
      return { path, name: relative(fixturesDir, path), text: readFileSync(path, 'utf8'), options };
    });
}

/**
 * Every comment of a file in order: own-line ones and those inside continuations. Trailing
 * blanks are not part of a comment; directives compare as `# key=value`.
 */
export function commentsOf(text: string): string[] {
  const file = parse(new SourceFile('build.llb', text));
  const directives = new Map([...file.directives].map(([k, d]) => [d.offset, `# ${k}=${d.value}`]));
  const out: string[] = [];
  for (const item of file.items) {
    if (item.kind === 'comment') out.push(directives.get(item.token.offset) ?? item.token.text.replace(/[ \t]+$/, ''));
    else if (item.kind === 'instruction') {
      for (const t of item.body) if (t.kind === 'comment') out.push(t.text.replace(/[ \t]+$/, ''));
    }
  }
  return out;
}

/**
 * The layout rules of the canonical style that can be checked on any output: upper-case
 * keywords, no trailing blanks, a final newline, no runs of blank lines, and a blank line (above
 * any comments that belong to it) before every FROM that does not start the file.
 */
export function styleProblems(text: string): string[] {
  const problems: string[] = [];
  if (text === '') return problems;
  if (!text.endsWith('\n')) problems.push('no final newline');
  if (text.endsWith('\n\n')) problems.push('blank line at the end');
  const file = parse(new SourceFile('build.llb', text));
  // Heredoc bodies are written as they are: the rules are for the other lines.
  const bodyLines = new Set<number>();
  for (const item of file.items) {
    if (item.kind !== 'instruction') continue;
    for (const t of item.body) {
      if (t.kind !== 'heredoc') continue;
      const count = t.text.split('\n').length - (t.text.endsWith('\n') ? 1 : 0);
      for (let l = t.line; l < t.line + count; l++) bodyLines.add(l);
    }
  }
  if (text.startsWith('\n\n')) problems.push('more than one blank line in a row');
  const physical = text.split('\n');
  physical.forEach((line, i) => {
    if (bodyLines.has(i + 1)) return;
    if (/[ \t]$/.test(line)) problems.push(`line ${i + 1} has trailing blanks`);
    if (line === '' && i > 0 && physical[i - 1] === '' && !bodyLines.has(i) && i + 1 < physical.length) problems.push('more than one blank line in a row');
  });
  const items = file.items;
  const directiveOffsets = new Set([...file.directives.values()].map((d) => d.offset));
  const isDirective = (item: Item) => item.kind === 'comment' && directiveOffsets.has(item.token.offset);
  items.forEach((item, i) => {
    if (item.kind !== 'instruction') return;
    if (item.keyword.text !== item.name) problems.push(`keyword ${item.keyword.text} is not upper-case`);
    if (item.name !== 'FROM') return;
    // Comments directly above the FROM belong to it; the blank line goes above them.
    let k = i;
    while (k > 0 && items[k - 1].kind === 'comment' && !isDirective(items[k - 1])) k--;
    const before = items[k - 1];
    if (before !== undefined && before.kind !== 'blank' && !isDirective(before)) {
      problems.push(`no blank line before the FROM on line ${item.startLine}`);
    }
  });
  return problems;
}
