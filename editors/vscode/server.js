// How the extension starts the server: `dtoverlay-check lsp --stdio`, JSON-RPC on the child's
// stdin/stdout (vscode-languageclient's default transport for an Executable). Kept apart from
// extension.js, which needs the `vscode` module, so the tests start the server exactly this way.
'use strict';

/** `settings.get(name)` reads the `dtoverlay-check.*` configuration. */
function serverOptions(settings) {
  const command = settings.get('path') || 'dtoverlay-check';
  return { command, args: ['lsp', '--stdio'] };
}

function initializationOptions(settings) {
  const options = {};
  const bindings = settings.get('bindings');
  if (bindings === true || Array.isArray(bindings)) options.bindings = bindings;
  const debounceMs = settings.get('debounceMs');
  if (typeof debounceMs === 'number') options.debounceMs = debounceMs;
  return options;
}

module.exports = { serverOptions, initializationOptions };
