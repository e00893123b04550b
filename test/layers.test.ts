import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './helpers.js';

// Imports in src/ go one way, and never in a circle. The TypeScript compiler's own import
// scanner (preProcessFile) reads every import: type-only ones, re-exports and dynamic import()
// calls included, which is all this needs from a dependency-graph tool.

/**
 * The layers, each with the layers it may import. The top-level files of src/ sit in two:
 * compile.ts and options.ts are the pipeline, which runs syntax, lower, llb and wire in turn
 * for the CLI and debug; diagnostics.ts, gostring.ts and intlist.ts are the base every layer
 * may use, and import nothing of llbc's.
 */
const allowed: Record<string, readonly string[]> = {
  cli: ['lsp', 'frontend', 'debug', 'pipeline', 'lower', 'syntax', 'llb', 'wire', 'base'],
  // The two long-running servers: an editor's and BuildKit's. Each runs the pipeline; neither knows the CLI.
  lsp: ['pipeline', 'lower', 'syntax', 'llb', 'wire', 'base'],
  frontend: ['pipeline', 'lower', 'syntax', 'llb', 'wire', 'base'],
  debug: ['pipeline', 'lower', 'syntax', 'llb', 'wire', 'base'],
  pipeline: ['lower', 'syntax', 'llb', 'wire', 'base'],
  lower: ['syntax', 'llb', 'wire', 'base'],
  syntax: ['base'],
  llb: ['wire', 'base'],
  wire: ['base'],
  base: [],
};

const topLevel: Record<string, string> = {
  'compile.ts': 'pipeline',
  'options.ts': 'pipeline',
  'diagnostics.ts': 'base',
  'gostring.ts': 'base',
  'intlist.ts': 'base',
};

const srcDir = join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each file of src/ (relative to it) with the files of src/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(srcDir)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => {
        const target = resolve(dirname(file), name).replace(/\.js$/, '.ts');
        assert.ok(existsSync(target), `${relative(srcDir, file)} imports ${name}, which is not a file of src/`);
        return relative(srcDir, target);
      });
    graph.set(relative(srcDir, file), [...new Set(targets)]);
  }
  return graph;
}

/** The import cycles: strongly connected components (Tarjan's algorithm) of more than one file, or a file importing itself. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) out.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

function layerOf(file: string): string {
  const [first, ...rest] = file.split(/[\\/]/);
  const layer = rest.length === 0 ? topLevel[first] : first;
  assert.ok(layer && allowed[layer], `src/${file} is in no layer: add it to test/layers.test.ts`);
  return layer;
}

test('the cycle finder finds a cycle, a self-import and nothing in a chain', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
    ['e', ['e']],
    ['f', ['d']],
  ]);
  assert.deepEqual(cycles(graph), [['a', 'b', 'c'], ['e']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', []]])), []);
});

test('no import cycle in src/, type imports and dynamic imports included', () => {
  const graph = importGraph();
  assert.ok(graph.get(join('cli', 'build.ts'))!.includes(join('cli', 'inspect.ts')), 'a dynamic import() is an edge');
  assert.ok(graph.get(join('lower', 'run.ts'))!.includes(join('lower', 'compilation.ts')), 'a type import is an edge');
  assert.deepEqual(cycles(graph), []);
});

test('imports go down the layers: cli, the servers, debug, the pipeline, lower, then syntax and llb, then wire', () => {
  const wrong: string[] = [];
  for (const [file, targets] of importGraph()) {
    const from = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      if (to !== from && !allowed[from].includes(to)) wrong.push(`src/${file} (${from}) imports src/${target} (${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});
