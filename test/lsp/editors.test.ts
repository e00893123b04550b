import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
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
