/**
 * Building the tree a simulation runs on: a base (source or blob) with overlays applied as
 * fdtoverlay would, keeping which properties the overlays set (their spans are overlay lines).
 * An overlay that names a label the base lacks is OVL-01 (overlay-labels-exist), not a crash.
 */
import * as path from 'node:path';
import type { Diagnostic, Span } from '../diagnostics.js';
import type { Node, Property, Tree } from '../tree/model.js';
import { limitError, limitsWith } from '../limits.js';
import type { SourceOptions } from '../overlay/inputs.js';
import { finding } from './rules.js';

export interface Composition {
  tree?: Tree;
  changed: Set<Property>;
  /** Nodes an overlay fragment targeted, with the fragment's span. */
  targeted?: Map<Node, Span>;
  overlays: string[];
  diagnostics: Diagnostic[];
  /** dtc's warnings from compiling sources. */
  messages: string[];
}

export async function loadComposition(baseFile: string, overlayFiles: string[], options: SourceOptions): Promise<Composition> {
  const maxOverlays = limitsWith(options.limits).overlays;
  // before compiling any of them
  if (overlayFiles.length > maxOverlays) throw limitError('overlays', `${overlayFiles.length} overlays`, maxOverlays, { file: overlayFiles[maxOverlays]!, line: 1, column: 1 });
  const { loadTree } = await import('../overlay/inputs.js');
  const base = await loadTree(baseFile, options);
  const overlays = [];
  for (const file of overlayFiles) overlays.push(await loadTree(file, options));
  const messages = [base, ...overlays].flatMap((l) => l.messages);
  const names = overlayFiles.map((f) => path.basename(f));
  if (!overlays.length) return { tree: base.tree, changed: new Set(), overlays: [], diagnostics: [], messages };
  const { applyOverlays } = await import('../overlay/apply.js');
  const { OverlayError } = await import('../overlay/errors.js');
  try {
    const applied = applyOverlays(
      base.tree,
      overlays.map((o) => ({ tree: o.tree, name: o.file })),
      { maxOverlays },
    );
    return { tree: applied.tree, changed: applied.touched, targeted: applied.targeted, overlays: names, diagnostics: [], messages };
  } catch (err) {
    if (!(err instanceof OverlayError)) throw err;
    const d = err.diagnostic;
    if (err.code === 'FDT_ERR_NOTFOUND' && /label '/.test(d.message)) {
      return {
        changed: new Set(),
        overlays: names,
        messages,
        diagnostics: [finding('pas/overlay-labels-exist', `${d.message.replace(/^failed to apply '[^']*': /, `${path.basename(err.overlay)}: `)}`, { path: d.path, property: d.property, span: d.span })],
      };
    }
    return { changed: new Set(), overlays: names, messages, diagnostics: [d] };
  }
}
