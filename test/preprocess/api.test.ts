import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics.js';
import { formatPreprocessed, preprocess, PreprocessCache } from '../../src/preprocess/index.js';
import { fixtureIncludeDirs, fixtures, repoRoot } from './helpers.js';

const includeDirs = fixtureIncludeDirs.map((d) => path.join(repoRoot, d));

/** A readFile over an in-memory tree, counting reads. */
function memoryFs(files: Record<string, string>): { readFile: (p: string) => string; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile: (p: string) => {
      reads.push(p);
      const text = files[p];
      if (text === undefined) throw new Error(`ENOENT ${p}`);
      return text;
    },
  };
}

describe('preprocess API', () => {
  it('applies -D and -U style defines in order, after the predefined macros', () => {
    const fs = memoryFs({ '/m.dts': 'A B __DTS__ F(2)\n#ifdef __DTS__\ndts\n#endif\n' });
    const r = preprocess('/m.dts', {
      includeDirs: [],
      readFile: fs.readFile,
      defines: { A: '1', B: '', 'F(x)': '<x>', __DTS__: null },
    });
    expect(r.text).toBe('1 __DTS__ <2>\n');
  });

  it('lists dependencies, main file first, each once', () => {
    const main = path.join(fixtures, 'includes.dts');
    const r = preprocess(main, { includeDirs });
    expect(r.dependencies[0]).toBe(main);
    expect(r.dependencies).toContain(path.join(fixtures, 'include/dt-bindings/example.h'));
    expect(new Set(r.dependencies).size).toBe(r.dependencies.length);
  });

  it('reads and tokenises each file once when a cache is shared', () => {
    const fs = memoryFs({
      '/a.dts': '#include <h.h>\na = X;\n',
      '/b.dts': '#include <h.h>\nb = X;\n',
      '/inc/h.h': '#ifndef H\n#define H\n#define X 7\n#endif\n',
    });
    const cache = new PreprocessCache();
    expect(preprocess('/a.dts', { includeDirs: ['/inc'], readFile: fs.readFile, cache }).text).toBe('a = 7;\n');
    expect(preprocess('/b.dts', { includeDirs: ['/inc'], readFile: fs.readFile, cache }).text).toBe('b = 7;\n');
    expect(fs.reads.filter((p) => p === '/inc/h.h')).toHaveLength(1);
  });

  it('searches the includer folder only for quoted includes', () => {
    const fs = memoryFs({ '/src/m.dts': '#include <x.h>\n', '/src/x.h': 'local\n', '/inc/x.h': 'system\n' });
    expect(preprocess('/src/m.dts', { includeDirs: ['/inc'], readFile: fs.readFile }).text).toBe('system\n');
    const fs2 = memoryFs({ '/src/m.dts': '#include "x.h"\n', '/src/x.h': 'local\n', '/inc/x.h': 'system\n' });
    expect(preprocess('/src/m.dts', { includeDirs: ['/inc'], readFile: fs2.readFile }).text).toBe('local\n');
  });

  it('reports #warning as a diagnostic and keeps going', () => {
    const fs = memoryFs({ '/w.dts': 'a\n#warning careful now\nb\n' });
    const r = preprocess('/w.dts', { includeDirs: [], readFile: fs.readFile });
    expect(r.text).toBe('a\nb\n');
    expect(r.diagnostics).toEqual([
      { rule: 'cpp/warning', severity: 'warning', message: '#warning careful now', span: { file: '/w.dts', line: 2, column: 2 } },
    ]);
  });

  it('throws a DiagnosticError for a missing input file', () => {
    expect(() => preprocess('/nope.dts', { includeDirs: [], readFile: memoryFs({}).readFile })).toThrow(DiagnosticError);
  });

  it('fails fast, with a DiagnosticError, on pathologically deep input', () => {
    const n = 20_000;
    const fs = memoryFs({
      '/nested.dts': `#define F(x) [x]\n${'F('.repeat(n)}1${')'.repeat(n)}\n`,
      '/parens.dts': `#if ${'('.repeat(n)}1${')'.repeat(n)}\n#endif\n`,
      '/ok.dts': '#define F(x) [x]\nF(F(2))\n',
    });
    const cache = new PreprocessCache();
    for (const file of ['/nested.dts', '/parens.dts']) {
      const started = performance.now();
      expect(() => preprocess(file, { includeDirs: [], readFile: fs.readFile, cache })).toThrow(DiagnosticError);
      expect(performance.now() - started).toBeLessThan(20_000);
    }
    // The shared cache (and its macro definitions) is still sound afterwards.
    expect(preprocess('/ok.dts', { includeDirs: [], readFile: fs.readFile, cache }).text).toBe('[[2]]\n');
  });

  it('honours maxIncludeDepth', () => {
    const fs = memoryFs({ '/r.dts': '#include "r.dts"\n' });
    try {
      preprocess('/r.dts', { includeDirs: [], readFile: fs.readFile, maxIncludeDepth: 5 });
      expect.unreachable();
    } catch (e) {
      expect((e as DiagnosticError).diagnostic).toMatchObject({ rule: 'cpp/include-depth', span: { file: '/r.dts', line: 1 } });
    }
  });
});

describe('line markers (dtc-readable output)', () => {
  const fs = memoryFs({
    '/m.dts': '/dts-v1/;\n#include "h.dtsi"\n\n/ {\n\tx = <1>;\n};\n',
    '/h.dtsi': '/ { y; };\n',
  });

  it('emits GNU-style markers with enter/return flags when linemarkers is on', () => {
    const r = preprocess('/m.dts', { includeDirs: [], readFile: fs.readFile, linemarkers: true });
    expect(r.text).toBe('# 1 "/m.dts"\n/dts-v1/;\n# 1 "/h.dtsi" 1\n/ { y; };\n# 3 "/m.dts" 2\n\n/ {\n x = <1>;\n};\n');
    // Every non-marker line's first token maps to the line the markers claim.
    let file = '';
    let line = 0;
    let offset = 0;
    const mapped: unknown[] = [];
    const claimed: { file: string; line: number }[] = [];
    for (const text of r.text.split('\n')) {
      const m = /^# (\d+) "([^"]*)"/.exec(text);
      if (m) {
        line = Number(m[1]);
        file = m[2]!;
      } else {
        const first = text.search(/\S/);
        if (first >= 0) {
          mapped.push(r.map.lookup(offset + first));
          claimed.push({ file, line });
        }
        line++;
      }
      offset += text.length + 1;
    }
    expect(claimed).toHaveLength(5);
    expect(mapped).toMatchObject(claimed);
  });

  it('formatPreprocessed adds markers to compact output from the map', () => {
    const r = preprocess('/m.dts', { includeDirs: [], readFile: fs.readFile });
    expect(formatPreprocessed(r)).toBe('# 1 "/m.dts"\n/dts-v1/;\n# 1 "/h.dtsi"\n/ { y; };\n# 4 "/m.dts"\n/ {\n x = <1>;\n};\n');
    // Output that already has markers is returned unchanged.
    const marked = preprocess('/m.dts', { includeDirs: [], readFile: fs.readFile, linemarkers: true });
    expect(formatPreprocessed(marked)).toBe(marked.text);
  });

  it('formatPreprocessed is not fooled by a pass-through "# 33" line at the top', () => {
    const hash = memoryFs({ '/p.dts': '# 33 "x"\na;\n' });
    const r = preprocess('/p.dts', { includeDirs: [], readFile: hash.readFile });
    expect(r.text).toBe('# 33 "x"\na;\n');
    expect(formatPreprocessed(r)).toBe('# 1 "/p.dts"\n# 33 "x"\na;\n');
  });
});
