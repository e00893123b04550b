'use strict';
// The llbc extension: starts `llbc lsp --stdio` for .llb files (and, if asked, Dockerfiles).
// Plain JavaScript, so there is nothing to build: `npm install` here, then link or package the folder.
const { workspace } = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

exports.activate = function activate() {
  const config = workspace.getConfiguration('llbc');
  const documentSelector = [{ language: 'llbc' }];
  if (config.get('dockerfiles')) documentSelector.push({ language: 'dockerfile' });
  client = new LanguageClient('llbc', 'llbc', { command: config.get('path') || 'llbc', args: ['lsp', '--stdio'] }, { documentSelector });
  return client.start();
};

exports.deactivate = function deactivate() {
  return client && client.stop();
};
