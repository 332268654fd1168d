/**
 * The plan's traffic as cases in time order (SPEC §11 `traffic:`): traffic files by glob, or production
 * logs imported on the fly into a scratch traffic file (the same `modelgate import` pipeline, so the
 * same dialects, arms and tags). Every line is validated as `eval --traffic` validates it.
 */
import { statSync } from "node:fs";
import { basename, join } from "node:path";
import { globSync } from "tinyglobby";
import { createSchemaCompiler } from "../checks/schema-compiler.js";
import { UserError } from "../errors.js";
import { loadTraffic } from "../load/traffic-file.js";
import { displayName } from "../paths.js";
import { importFormats } from "../traffic/import/index.js";
import { issueLines, runImport } from "../traffic/import/pipeline.js";
import type { FormatReader } from "../traffic/import/types.js";
import type { EvalCase } from "../types.js";
import type { TrafficSource } from "./plan.js";

export interface CanaryTraffic {
  cases: EvalCase[];
  /** the files read, as shown in reports */
  files: string[];
  warnings: string[];
}

/** Absolute globs → the files they match, sorted; a glob matching nothing is an input error. */
export function expandGlobs(globs: readonly string[], what: string): string[] {
  const files: string[] = [];
  for (const glob of globs) {
    // tinyglobby matches relative to cwd; every glob here is absolute, so match it from its own root.
    const matched = globSync(glob, { absolute: true, onlyFiles: true, expandDirectories: false }).sort();
    if (matched.length === 0) throw new UserError(`${what}: ${displayName(glob)} matches no file`);
    for (const file of matched) if (!files.includes(file)) files.push(file);
  }
  return files;
}

/**
 * Reads the plan's traffic. `scratch` is where an import spec's traffic file is written (the state
 * folder for analyze/run, a temporary folder for simulate); `models` fills an import spec's missing
 * `arms:` from the plan's variants when arms are told apart by model.
 */
export async function readCanaryTraffic(
  source: TrafficSource,
  options: { scratch: string; models: { baseline?: string; candidate?: string } },
): Promise<CanaryTraffic> {
  const warnings: string[] = [];
  let files: string[];
  let shown: string[];
  if (source.kind === "files") {
    files = expandGlobs(source.globs, "traffic");
    shown = files.map((f) => displayName(f));
  } else {
    const inputs = expandGlobs(source.paths, "traffic.path");
    const out = join(options.scratch, "imported.traffic.jsonl");
    const armBy = source.arm_by ?? "model";
    const arms = { ...(armBy === "model" ? options.models : {}), ...source.arms };
    const result = await runImport((importFormats as Record<string, FormatReader>)[source.format] as FormatReader, {
      format: source.format,
      files: inputs,
      out,
      armBy,
      arms,
      tags: Object.entries(source.tags).map(([name, path]) => ({ name, path })),
      seed: 1,
      dedupe: false,
      redact: false,
      strict: false,
    });
    if (result.unreadable.length > 0)
      throw new UserError(
        `traffic: the logs cannot be imported:\n${issueLines(result.unreadable)
          .map((l) => `  ${l}`)
          .join("\n")}`,
      );
    warnings.push(...result.warnings);
    if (result.dropCount > 0)
      warnings.push(`traffic: ${result.dropCount} log record(s) dropped on import (first: ${issueLines(result.drops, 3).join("; ")})`);
    files = [out];
    shown = inputs.map((f) => `${displayName(f)} (${source.format})`);
  }
  const schemas = createSchemaCompiler();
  const cases: EvalCase[] = [];
  const ids = new Set<string>();
  for (const file of files) {
    const dataset = await loadTraffic(file, displayName(file), schemas);
    warnings.push(...dataset.warnings);
    for (const testCase of dataset.cases) {
      // Ids are unique within a file; across rotated or per-host files a repeated id is told apart by its file.
      if (ids.has(testCase.id)) testCase.id = `${testCase.id}@${basename(file)}`;
      ids.add(testCase.id);
      cases.push(testCase);
    }
  }
  cases.sort((a, b) => tsOf(a) - tsOf(b));
  return { cases, files: shown, warnings };
}

/** A traffic case's time, epoch ms. */
export function tsOf(testCase: EvalCase): number {
  return Date.parse(testCase.traffic?.ts ?? "");
}

/** What changes when the traffic does: each source file's path, size and mtime (a cheap "anything new?"). */
export function trafficSignature(source: TrafficSource): string {
  const files = expandGlobs(source.kind === "files" ? source.globs : source.paths, source.kind === "files" ? "traffic" : "traffic.path");
  return files
    .map((file) => {
      const stats = statSync(file);
      return `${file}:${stats.size}:${stats.mtimeMs}`;
    })
    .join("\n");
}
