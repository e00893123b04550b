import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot, runCli } from '../helpers.js';

// The VS Code extension under editors/vscode: plain files, checked here as far as they can be
// without VS Code.
const dir = join(repoRoot, 'editors', 'vscode');
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
  main: string;
  contributes: { languages: { id: string; extensions: string[]; configuration: string }[]; grammars: { language: string; scopeName: string; path: string }[] };
};

test('the extension ships the project grammar itself, for .llb files', () => {
  const [grammar] = manifest.contributes.grammars;
  assert.equal(realpathSync(join(dir, grammar.path)), realpathSync(join(repoRoot, 'grammar', 'llbc.tmLanguage.json')));
  const tm = JSON.parse(readFileSync(join(dir, grammar.path), 'utf8')) as { scopeName: string; fileTypes: string[] };
  assert.equal(grammar.scopeName, tm.scopeName);
  const language = manifest.contributes.languages.find((l) => l.id === grammar.language);
  assert.ok(language);
  assert.deepEqual(language.extensions, tm.fileTypes.map((t) => `.${t}`));
  JSON.parse(readFileSync(join(dir, language.configuration), 'utf8'));
});

test('the extension starts `llbc lsp --stdio`, and is valid JavaScript', () => {
  const source = readFileSync(join(dir, manifest.main), 'utf8');
  assert.match(source, /args: \['lsp', '--stdio'\]/);
  const r = spawnSync(process.execPath, ['--check', join(dir, manifest.main)]);
  assert.equal(r.status, 0, r.stderr.toString());
});

test('llbc lsp says what it needs without --stdio, and writes nothing to standard output', () => {
  const r = runCli(['lsp']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--stdio/);
  assert.equal(r.stdout.length, 0);
});

/** What the extension hands the language client, when activated with these settings. */
function activate(settings: Record<string, unknown>): { server: { command: string; args: string[] }; documentSelector: unknown[] } {
  const require = createRequire(import.meta.url);
  const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  let made: { server: { command: string; args: string[] }; documentSelector: unknown[] } | undefined;
  // Stand-ins for the two modules only VS Code provides: its API's settings, and the client class.
  const stand: Record<string, unknown> = {
    vscode: { workspace: { getConfiguration: (section: string) => ({ get: (key: string) => (section === 'llbc' ? settings[key] : undefined) }) } },
    'vscode-languageclient/node': {
      LanguageClient: class {
        constructor(_id: string, _name: string, server: { command: string; args: string[] }, client: { documentSelector: unknown[] }) {
          made = { server, documentSelector: client.documentSelector };
        }
        start() {
          return Promise.resolve();
        }
      },
    },
  };
  const load = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    return Object.hasOwn(stand, request) ? stand[request] : load.call(this, request, ...rest);
  };
  try {
    const main = join(dir, manifest.main);
    delete require.cache[main];
    void (require(main) as { activate: () => Promise<void> }).activate();
  } finally {
    Module._load = load;
  }
  assert.ok(made);
  return made;
}

test('the extension serves .llb files, and Dockerfiles when llbc.dockerfiles is set; its settings are the README\'s', () => {
  assert.deepEqual(activate({}), { server: { command: 'llbc', args: ['lsp', '--stdio'] }, documentSelector: [{ language: 'llbc' }] });
  assert.deepEqual(activate({ dockerfiles: true, path: '/opt/llbc' }), {
    server: { command: '/opt/llbc', args: ['lsp', '--stdio'] },
    documentSelector: [{ language: 'llbc' }, { language: 'dockerfile' }],
  });
  const properties = Object.keys((manifest.contributes as unknown as { configuration: { properties: Record<string, unknown> } }).configuration.properties);
  const editors = /^## Editors\n([\s\S]*?)\n## /m.exec(readFileSync(join(repoRoot, 'README.md'), 'utf8'))![1];
  const named = new Set([...editors.matchAll(/`(llbc\.[a-z]+)`/g)].map((m) => m[1]));
  assert.deepEqual([...named].sort(), [...properties].sort());
});
