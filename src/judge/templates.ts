import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { sha256 } from "../load/variants.js";
import { packageRoot } from "../package-root.js";

/** A judge prompt: instructions (system) and the data layout (user), with `{{placeholders}}`. */
export interface JudgeTemplate {
  name: string;
  path: string;
  sha256: string;
  system: string;
  user: string;
}

export const builtInTemplates = ["pointwise", "pairwise", "refusal"] as const;
export type BuiltInTemplate = (typeof builtInTemplates)[number];

const separator = /^=== USER ===\s*$/m;

/** Where the bundled templates live: `src/judge/prompts/` (shipped with the package, read at run time). */
function builtInPath(name: BuiltInTemplate): string {
  return join(packageRoot(), "src", "judge", "prompts", `${name}.md`);
}

const cache = new Map<string, JudgeTemplate | string>();

/**
 * Reads a template file: the part before `=== USER ===` is the system message, the rest the user
 * message. Returns a problem string when the file cannot be used.
 */
export function loadTemplate(source: { builtIn: BuiltInTemplate } | { path: string }): JudgeTemplate | string {
  const path = "builtIn" in source ? builtInPath(source.builtIn) : resolve(source.path);
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  let result: JudgeTemplate | string;
  try {
    const text = readFileSync(path, "utf8");
    const parts = text.split(separator);
    if (parts.length !== 2) result = `${path}: expected a system part, a line "=== USER ===", then the user part`;
    else {
      const name = "builtIn" in source ? source.builtIn : path;
      result = { name, path, sha256: sha256(text), system: (parts[0] ?? "").trim(), user: (parts[1] ?? "").trim() };
    }
  } catch (error) {
    result = `${path}: cannot read judge prompt: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  cache.set(path, result);
  return result;
}

/** Fills `{{name}}` placeholders; values are inserted verbatim (they are fenced by the template). */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? (values[name] ?? "") : whole));
}
