/**
 * The same cell run by promptfoo, for a side-by-side in one session (`npm run bench -- --promptfoo DIR`).
 * promptfoo is not a dependency of ours: install it anywhere (`npm install promptfoo@0.123.1` in DIR;
 * it needs Node ≥ 22, given with `--promptfoo-node`). Its config mirrors the bench rubric: the same
 * prompts to the same two models on a fresh server with the same latency, an `is-json` assertion with
 * the rubric's schema and a `contains` of the case's key fact, at the same concurrency, no cache.
 * Its HOME and config folder are the bench's scratch folder, so nothing is written to the user's.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runNode, startServer, type Usage } from "./processes.js";

export interface PromptfooCell {
  n: number;
  c: number;
  latencyMs: number;
}

export interface PromptfooResult extends Usage {
  /** share of each model's cases promptfoo scored as passing (both assertions), to compare with modelgate's pass_rate */
  passRate: { baseline: number; candidate: number };
  errors: number;
}

/** promptfoo's entry point inside `dir` (where `npm install promptfoo` was run), or an error naming what is missing. */
export function promptfooMain(dir: string): string {
  const main = join(dir, "node_modules", "promptfoo", "dist", "src", "main.js");
  if (!existsSync(main)) throw new Error(`--promptfoo ${dir}: no ${main} (run \`npm install promptfoo@0.123.1\` there)`);
  return main;
}

/** Runs promptfoo on `dataset` (the bench's JSONL) with the bench rubric's schema; throws if it did not finish. */
export async function runPromptfoo(
  cell: PromptfooCell,
  files: { dataset: string; schema: object },
  options: { main: string; node: string; scratch: string },
): Promise<PromptfooResult> {
  const work = join(options.scratch, `promptfoo-${cell.n}-${cell.c}-${cell.latencyMs}`);
  const tests = join(options.scratch, `promptfoo-tests-${cell.n}.jsonl`);
  if (!existsSync(tests)) writeFileSync(tests, promptfooTests(files.dataset));
  const server = await startServer(cell.latencyMs);
  const output = join(options.scratch, `promptfoo-out-${cell.n}-${cell.c}-${cell.latencyMs}.json`);
  let run: Awaited<ReturnType<typeof runNode>>;
  try {
    const config = join(options.scratch, "promptfooconfig.json");
    writeFileSync(config, JSON.stringify(promptfooConfig(`${server.url}/v1`, tests, files.schema), null, 2));
    run = await runNode([options.main, "eval", "-c", config, "-j", String(cell.c), "--no-cache", "--no-progress-bar", "--no-table", "-o", output], {
      cwd: options.scratch,
      node: options.node,
      scratch: options.scratch,
      env: {
        ...process.env,
        HOME: options.scratch,
        PROMPTFOO_CONFIG_DIR: work,
        PROMPTFOO_DISABLE_TELEMETRY: "1",
        PROMPTFOO_DISABLE_UPDATE: "1",
        PROMPTFOO_DISABLE_SHARING: "1",
        OPENAI_API_KEY: "bench",
      },
    });
  } finally {
    await server.stop();
  }
  // promptfoo exits 100 when some assertion failed, which the bench's candidate is built to do.
  if ((run.exitCode !== 0 && run.exitCode !== 100) || !existsSync(output)) {
    throw new Error(`promptfoo exited ${run.exitCode} for N=${cell.n} C=${cell.c}:\n${run.stderr.slice(-2000)}`);
  }
  const result = { wallS: run.wallS, cpuMs: run.cpuMs, peakRssMb: run.peakRssMb, ...passRates(output) };
  rmSync(output, { force: true });
  rmSync(work, { recursive: true, force: true });
  return result;
}

/** The bench dataset as promptfoo test cases: the prompt and the key fact as vars. */
function promptfooTests(dataset: string): string {
  return readFileSync(dataset, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const testCase = JSON.parse(line) as { input: string; vars: { key_fact: string } };
      return JSON.stringify({ vars: { input: testCase.input, key_fact: testCase.vars.key_fact } });
    })
    .join("\n");
}

function promptfooConfig(baseUrl: string, tests: string, schema: object): object {
  const provider = (model: string) => ({ id: `openai:chat:${model}`, config: { apiBaseUrl: baseUrl, apiKey: "bench" } });
  return {
    description: "modelgate bench side-by-side",
    prompts: ["{{input}}"],
    providers: [provider("bench-base"), provider("bench-cand")],
    defaultTest: {
      assert: [
        { type: "is-json", value: schema },
        { type: "contains", value: "{{key_fact}}" },
      ],
    },
    tests: `file://${tests}`,
  };
}

function passRates(output: string): { passRate: PromptfooResult["passRate"]; errors: number } {
  const results = (
    JSON.parse(readFileSync(output, "utf8")) as {
      // failureReason: 0 passed, 1 an assertion failed, 2 the request failed (promptfoo's ResultFailureReason)
      results: { results: Array<{ provider: { id: string } | string; success: boolean; failureReason?: number }> };
    }
  ).results.results;
  const tally = { baseline: { total: 0, passed: 0 }, candidate: { total: 0, passed: 0 } };
  let errors = 0;
  for (const result of results) {
    const id = typeof result.provider === "string" ? result.provider : result.provider.id;
    const side = id.endsWith("bench-cand") ? tally.candidate : tally.baseline;
    side.total++;
    if (result.success) side.passed++;
    if (result.failureReason === 2) errors++;
  }
  const rate = ({ total, passed }: { total: number; passed: number }) => (total === 0 ? 0 : passed / total);
  return { passRate: { baseline: rate(tally.baseline), candidate: rate(tally.candidate) }, errors };
}
