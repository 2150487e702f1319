/** The bundled example that `dtoverlay-check check` runs with no arguments (README's first command). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this module (src/… or dist/cli.js) with our package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && /"name":\s*"dtoverlay-check"/.test(fs.readFileSync(pkg, 'utf8'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the dtoverlay-check package folder');
    dir = up;
  }
}

export function bundledExample(): { base: string; overlays: string[]; soc: string } {
  const root = packageRoot();
  return {
    base: path.join(root, 'fixtures/example/lemans-mini.dts'),
    overlays: [path.join(root, 'overlays/lemans-mini-el2.dtso')],
    soc: 'sa8775p',
  };
}
