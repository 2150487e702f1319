/**
 * `git diff` output split into files and hunks, each line with its line number on the side it
 * belongs to: what `--format mail` needs to put a finding under the quoted line it is about.
 */

export interface DiffLine {
  /** The line as in the diff, with its ' ', '+', '-' or '\' marker. */
  text: string;
  /** Line number in the file before the patch (context and '-' lines). */
  oldLine?: number;
  /** Line number in the file after the patch (context and '+' lines). */
  newLine?: number;
}

export interface DiffHunk {
  /** The `@@ -a,b +c,d @@ …` line. */
  header: string;
  lines: DiffLine[];
}

export interface DiffFile {
  /** `diff --git` and the lines up to the first hunk (index, mode, ---, +++). */
  header: string[];
  /** Paths relative to the tree; undefined for /dev/null (file added or deleted). */
  oldPath?: string;
  newPath?: string;
  hunks: DiffHunk[];
}

function pathOf(line: string, prefix: string): string | undefined {
  const name = line.slice(4).replace(/\t.*$/, '');
  if (name === '/dev/null') return undefined;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

export function parseUnifiedDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let hunk: DiffHunk | undefined;
  let oldLine = 0;
  let newLine = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const m = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
      file = { header: [line], oldPath: m?.[1], newPath: m?.[2], hunks: [] };
      files.push(file);
      hunk = undefined;
      continue;
    }
    if (!file) continue;
    const range = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (range) {
      hunk = { header: line, lines: [] };
      file.hunks.push(hunk);
      oldLine = Number(range[1]);
      newLine = Number(range[2]);
      continue;
    }
    if (!hunk) {
      if (line === '') continue;
      file.header.push(line);
      if (line.startsWith('--- ')) file.oldPath = pathOf(line, 'a/');
      else if (line.startsWith('+++ ')) file.newPath = pathOf(line, 'b/');
      continue;
    }
    if (line.startsWith('+')) hunk.lines.push({ text: line, newLine: newLine++ });
    else if (line.startsWith('-')) hunk.lines.push({ text: line, oldLine: oldLine++ });
    else if (line.startsWith(' ')) hunk.lines.push({ text: line, oldLine: oldLine++, newLine: newLine++ });
    else if (line.startsWith('\\')) hunk.lines.push({ text: line });
    // Anything else (the blank line that ends the output) ends the hunk.
    else hunk = undefined;
  }
  return files;
}
