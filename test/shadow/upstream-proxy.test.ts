/**
 * HTTP(S)_PROXY / NO_PROXY for the proxy's own upstream connections (baseline and candidate, either
 * wire), with a real HTTP proxy on loopback (the `proxy` package): what goes through it is a CONNECT
 * tunnel to the upstream, the bytes served stay the baseline's, and the proxy's password is never logged.
 */
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import OpenAI from "openai";
import { createProxy } from "proxy";
import { expect, onTestFinished, test } from "vitest";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { clientKey, startProxy } from "./support/start-proxy.js";

const password = "pr0xy-Passw0rd-shadow-77";

async function loopbackProxy(): Promise<{ url: string; connects: string[] }> {
  const server = createProxy(createServer());
  const connects: string[] = [];
  server.prependListener("connect", (req: IncomingMessage) => connects.push(req.url ?? ""));
  server.prependListener("request", (req: IncomingMessage) => connects.push(`plain ${req.url}`));
  const expected = `Basic ${Buffer.from(`modelgate:${password}`).toString("base64")}`;
  server.authenticate = (req) => req.headers["proxy-authorization"] === expected;
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
  return { url: `http://modelgate:${password}@127.0.0.1:${(server.address() as AddressInfo).port}`, connects };
}

const messages = [{ role: "user" as const, content: "Refund order A-1234" }];
const hostOf = (url: string) => new URL(url).host;

test("HTTP_PROXY: the served request and the copy both go through the proxy's tunnel; the served bytes are unchanged", async () => {
  const proxy = await loopbackProxy();
  const shadow = await startProxy({ env: { HTTP_PROXY: proxy.url } });
  const openai = new OpenAI({ apiKey: clientKey, baseURL: shadow.baseURL, maxRetries: 0 });
  const reply = await openai.chat.completions.create({ model: "base-model-2024-01-01", messages });
  expect(reply.choices[0]?.message.content).toBe("reply from base-model-2024-01-01");
  await expect.poll(() => shadow.server.metrics.linesWritten, { timeout: 5_000 }).toBe(1);
  const [line] = await shadow.stop();
  expect(proxy.connects).toContain(hostOf(shadow.baseline.url));
  expect(proxy.connects).toContain(hostOf(shadow.candidate.url));
  // The client's key reached the baseline inside the tunnel.
  expect(shadow.baseline.requests[0]?.headers.authorization).toBe(`Bearer ${clientKey}`);
  expect(line?.arms.candidate).toMatchObject({ output: "reply from cand-model-2025-01-01", error: null });
  const log = readdirSync(shadow.logDir)
    .map((name) => readFileSync(`${shadow.logDir}/${name}`, "utf8"))
    .join("");
  expect(log).not.toContain(password);
});

test.each([
  { name: "goes through HTTP_PROXY too", noProxy: false },
  { name: "goes direct when NO_PROXY names its host:port, while the baseline still goes through", noProxy: true },
])("an anthropic candidate $name", async ({ noProxy }) => {
  const proxy = await loopbackProxy();
  const anthropic = await fakeServerForTest({ respond: () => ({ text: "claude answer" }) });
  const shadow = await startProxy({
    candidateVariant: { provider: "anthropic", base_url: anthropic.anthropicBaseUrl, model: "claude-cand", params: {} },
    env: { HTTP_PROXY: proxy.url, ...(noProxy ? { NO_PROXY: hostOf(anthropic.url) } : {}) },
  });
  const openai = new OpenAI({ apiKey: clientKey, baseURL: shadow.baseURL, maxRetries: 0 });
  await openai.chat.completions.create({ model: "m", messages });
  await expect.poll(() => shadow.server.metrics.linesWritten, { timeout: 5_000 }).toBe(1);
  const [line] = await shadow.stop();
  expect(line?.arms.candidate).toMatchObject({ output: "claude answer", error: null });
  expect(anthropic.stats.requests).toBe(1);
  const expected = noProxy ? [hostOf(shadow.baseline.url)] : [hostOf(shadow.baseline.url), hostOf(anthropic.url)];
  expect([...new Set(proxy.connects)].sort()).toEqual(expected.sort());
});
