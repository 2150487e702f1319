/**
 * `dtoverlay-check lsp --stdio` driven over JSON-RPC as an editor drives it, on a Linux-layout tree
 * from ../shared/kernel-dt: diagnostics on open, after a fix, hover on an SMMU stream, definition,
 * symbols, completion, the did-you-mean code action.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared } from '../support/shared.js';
import { linkedKernelTree } from '../kernel/tree.js';
import { TestClient, type PublishedDiagnostics } from './client.js';

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };

describe.skipIf(!hasShared)('lsp over stdio on a Linux tree', () => {
  let root: string;
  let client: TestClient;
  let overlay: string;
  let uri: string;
  let text: string;
  const misspelt = () => text.replace('&remoteproc_adsp {', '&remoteproc_adspp {');
  /** 0-based line and character of `needle` in `text`. */
  const at = (needle: string, offset = 0) => {
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes(needle));
    return { line, character: lines[line]!.indexOf(needle) + offset };
  };
  const errors = (p: PublishedDiagnostics) => p.diagnostics.filter((d) => d.severity === 1);

  beforeAll(async () => {
    root = linkedKernelTree();
    overlay = path.join(root, 'arch/arm64/boot/dts/qcom/lemans-el2.dtso');
    text = fs.readFileSync(overlay, 'utf8');
    client = TestClient.spawn(process.execPath, ['bin/dtoverlay-check.js', 'lsp', '--stdio']);
    const init = await client.initialize(root, { debounceMs: 50 });
    expect(init.capabilities.hoverProvider).toBe(true);
  });

  afterAll(async () => {
    if (client) expect(await client.close()).toBe(0);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('publishes an error on the line of a misspelt label, with the did-you-mean fix; fixing it clears it', async () => {
    // the buffer, not the disk, is checked
    uri = client.open(overlay, misspelt());
    const line = at('&remoteproc_adsp {').line;
    const published = await client.diagnostics(uri, (p) => errors(p).length > 0);
    const error = errors(published).find((d) => d.code === 'overlay/apply');
    expect(error?.range.start.line).toBe(line);
    expect(error?.message).toMatch(/remoteproc_adspp/);
    expect(fs.readFileSync(overlay, 'utf8')).toBe(text);

    const actions = await client.request<{ title: string; edit: { changes: Record<string, { range: Range; newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: error!.range,
      context: { diagnostics: [error] },
    });
    expect(actions[0]?.title).toBe("Change 'remoteproc_adspp' to 'remoteproc_adsp'");
    expect(actions[0]?.edit.changes[uri]?.[0]).toEqual({ range: { start: { line, character: 1 }, end: { line, character: 17 } }, newText: 'remoteproc_adsp' });

    client.change(uri, 2, text);
    const fixed = await client.diagnostics(uri, (p) => p.version === 2);
    expect(errors(fixed)).toEqual([]);
  });

  it('hover on a stream ID of iommus names the SMMU and the stream-match entry', async () => {
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: at('0x3000', 2) });
    expect(hover.contents.value).toMatch(/stream 0x3000/);
    expect(hover.contents.value).toMatch(/SMMU: `apps_smmu`/);
    expect(hover.contents.value).toMatch(/stream-match entry \d+: id 0x3000/);
  });

  it('hover on a phandle reference gives the node path and where the label is defined', async () => {
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: at('&remoteproc_adsp {', 3) });
    expect(hover.contents.value).toMatch(/`\/soc@0\/remoteproc@30000000`/);
    expect(hover.contents.value).toMatch(/lemans\.dtsi:\d+/);
  });

  it('go to definition on &remoteproc_adsp lands on remoteproc_adsp: in lemans.dtsi', async () => {
    const locations = await client.request<{ uri: string; range: Range }[]>('textDocument/definition', { textDocument: { uri }, position: at('&remoteproc_adsp {', 5) });
    expect(locations).toHaveLength(1);
    const target = fs.realpathSync(new URL(locations[0]!.uri));
    expect(path.basename(target)).toBe('lemans.dtsi');
    const line = fs.readFileSync(target, 'utf8').split('\n')[locations[0]!.range.start.line]!;
    expect(line.slice(locations[0]!.range.start.character)).toMatch(/^remoteproc_adsp: remoteproc@/);
  });

  it('find references lists the overlay and the base', async () => {
    const refs = await client.request<{ uri: string }[]>('textDocument/references', { textDocument: { uri }, position: at('&remoteproc_adsp {', 5), context: { includeDeclaration: true } });
    const files = new Set(refs.map((r) => path.basename(new URL(r.uri).pathname)));
    expect(files).toContain('lemans-el2.dtso');
    expect(files).toContain('lemans.dtsi');
  });

  it('document symbols list the fragments', async () => {
    const symbols = await client.request<{ name: string; detail?: string; children?: { name: string }[] }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => `${s.name} ${s.detail}`)).toEqual([
      '&gpu_zap_shader fragment@0',
      '&iris fragment@1',
      '&remoteproc_adsp fragment@2',
      '&remoteproc_cdsp0 fragment@3',
      '&remoteproc_cdsp1 fragment@4',
      '&remoteproc_gpdsp0 fragment@5',
      '&remoteproc_gpdsp1 fragment@6',
    ]);
    expect(symbols[2]!.children?.map((c) => c.name)).toEqual(['iommus']);
  });

  it('completion after & offers the labels of the base', async () => {
    const items = await client.request<{ label: string; detail?: string }[]>('textDocument/completion', { textDocument: { uri }, position: at('&remoteproc_adsp {', 1) });
    const labels = items.map((i) => i.label);
    expect(labels).toContain('apps_smmu');
    expect(labels).toContain('remoteproc_cdsp0');
    expect(items.find((i) => i.label === 'apps_smmu')?.detail).toBe('/soc@0/iommu@15000000');
  });

  it('workspace symbols find labels', async () => {
    const symbols = await client.request<{ name: string; location: { uri: string } }[]>('workspace/symbol', { query: 'apps_smm' });
    expect(symbols.map((s) => s.name)).toContain('apps_smmu');
  });

  it('a .dtsi is checked through a board that includes it, its outline from that board', async () => {
    const dtsi = path.join(root, 'arch/arm64/boot/dts/qcom/lemans.dtsi');
    const dtsiUri = pathToFileURL(dtsi).href;
    client.open(dtsi);
    await client.diagnostics(dtsiUri);
    const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri: dtsiUri } });
    expect(symbols.map((s) => s.name)).toContain('/');
  });
});
