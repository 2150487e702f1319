import type { PreprocessResult } from './index.js';
import { SegmentMap } from './position-map.js';

function quote(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The preprocessed text with `# N "file"` line markers wherever an output line does not simply
 * follow the previous one, built from the position map. dtc reads these markers and reports its
 * own errors against the original files. Output already carrying line markers is returned as is.
 */
export function formatPreprocessed(result: Pick<PreprocessResult, 'text' | 'map'>): string {
  const text = result.text;
  if (result.map instanceof SegmentMap && result.map.hasLinemarkers) return text;
  let out = '';
  let file = '';
  let line = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      let first = start;
      while (first < end && text.charCodeAt(first) === 0x20) first++;
      const pos = result.map.lookup(first);
      if (pos.file !== file || pos.line !== line + 1) out += `# ${pos.line} ${quote(pos.file)}\n`;
      file = pos.file;
      line = pos.line;
    } else {
      line++;
    }
    out += text.slice(start, end) + '\n';
    start = end + 1;
  }
  return out;
}
