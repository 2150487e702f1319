/**
 * The server with bindings (a folder whose .dtoverlay-check.yaml names them): hover on a property
 * gives its type and description from the node's binding; completion offers the binding's property
 * names and the documented compatible strings.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared.js';
import { TestClient } from './client.js';

describe('lsp with bindings', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dtoc-lsp-bindings-'));
  const board = path.join(folder, 'board.dts');
  let client: TestClient;
  let uri: string;
  let lines: string[];
  const at = (needle: string, offset = 0) => {
    const line = lines.findIndex((l) => l.includes(needle));
    return { line, character: lines[line]!.indexOf(needle) + offset };
  };

  beforeAll(async () => {
    const text = fs.readFileSync(path.join(repoRoot, 'fixtures/schema/board.dts'), 'utf8');
    fs.writeFileSync(board, text.replace('firmware-name = "adsp.mbn";', 'firmware-name = "adsp.mbn";\n\t\tacme,smem-states = <&xo>;'));
    fs.writeFileSync(path.join(folder, '.dtoverlay-check.yaml'), `bindings:\n  - ${path.join(repoRoot, 'fixtures/schema/bindings')}\n`);
    lines = fs.readFileSync(board, 'utf8').split('\n');
    client = TestClient.spawn(process.execPath, ['bin/dtoverlay-check.js', 'lsp', '--stdio']);
    await client.initialize(folder, { debounceMs: 0 });
    uri = client.open(board);
    await client.diagnostics(uri);
  });

  afterAll(async () => {
    if (client) await client.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('hover on a property names its type, description and binding', async () => {
    const type = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: at('firmware-name', 3) });
    expect(type.contents.value).toMatch(/`firmware-name`: string-array/);
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: at('acme,smem-states', 3) });
    expect(hover.contents.value).toMatch(/phandle-array/);
    expect(hover.contents.value).toMatch(/State used to tell the remote processor to stop/);
    expect(hover.contents.value).toMatch(/acme,pas\.yaml/);
  });

  it('completes property names from the node binding and compatible strings', async () => {
    const names = await client.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: at('firmware-name', 0) });
    expect(names.map((n) => n.label)).toContain('acme,smem-states');
    const compatibles = await client.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: at('"acme,soc-adsp-pas"', 1) });
    expect(compatibles.map((n) => n.label)).toEqual(expect.arrayContaining(['acme,soc-adsp-pas', 'acme,smmu']));
  });
});
