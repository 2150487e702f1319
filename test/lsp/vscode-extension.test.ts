/**
 * The VS Code extension (editors/vscode): packaged by scripts/package-vscode.sh into a .vsix, and
 * its server started exactly as the extension's client starts it (server.js: command and args,
 * JSON-RPC on the child's stdio), outside a Linux tree: a folder with its own sources.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared.js';
import { TestClient } from './client.js';

const require = createRequire(import.meta.url);
const extensionDir = path.join(repoRoot, 'editors/vscode');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-vscode-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('VS Code extension', () => {
  it('is packaged as a .vsix by scripts/package-vscode.sh', () => {
    const vsix = path.join(tmp, 'ext.vsix');
    const printed = execFileSync('bash', [path.join(repoRoot, 'scripts/package-vscode.sh'), '--no-deps', vsix], { encoding: 'utf8' });
    expect(printed.trim()).toBe(vsix);
    const listing = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n');
    for (const entry of ['[Content_Types].xml', 'extension.vsixmanifest', 'extension/package.json', 'extension/extension.js', 'extension/server.js']) expect(listing).toContain(entry);
    const manifest = JSON.parse(execFileSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' }));
    expect(manifest.main).toBe('./extension.js');
    expect(manifest.dependencies['vscode-languageclient']).toBeDefined();
    expect(manifest.contributes.languages[0].extensions).toEqual(['.dts', '.dtsi', '.dtso']);
    expect(execFileSync('unzip', ['-p', vsix, 'extension.vsixmanifest'], { encoding: 'utf8' })).toContain(`Version="${manifest.version}"`);
  });

  it('starts the server as the extension client does and gets diagnostics for an open file', async () => {
    const { serverOptions, initializationOptions } = require(path.join(extensionDir, 'server.js'));
    const settings = { get: (name: string) => ({ path: path.join(repoRoot, 'bin/dtoverlay-check.js'), debounceMs: 0, bindings: false })[name] };
    const options = serverOptions(settings) as { command: string; args: string[] };
    expect(options.args).toEqual(['lsp', '--stdio']);
    const folder = path.join(tmp, 'boards');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, '.dtoverlay-check.yaml'), 'soc: sa8775p\n');
    const board = path.join(folder, 'board.dts');
    fs.writeFileSync(board, '/dts-v1/;\n/ {\n\tbad = <&missing>;\n};\n');
    const client = TestClient.spawn(options.command, options.args, folder);
    try {
      await client.initialize(folder, initializationOptions(settings));
      const uri = client.open(board);
      const published = await client.diagnostics(uri);
      const error = published.diagnostics.find((d) => d.severity === 1);
      // dtc names the node that holds the reference: `/ {` on line 2, as `check` prints it
      expect(error?.range.start.line).toBe(1);
      expect(error?.code).toBe('dtc/phandle_references');
      expect(error?.message).toMatch(/missing/);
    } finally {
      expect(await client.close()).toBe(0);
    }
  });
});
