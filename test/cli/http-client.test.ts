/**
 * Which HTTP client a run's SDKs use: by default undici's fetch over one keep-alive pool shared by every
 * provider (bounded by --concurrency; src/providers/http-client.ts), never the global fetch; an injected
 * `io.fetch` (the demo recorder's) replaces it for every request. In-process only: these spy on the
 * process's fetch and inject one.
 */
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterEach, expect, onTestFinished, test, vi } from "vitest";
import { runCli } from "../../src/cli.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

afterEach(() => {
  vi.restoreAllMocks();
});

const args = [
  "eval",
  "--rubric",
  "rubric.yaml",
  "--baseline",
  "openai-compatible:baseline-2024-01-01",
  "--candidate",
  "anthropic:claude-candidate-20240201",
  "--no-cache",
  "--out",
  "out",
];

/** A TCP pass-through to `target` that counts the connections clients open. */
async function connectionCounter(target: string): Promise<{ url: string; connections: () => number }> {
  const { hostname, port } = new URL(target);
  let connections = 0;
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    connections++;
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  });
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, connections: () => connections };
}

test("by default both providers share one kept-alive pool of at most --concurrency sockets, not the global fetch", async () => {
  const server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 2 });
  const counter = await connectionCounter(server.url);
  const globalFetch = vi.spyOn(globalThis, "fetch");
  const dir = makeProject({ "data.jsonl": scenarioCases(30), "rubric.yaml": scenarioRubric });
  const result = await runModelgate([...args, "--concurrency", "3"], {
    cwd: dir,
    env: { OPENAI_BASE_URL: `${counter.url}/v1`, ANTHROPIC_BASE_URL: counter.url, ANTHROPIC_API_KEY: "sk-ant-test-0000000000" },
  });
  expect(result.stderr).not.toContain("crashed");
  expect([0, 1]).toContain(result.exitCode);
  expect(server.stats.byApi).toEqual({ openai: 30, anthropic: 30, responses: 0 });
  expect(globalFetch).not.toHaveBeenCalled();
  // 60 requests over one origin: two pools (or no keep-alive) would need more than 3 connections
  expect(counter.connections()).toBeGreaterThan(0);
  expect(counter.connections()).toBeLessThanOrEqual(3);
  // undici's fetch asks for compressed bodies (decoded, then counted against the size cap).
  expect(server.stats.log.every((request) => String(request.headers["accept-encoding"]).includes("gzip"))).toBe(true);
});

test("an injected io.fetch carries every request", async () => {
  const server = await fakeServerForTest({ respond: scriptedModel(), latencyMs: 1 });
  const dir = makeProject({ "data.jsonl": scenarioCases(6), "rubric.yaml": scenarioRubric });
  const seen: string[] = [];
  const injected: typeof fetch = (input, init) => {
    seen.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  const exitCode = await runCli(args, {
    stdout: { write: () => true },
    stderr: { write: () => true },
    env: { OPENAI_BASE_URL: server.openaiBaseUrl, ANTHROPIC_BASE_URL: server.anthropicBaseUrl, ANTHROPIC_API_KEY: "sk-ant-test-0000000000" },
    cwd: dir,
    signal: new AbortController().signal,
    fetch: injected,
  });
  expect([0, 1]).toContain(exitCode);
  expect(seen).toHaveLength(12);
  expect(server.stats.requests).toBe(12);
});
