// The VS Code client of `dtoverlay-check lsp`: starts the server for .dts/.dtsi/.dtso files of the
// workspace (a Linux tree, or a folder with .dtoverlay-check.yaml) and stops it with the editor.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { serverOptions, initializationOptions } = require('./server.js');

let client;

async function activate(context) {
  const settings = vscode.workspace.getConfiguration('dtoverlay-check');
  client = new LanguageClient('dtoverlay-check', 'dtoverlay-check', serverOptions(settings), {
    documentSelector: [{ scheme: 'file', language: 'devicetree' }],
    initializationOptions: initializationOptions(settings),
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.dts,*.dtsi,*.dtso,*.h,Makefile}') },
  });
  context.subscriptions.push(client);
  await client.start();
}

function deactivate() {
  return client && client.stop();
}

module.exports = { activate, deactivate };
