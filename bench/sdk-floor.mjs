/**
 * The bench's floor: the same 2 × N chat completions a cell's `modelgate eval` sends, sent by a bare loop
 * through the official `openai` client (with modelgate's keep-alive fetch, the cheapest way we know to
 * drive that client) and nothing else: no loading, scoring, statistics or report. Its CPU is what the
 * requests themselves cost; modelgate's CPU beyond it is the work modelgate adds.
 *
 *   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 node <bundled sdk-floor.mjs> <dataset.jsonl> <concurrency>
 *
 * The bench bundles it with esbuild first (as dist/ is bundled), so it loads the client as cheaply as
 * modelgate does and needs no TypeScript loader.
 */
// The same V8 settings as the CLI (src/jit.ts), so the floor is the requests' cost in the same runtime.
import "../src/tune-jit.ts";
import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { createHttpClient } from "../src/providers/http-client.ts";

const [datasetPath, concurrencyArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
if (!datasetPath || !(concurrency > 0)) throw new Error("usage: node bench/sdk-floor.mjs <dataset.jsonl> <concurrency>");

const inputs = readFileSync(datasetPath, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line).input);
const client = new OpenAI({
  apiKey: process.env.OPENAI_API_KEY ?? "bench",
  baseURL: process.env.OPENAI_BASE_URL,
  maxRetries: 0,
  timeout: 60_000,
  fetch: createHttpClient({ connections: concurrency, env: process.env, maxResponseBytes: 16 * 1024 * 1024 }).fetch,
});

// Both variants of a case in turn, as modelgate sends them.
const models = ["bench-base", "bench-cand"];
const total = inputs.length * models.length;
let next = 0;
let failed = 0;
async function worker() {
  while (next < total) {
    const i = next++;
    try {
      const completion = await client.chat.completions.create({
        model: models[i % 2],
        messages: [{ role: "user", content: inputs[Math.floor(i / 2)] }],
      });
      // Read the reply as modelgate does (the text is what gets scored).
      if (typeof completion.choices[0]?.message?.content !== "string") failed++;
    } catch {
      failed++;
    }
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
if (failed > 0) {
  console.error(`${failed} of ${total} floor requests failed`);
  process.exitCode = 1;
}
