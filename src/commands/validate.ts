import { resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { loadInputs } from "../load/inputs.js";
import { displayName } from "../paths.js";

/** `modelgate validate`: load and check config, rubric and dataset; call nothing. Errors throw (exit 2). */
export async function runValidate(raw: { rubric?: string; dataset?: string; config?: string }, io: CliIO): Promise<number> {
  const inputs = await loadInputs({
    ...(raw.config !== undefined ? { config: resolve(io.cwd, raw.config) } : {}),
    ...(raw.rubric !== undefined ? { rubric: resolve(io.cwd, raw.rubric) } : {}),
    ...(raw.dataset !== undefined ? { dataset: resolve(io.cwd, raw.dataset) } : {}),
    cwd: io.cwd,
  });
  for (const warning of inputs.warnings) io.stderr.write(`warning: ${warning}\n`);
  const { rubric, dataset, config } = inputs;
  const lines = [
    `ok: ${displayName(dataset.path)}: ${dataset.count} cases`,
    `ok: ${displayName(rubric.path)}: ${rubric.checks.length} checks, ${rubric.gate.length} gate rules`,
  ];
  if (config.path) lines.unshift(`ok: ${displayName(config.path)}: ${Object.keys(config.variants).length} variants`);
  io.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
