/**
 * HTTP(S)_PROXY / NO_PROXY through the real CLI (sources and dist/), with a real HTTP proxy on loopback
 * (the `proxy` package, Squid-like) in front of the fake LLM server: requests go through it when a proxy
 * is set, bypass it for NO_PROXY hosts, and neither the API key nor the proxy's password reaches a byte
 * we write. The proxy sees only CONNECT requests: the API key travels inside the tunnel.
 */
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { join } from "node:path";
import { createProxy } from "proxy";
import { describe, expect, onTestFinished, test } from "vitest";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";
import { scenarioCases, scenarioRubric, scriptedModel } from "../support/scenario.js";

const anthropicKey = "sk-ant-proxytest-0123456789abcdef";
const proxyPassword = "pr0xy-Passw0rd-9f8e7d";

interface LoopbackProxy {
  url: string;
  /** every request the proxy received: method, target and headers */
  seen: { method: string; url: string; headers: IncomingMessage["headers"] }[];
}

async function startProxy(options: { password?: string } = {}): Promise<LoopbackProxy> {
  const server = createProxy(createServer());
  const seen: LoopbackProxy["seen"] = [];
  const note = (req: IncomingMessage) => seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
  server.prependListener("request", note);
  server.prependListener("connect", note);
  if (options.password) {
    const expected = `Basic ${Buffer.from(`modelgate:${options.password}`).toString("base64")}`;
    server.authenticate = (req) => req.headers["proxy-authorization"] === expected;
  }
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const args = [
  "eval",
  "--rubric",
  "rubric.yaml",
  "--baseline",
  "openai-compatible:baseline-2024-01-01",
  "--candidate",
  "anthropic:claude-candidate-20240201",
  "--no-cache",
  "--concurrency",
  "2",
  "--format",
  "table,json,md,html,junit",
  "--out",
  "out",
];

function project(): string {
  return makeProject({ "data.jsonl": scenarioCases(6), "rubric.yaml": scenarioRubric });
}

/** Everything the run wrote: stdout, stderr and every report file. */
function written(dir: string, result: { stdout: string; stderr: string }): string {
  const reports = readdirSync(join(dir, "out")).map((file) => readFileSync(join(dir, "out", file), "utf8"));
  return [result.stdout, result.stderr, ...reports].join("\n");
}

describe("a run through an HTTP proxy", () => {
  test.each(["HTTP_PROXY", "http_proxy"])("%s: every request goes through the proxy's tunnel; the key stays inside it", async (variable) => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const proxy = await startProxy();
    const dir = project();
    const result = await runModelgate(args, {
      cwd: dir,
      env: {
        OPENAI_BASE_URL: server.openaiBaseUrl,
        ANTHROPIC_BASE_URL: server.anthropicBaseUrl,
        ANTHROPIC_API_KEY: anthropicKey,
        [variable]: proxy.url,
      },
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(0);
    expect(server.stats.byApi).toEqual({ openai: 6, anthropic: 6, responses: 0 });
    const target = new URL(server.url).host;
    expect(proxy.seen.length).toBeGreaterThan(0);
    // Tunnels only, to the fake server, over kept-alive connections (one pool of --concurrency 2).
    expect(proxy.seen.map((request) => `${request.method} ${request.url}`)).toEqual(proxy.seen.map(() => `CONNECT ${target}`));
    expect(proxy.seen.length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(proxy.seen)).not.toContain(anthropicKey);
    // The key did reach the server (through the tunnel) …
    expect(JSON.stringify(server.stats.log.map((request) => request.headers))).toContain(anthropicKey);
    // … and nothing we wrote.
    expect(written(dir, result)).not.toContain(anthropicKey);
  });

  test("a proxy that wants credentials gets them from the URL; the password is in no byte written", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const proxy = await startProxy({ password: proxyPassword });
    const dir = project();
    const result = await runModelgate(args, {
      cwd: dir,
      env: {
        OPENAI_BASE_URL: server.openaiBaseUrl,
        ANTHROPIC_BASE_URL: server.anthropicBaseUrl,
        ANTHROPIC_API_KEY: anthropicKey,
        HTTP_PROXY: `http://modelgate:${proxyPassword}@${new URL(proxy.url).host}`,
      },
    });
    expect(result.exitCode).toBe(0);
    expect(server.stats.requests).toBe(12);
    expect(proxy.seen.length).toBeGreaterThan(0);
    const text = written(dir, result);
    expect(text).not.toContain(proxyPassword);
    expect(text).not.toContain(anthropicKey);
  });

  test("a wrong proxy password is a run that could not complete (exit 3), and the password is masked", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const proxy = await startProxy({ password: proxyPassword });
    const dir = project();
    const wrong = "wr0ng-Passw0rd-123456";
    const result = await runModelgate([...args, "--max-retries", "1"], {
      cwd: dir,
      env: {
        OPENAI_BASE_URL: server.openaiBaseUrl,
        ANTHROPIC_BASE_URL: server.anthropicBaseUrl,
        ANTHROPIC_API_KEY: anthropicKey,
        HTTP_PROXY: `http://modelgate:${wrong}@${new URL(proxy.url).host}`,
      },
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(3);
    expect(server.stats.requests).toBe(0);
    expect(written(dir, result)).not.toContain(wrong);
  });

  test("NO_PROXY hosts bypass the proxy; HTTPS_PROXY alone leaves http:// endpoints direct", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    const proxy = await startProxy();
    const common = { OPENAI_BASE_URL: server.openaiBaseUrl, ANTHROPIC_BASE_URL: server.anthropicBaseUrl, ANTHROPIC_API_KEY: anthropicKey };
    for (const env of [
      { HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" },
      { http_proxy: proxy.url, no_proxy: "localhost,127.0.0.1" },
      { HTTPS_PROXY: proxy.url },
    ]) {
      const dir = project();
      const result = await runModelgate(args, { cwd: dir, env: { ...common, ...env } });
      expect(result.exitCode, JSON.stringify(env)).toBe(0);
    }
    expect(server.stats.requests).toBe(36);
    expect(proxy.seen).toEqual([]);
  });

  test("HTTPS_PROXY carries https:// endpoints (a CONNECT to the endpoint), and NO_PROXY exempts them", async () => {
    // No TLS server is needed to see the routing: the tunnel's target is a TCP server that hangs up, so
    // the run cannot complete (exit 3) either way; what differs is whether the proxy was asked.
    const target = await new Promise<NetServer>((resolve) => {
      const server = createNetServer((socket) => socket.destroy()).listen(0, "127.0.0.1", () => resolve(server));
    });
    onTestFinished(() => new Promise<void>((resolve) => target.close(() => resolve())));
    const host = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    const proxy = await startProxy();
    const https = [
      "eval",
      "--rubric",
      "rubric.yaml",
      "--baseline",
      "openai-compatible:a-2024-01-01",
      "--candidate",
      "openai-compatible:b-2024-01-01",
    ];
    const common = { OPENAI_BASE_URL: `https://${host}/v1`, HTTPS_PROXY: proxy.url };
    // Exempt first: the run through the proxy may leave CONNECTs arriving after it has stopped.
    const direct = await runModelgate([...https, "--no-cache", "--max-retries", "0", "--out", "out"], {
      cwd: project(),
      env: { ...common, NO_PROXY: "127.0.0.1" },
    });
    expect(direct.exitCode).toBe(3);
    expect(proxy.seen).toEqual([]);
    const through = await runModelgate([...https, "--no-cache", "--max-retries", "0", "--out", "out"], { cwd: project(), env: common });
    expect(through.stderr).not.toContain("crashed");
    expect(through.exitCode).toBe(3);
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(new Set(proxy.seen.map((request) => `${request.method} ${request.url}`))).toEqual(new Set([`CONNECT ${host}`]));
  });

  test("a proxy nobody listens on: the endpoint is unreachable (exit 3), not a failed gate", async () => {
    const server = await fakeServerForTest({ respond: scriptedModel() });
    // A port that was just free: nothing listens there.
    const spare = createServer().listen(0, "127.0.0.1");
    await once(spare, "listening");
    const deadProxy = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise((resolve) => spare.close(resolve));
    const dir = project();
    const started = Date.now();
    const result = await runModelgate([...args, "--max-retries", "1"], {
      cwd: dir,
      env: {
        OPENAI_BASE_URL: server.openaiBaseUrl,
        ANTHROPIC_BASE_URL: server.anthropicBaseUrl,
        ANTHROPIC_API_KEY: anthropicKey,
        HTTP_PROXY: deadProxy,
      },
    });
    expect(result.stderr).not.toContain("crashed");
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/unreachable/);
    expect(server.stats.requests).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
