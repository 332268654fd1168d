import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { CliIO } from "../cli-io.js";
import { UserError } from "../errors.js";
import { loadInputs } from "../load/inputs.js";
import { packageRoot } from "../package-root.js";
import { endpointHost } from "../providers/index.js";
import { buildRequest } from "../run/expand.js";
import { requestKey } from "../run/request-key.js";
import type { StoredResponse } from "../run/response-store.js";
import type { ModelResponse, VariantSpec } from "../types.js";
import {
  type CannedAnswer,
  exampleCases,
  exampleCassette,
  exampleVariants,
  plantedRegression,
  type ScaffoldFile,
  scaffoldFiles,
} from "./init-scaffold.js";

/** `modelgate init` options, normalised by the CLI layer. */
export interface InitOptions {
  /** the project folder (created if missing); default: the working directory */
  dir: string;
}

/**
 * `modelgate init [DIR]`: writes a commented example project and a cassette of both variants' answers,
 * so `eval --replay` works offline at once. Refuses (exit 2, nothing written) if any file exists.
 */
export async function runInit(options: InitOptions, io: CliIO): Promise<number> {
  const target = resolve(io.cwd, options.dir);
  const shownDir = shellPath(io.cwd, target);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new UserError(`modelgate init: ${shownDir} exists and is not a folder`);
  const files = scaffoldFiles();
  const existing = [...files.map((file) => file.path), exampleCassette].filter((path) => existsSync(join(target, path)));
  if (existing.length > 0) {
    throw new UserError(
      `modelgate init: ${existing.join(", ")} already ${existing.length === 1 ? "exists" : "exist"} in ${shownDir}; nothing was written` +
        " (move them away, or pass another folder: modelgate init DIR)",
    );
  }
  const cassette = await buildCassette(files);
  for (const file of [...files, cassette]) {
    const path = join(target, file.path);
    mkdirSync(dirname(path), { recursive: true });
    // `wx`: never overwrite, even a file that appeared since the check above.
    writeFileSync(path, file.text, { flag: "wx" });
  }
  io.stdout.write(nextSteps([...files, cassette], shownDir, modelgateCommand(target)));
  return 0;
}

/**
 * The cassette, built the way `eval` will look answers up: the scaffold is loaded through the real
 * loaders (from a staging folder, so a failure writes nothing), each case × variant request is expanded
 * and keyed exactly as the runner does, and the canned answer is stored under that key. Keys use the
 * provider's default endpoint, as a replay without OPENAI_BASE_URL computes them.
 */
async function buildCassette(files: ScaffoldFile[]): Promise<ScaffoldFile> {
  const staging = mkdtempSync(join(tmpdir(), "modelgate-init-"));
  try {
    for (const file of files) {
      mkdirSync(dirname(join(staging, file.path)), { recursive: true });
      writeFileSync(join(staging, file.path), file.text);
    }
    const inputs = await loadInputs({ cwd: staging, baseline: exampleVariants.baseline, candidate: exampleVariants.candidate });
    const recordedAt = new Date().toISOString();
    const entries: StoredResponse[] = [];
    for await (const testCase of inputs.dataset.read()) {
      const example = exampleCases.find((candidate) => candidate.case.id === testCase.id);
      if (!example) throw new Error(`init scaffold: no canned answers for example case ${testCase.id}`);
      for (const side of ["baseline", "candidate"] as const) {
        const spec = inputs[side] as VariantSpec;
        const request = buildRequest(spec, testCase, 0);
        const key = requestKey({ provider: spec.provider, host: endpointHost(spec, {}), model: spec.model }, request);
        const answer = example[side];
        entries.push({
          v: 1,
          key,
          provider: spec.provider,
          model: spec.model,
          response: responseOf(answer, key),
          latency_ms: answer.latency_ms,
          recorded_at: recordedAt,
        });
      }
    }
    return {
      path: exampleCassette,
      purpose: "both variants' answers, so the first run needs no API key and no network",
      text: entries.map((entry) => `${JSON.stringify(entry)}\n`).join(""),
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function responseOf(answer: CannedAnswer, key: string): ModelResponse {
  const calls = answer.tool_calls ?? [];
  return {
    text: answer.text,
    // Stable ids shaped like the API's, derived from the request key.
    tool_calls: calls.map((call, index) => ({ id: `call_${createHash("sha256").update(`${key}:${index}`).digest("hex").slice(0, 24)}`, ...call })),
    usage: answer.usage,
    finish_reason: calls.length > 0 ? "tool_calls" : "stop",
  };
}

function nextSteps(files: ScaffoldFile[], shownDir: string, modelgate: string): string {
  const width = Math.max(...files.map((file) => file.path.length)) + 2;
  const command = `${modelgate} eval --baseline ${exampleVariants.baseline} --candidate ${exampleVariants.candidate} --replay ${exampleCassette}`;
  const cd = shownDir === "." ? "" : `cd ${shownDir} && `;
  return [
    `created ${files.length} files in ${shownDir === "." ? "the current folder" : shownDir}:`,
    ...files.map((file) => `  ${file.path.padEnd(width)}${file.purpose}`),
    "",
    `Next, run the gate offline. The candidate was planted to regress on ${plantedRegression} (it checks tracking`,
    "instead of refunding a damaged book), so this first run shows what a failing gate looks like, and exits 1:",
    "",
    `  ${cd}${command}`,
    "",
    "Then make it yours: your cases in datasets/example.jsonl, your prompt in prompts/example.md, your models",
    "in modelgate.config.yaml; export OPENAI_API_KEY and run without --replay (--record FILE captures a new",
    `cassette, e.g. for CI). \`${modelgate} validate\` checks the files without calling anything.`,
    "",
  ].join("\n");
}

/**
 * How to run this very modelgate from the project folder, as README's install says: the bin npm linked
 * (`./node_modules/.bin/modelgate`) when it runs from an install, else `node <clone>/dist/bin.js`. Never
 * npx: it would fetch whatever package holds the name on the registry when none is installed.
 */
export function modelgateCommand(projectDir: string): string {
  const root = packageRoot();
  const installed = basename(dirname(root)) === "node_modules";
  const target = installed ? join(dirname(root), ".bin", "modelgate") : join(root, "dist", "bin.js");
  const fromProject = relative(projectDir, target);
  // A path a person would type: relative when it stays near the project, absolute otherwise.
  const climbs = fromProject.split(/[\\/]/).filter((part) => part === "..").length;
  const path = climbs > 2 || isAbsolute(fromProject) ? target : fromProject.startsWith("..") ? fromProject : `./${fromProject}`;
  const quoted = /^[\w./@:+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
  return installed ? quoted : `node ${quoted}`;
}

/** The folder as the user would type it from where they ran init: ".", a relative path, or an absolute one; quoted for a shell if needed. */
function shellPath(cwd: string, target: string): string {
  const fromCwd = relative(cwd, target);
  const path = fromCwd === "" ? "." : fromCwd.startsWith("..") || isAbsolute(fromCwd) ? target : fromCwd;
  return /^[\w./@:+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
