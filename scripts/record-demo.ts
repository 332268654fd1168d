/**
 * Re-records the demo cassette (datasets/demo.cassette.jsonl) that `npm run demo` replays offline.
 *
 * The scripted models of scripts/demo-responder.ts answer behind the project's loopback fake server;
 * the real CLI and the real SDKs talk to it, with their HTTP routed there by an injected `fetch`, so the
 * recorded requests are keyed exactly as calls to api.openai.com / api.anthropic.com would be.
 *
 *   npx tsx scripts/record-demo.ts
 */
import { createHash } from "node:crypto";
import { runCli } from "../src/cli.js";
import { startFakeLlmServer } from "../test/support/fake-llm-server.js";
import { demoRespond } from "./demo-responder.js";

/** A plausible, deterministic latency per request (200–1400 ms), heavier for the bigger model. */
function latencyFor(model: string, body: unknown): number {
  const hash = createHash("sha256").update(JSON.stringify(body)).digest();
  const base = model.startsWith("gpt-4o") ? 700 : model.startsWith("claude") ? 900 : 450;
  return base + ((hash[0] ?? 0) / 255) * 600 - 250;
}

const server = await startFakeLlmServer({
  respond: (request) => demoRespond(request.model, request),
  latencyMs: (request) => latencyFor(request.model, request.body),
});
const route: typeof fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input).replace(/^https:\/\/api\.(openai|anthropic)\.com/, server.url);
  return fetch(url, init);
};
const controller = new AbortController();
const exitCode = await runCli(
  [
    "eval",
    "--config",
    "modelgate.config.yaml",
    "--baseline",
    "stable",
    "--candidate",
    "canary",
    "--record",
    "datasets/demo.cassette.jsonl",
    "--no-cache",
    "--out",
    "reports/demo-recording",
    "--concurrency",
    "16",
  ],
  {
    stdout: process.stdout,
    stderr: process.stderr,
    // Placeholder keys: the local server does not check them, and keys never reach the cassette.
    env: { ...process.env, OPENAI_API_KEY: "demo-not-a-key", ANTHROPIC_API_KEY: "demo-not-a-key" },
    cwd: process.cwd(),
    signal: controller.signal,
    fetch: route,
  },
);
await server.close();
console.error(`recorded ${server.stats.requests} requests (exit ${exitCode})`);
