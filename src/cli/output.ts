/** Writing results: to stdout, or to a temporary file in the same folder renamed into place. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeOutputAtomically(file: string, bytes: Uint8Array): void {
  if (file === '-') {
    process.stdout.write(bytes);
    return;
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, bytes);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
