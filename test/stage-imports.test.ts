/**
 * ARCHITECTURE.md: stages meet through src/types.ts and the shared modules at src/'s top level; no two
 * stage folders import each other, directly or round a longer loop. This reads every import of src/
 * (static, `import type` and lazy `import()`) and fails on a cycle between folders, naming the imports
 * that make it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The stage folder a file belongs to (`run` for src/run/x.ts), or null for src/'s shared top level. */
function stageOf(file: string): string | null {
  const parts = relative(src, file).split("/");
  return parts.length > 1 ? (parts[0] ?? null) : null;
}

/** Folder → folder edges, each with one import that makes it. */
function stageImports(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(src)) {
    const from = stageOf(file);
    if (!from) continue;
    for (const match of readFileSync(file, "utf8").matchAll(/(?:\bfrom|\bimport)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = resolve(dirname(file), match[1] ?? "");
      const to = stageOf(target);
      if (!to || to === from) continue;
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, `${relative(src, file)} imports ${relative(src, target)}`);
      edges.set(from, out);
    }
  }
  return edges;
}

/** Every cycle found by a depth-first walk, as the import lines round it. */
function cycles(edges: Map<string, Map<string, string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (stage: string) => {
    state.set(stage, "open");
    path.push(stage);
    for (const next of edges.get(stage)?.keys() ?? []) {
      if (state.get(next) === "open") {
        const loop = [...path.slice(path.indexOf(next)), next];
        found.push(loop.slice(1).map((to, i) => edges.get(loop[i] ?? "")?.get(to) ?? `${loop[i]} → ${to}`));
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(stage, "done");
  };
  for (const stage of [...edges.keys()].sort()) if (!state.has(stage)) visit(stage);
  return found;
}

test("no two stage folders of src/ import each other, directly or through others", () => {
  const edges = stageImports();
  // the walk does see the pipeline's imports (a broken pattern would find no edge and pass vacuously)
  expect(edges.get("gate")?.has("compare")).toBe(true);
  expect(cycles(edges)).toEqual([]);
});

test("the check finds a cycle when there is one", () => {
  const edges = new Map([
    ["a", new Map([["b", "a/x.ts imports b/y.ts"]])],
    ["b", new Map([["c", "b/y.ts imports c/z.ts"]])],
    ["c", new Map([["a", "c/z.ts imports a/x.ts"]])],
  ]);
  expect(cycles(edges)).toEqual([["a/x.ts imports b/y.ts", "b/y.ts imports c/z.ts", "c/z.ts imports a/x.ts"]]);
});
