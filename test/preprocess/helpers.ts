import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtures = path.join(repoRoot, 'fixtures/preprocess');
/** Include dirs every fixture is preprocessed with (relative to the repo root, as given to cpp). */
export const fixtureIncludeDirs = ['fixtures/preprocess/include', 'fixtures/preprocess/next1', 'fixtures/preprocess/next2'];
export const CPP = '/usr/bin/cpp';
export const hasCpp = existsSync(CPP);

/** Run GNU cpp the way the kernel does before dtc (by default with -P: no line markers). */
export function runCpp(file: string, includeDirs: string[], cwd: string, linemarkers = false): Promise<string> {
  const args = ['-nostdinc', ...includeDirs.flatMap((d) => ['-I', d]), '-undef', '-D__DTS__', '-x', 'assembler-with-cpp',
    ...(linemarkers ? [] : ['-P']), file];
  return new Promise((resolve, reject) => {
    execFile(CPP, args, { cwd, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`cpp ${file} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Whitespace-separated token stream (line structure and indentation ignored). */
export function tokenStream(text: string): string[] {
  return text.split(/\s+/).filter((t) => t.length > 0);
}
