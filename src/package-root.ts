import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * The folder of modelgate's package.json, found by walking up from this module: the same answer when
 * running from src/ (tests), from the bundle in dist/ (whichever chunk this lands in), and from an
 * install under node_modules/. Files shipped beside the code (package.json, the judge prompts) are
 * read relative to it.
 */
export function packageRoot(): string {
  if (root === undefined) {
    // fileURLToPath, not `.pathname`: an install path with a space would stay percent-encoded.
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return root;
}
