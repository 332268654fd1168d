import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readContainedFile } from "../contained-file.js";
import { sha256 } from "../hash.js";
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

/**
 * Reads a template file: the part before `=== USER ===` is the system message, the rest the user
 * message. Returns a problem string when the file cannot be used. Read afresh on every call (once per
 * check, when a rubric loads): `watch` re-reads every input on each run, an edited prompt included.
 */
export function loadTemplate(source: { builtIn: BuiltInTemplate } | { path: string; root: string }): JudgeTemplate | string {
  let path: string;
  let text: string;
  if ("builtIn" in source) {
    path = builtInPath(source.builtIn);
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      return `${path}: cannot read judge prompt: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  } else {
    // A rubric's own prompt file is untrusted input: it stays inside the rubric's folder, capped in size.
    const read = readContainedFile(source.root, source.path, { rootName: "the rubric's folder" });
    if (!read.ok) return `${read.path}: cannot use judge prompt: ${read.problem}`;
    path = read.path;
    text = read.text;
  }
  const parts = text.split(separator);
  if (parts.length !== 2) return `${path}: expected a system part, a line "=== USER ===", then the user part`;
  const name = "builtIn" in source ? source.builtIn : path;
  return { name, path, sha256: sha256(text), system: (parts[0] ?? "").trim(), user: (parts[1] ?? "").trim() };
}

/** Fills `{{name}}` placeholders; values are inserted verbatim (they are fenced by the template). */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? (values[name] ?? "") : whole));
}
