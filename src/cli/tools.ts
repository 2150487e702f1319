/** `dtoverlay-check dtc …` / `fdtoverlay …`: the bundled real programs, with their own arguments. */
import { runTool, type BundledTool } from '../dtc-wasm/index.js';

export function runBundledTool(tool: BundledTool, args: string[]): number {
  // stdin is read only when the program asks for it ("-" as an input file).
  const result = runTool(tool, args, { echo: true, stdin: 'inherit' });
  return result.status;
}
