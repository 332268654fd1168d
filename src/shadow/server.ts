/**
 * The shadow proxy's HTTP server and lifecycle (SPEC §10): routes `/healthz`, `/metrics`, shadows
 * `POST /v1/chat/completions` (served by the baseline, copied to the candidate for a sampled share)
 * and forwards anything else to the baseline untouched. `close()` is the SIGTERM drain.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type CopySideInit, startCopySide } from "./copy-side.js";
import { ShadowMetrics } from "./metrics.js";
import { forward } from "./served-path.js";
import { upstreamAgent } from "./upstream-agent.js";

export interface ShadowServerOptions {
  host: string;
  port: number;
  baseline: { origin: string; basePath: string };
  /** the copy side's settings (its worker thread: copy-side.ts) */
  copies: CopySideInit;
  sample: (headers: IncomingMessage["headers"], body: Buffer) => boolean;
  maxResponseBytes: number;
}

export interface ShadowServer {
  /** `http://host:port` */
  url: string;
  metrics: ShadowMetrics;
  /** Stops accepting, finishes the served requests, gives copies `graceMs`, flushes the log; the log's files and first write error. */
  close(graceMs: number): Promise<{ files: string[]; error?: string }>;
}

/** The longest request body read: far above any chat request; a bigger one is refused (413). */
const maxRequestBytes = 32 * 1024 * 1024;

export async function startShadowServer(options: ShadowServerOptions): Promise<ShadowServer> {
  const metrics = new ShadowMetrics();
  const agent = upstreamAgent(options.copies.proxies);
  const endpoint = { agent, origin: options.baseline.origin, basePath: options.baseline.basePath };
  const copies = await startCopySide(options.copies, metrics);
  let draining = false;
  let served = 0;
  let onIdle: (() => void) | undefined;
  const forwardOptions = (capture: boolean) => ({ capture, maxCaptureBytes: options.maxResponseBytes, metrics, draining: () => draining });

  const finished = () => {
    served--;
    if (draining) server.closeIdleConnections();
    if (served === 0) onIdle?.();
  };

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer, arrivedAt: number): void {
    const path = req.url?.split("?")[0];
    served++;
    metrics.countServed();
    const shadowed = req.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions");
    if (!shadowed) {
      void forward(req, res, body, arrivedAt, endpoint, forwardOptions(false)).finally(finished);
      return;
    }
    const sampled = options.sample(req.headers, body);
    if (!sampled) metrics.drop("sampled_out");
    // A copy that would be dropped (full queue, cost cap) is counted now, before anything is kept for it.
    if (!sampled || copies.refusal()) {
      void forward(req, res, body, arrivedAt, endpoint, forwardOptions(false)).finally(finished);
      return;
    }
    const servedResult = forward(req, res, body, arrivedAt, endpoint, forwardOptions(true));
    // The served request is on its way; the copy side gets the body after this turn (copy-side.ts).
    const id = copies.copy(body, clientCredentials(req.headers));
    void servedResult.then((result) => {
      finished();
      copies.served(id, result);
    });
  }

  const server: Server = createServer((req, res) => {
    const arrivedAt = performance.now();
    const url = req.url ?? "/";
    if (req.method === "GET" && (url === "/healthz" || url === "/metrics")) {
      const healthz = url === "/healthz";
      const text = healthz ? (draining ? "draining\n" : "ok\n") : metrics.render();
      res.writeHead(healthz && draining ? 503 : 200, {
        "content-type": healthz ? "text/plain; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxRequestBytes) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > maxRequestBytes) {
        res.writeHead(413, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({ error: { message: `modelgate shadow: request body over ${maxRequestBytes} bytes`, type: "proxy_error" } }));
        return;
      }
      handle(req, res, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), arrivedAt);
    });
  });
  // Longer than a load balancer's idle timeout in front of us, so it never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    metrics,
    async close(graceMs: number) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (served > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      const log = await copies.drain(graceMs);
      server.closeAllConnections();
      await closed;
      await agent.close().catch(() => undefined);
      return log;
    },
  };
}

/** The client's own credential values (its key, a gateway's opaque token): masked in its traffic line by the copy side. */
function clientCredentials(headers: IncomingMessage["headers"]): string[] {
  const values: string[] = [];
  for (const name of ["authorization", "api-key", "x-api-key"]) {
    const value = headers[name];
    if (typeof value !== "string") continue;
    const token = value.replace(/^\s*(Bearer|Basic)\s+/i, "").trim();
    if (token.length >= 8) values.push(token, JSON.stringify(token).slice(1, -1));
  }
  return values;
}
