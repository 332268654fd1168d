/**
 * The shadow proxy's HTTP server and lifecycle (SPEC §10): routes `/healthz`, `/metrics`, shadows
 * `POST /v1/chat/completions` (served by the baseline, copied to the candidate for a sampled share)
 * and forwards anything else to the baseline untouched. `close()` is the SIGTERM drain.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import type { TrafficArm, TrafficLine } from "../traffic/types.js";
import type { JsonObject, VariantSpec } from "../types.js";
import { CandidateCopier, type CandidateEndpoint } from "./candidate-copier.js";
import { candidateBody, trafficRequest } from "./candidate-request.js";
import type { CostWindow } from "./cost-window.js";
import { ShadowMetrics } from "./metrics.js";
import { readCompletion } from "./read-completion.js";
import { forward, type ServedResult } from "./served-path.js";
import type { TrafficLog } from "./traffic-log.js";

export interface ShadowServerOptions {
  host: string;
  port: number;
  baseline: { origin: string; basePath: string; model: string };
  candidate: { endpoint: CandidateEndpoint; variant: VariantSpec };
  sample: (headers: IncomingMessage["headers"], body: Buffer) => boolean;
  maxInFlight: number;
  queue: number;
  candidateTimeoutMs: number;
  maxResponseBytes: number;
  log: TrafficLog;
  cost?: { window: CostWindow; costOf: (usage: TrafficArm["usage"]) => number | null };
}

export interface ShadowServer {
  /** `http://host:port` */
  url: string;
  metrics: ShadowMetrics;
  /** Stops accepting, finishes the served requests, gives copies `graceMs`, flushes the log. */
  close(graceMs: number): Promise<void>;
}

/** The longest request body read: far above any chat request; a bigger one is refused (413). */
const maxRequestBytes = 32 * 1024 * 1024;

export async function startShadowServer(options: ShadowServerOptions): Promise<ShadowServer> {
  const metrics = new ShadowMetrics();
  const pool = new Pool(options.baseline.origin, { keepAliveTimeout: 30_000 });
  const endpoint = { pool, basePath: options.baseline.basePath };
  const copier = new CandidateCopier({
    endpoint: options.candidate.endpoint,
    maxInFlight: options.maxInFlight,
    queue: options.queue,
    timeoutMs: options.candidateTimeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    metrics,
    ...(options.cost ? { cost: options.cost } : {}),
  });
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
    metrics.requests.baseline++;
    const shadowed = req.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions");
    if (!shadowed) {
      void forward(req, res, body, arrivedAt, endpoint, forwardOptions(false)).finally(finished);
      return;
    }
    const sampled = options.sample(req.headers, body);
    if (!sampled) metrics.drop("sampled_out");
    // A copy that would be dropped (full queue, cost cap) is counted now, before its body is parsed or its answer kept.
    if (!sampled || copier.refusal()) {
      void forward(req, res, body, arrivedAt, endpoint, forwardOptions(false)).finally(finished);
      return;
    }
    const ts = new Date().toISOString();
    const servedResult = forward(req, res, body, arrivedAt, endpoint, forwardOptions(true));
    servedResult.finally(finished);
    // The served request is on its way; the copy is prepared after it, off its path.
    shadow(req, body, ts, servedResult);
  }

  function shadow(req: IncomingMessage, body: Buffer, ts: string, servedResult: Promise<ServedResult>): void {
    let parsed: JsonObject;
    try {
      const value = JSON.parse(body.toString("utf8"));
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
      parsed = value;
    } catch {
      // The baseline answers the bad request itself; there is nothing to copy.
      metrics.drop("error");
      return;
    }
    const mask = clientCredentialMask(req.headers);
    let candidate: TrafficArm | undefined;
    let baseline: TrafficArm | undefined;
    let copied = true;
    const write = () => {
      if (!copied || !candidate || !baseline) return;
      const line: TrafficLine = {
        v: 1,
        id: `shadow-${randomUUID()}`,
        ts,
        source: "modelgate-shadow",
        request: trafficRequest(parsed),
        arms: { baseline, candidate },
      };
      options.log.append(line, mask);
      metrics.linesWritten++;
    };
    copier.offer(JSON.stringify(candidateBody(parsed, options.candidate.variant)), (result) => {
      if (result.sent) candidate = result.arm;
      else copied = false;
      write();
    });
    void servedResult.then((result) => {
      if (!copied) return;
      baseline = baselineArm(typeof parsed.model === "string" ? parsed.model : options.baseline.model, result);
      write();
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
      await copier.drain(graceMs);
      server.closeAllConnections();
      await closed;
      await options.log.close();
      await pool.close().catch(() => undefined);
    },
  };
}

function baselineArm(model: string, result: ServedResult): TrafficArm {
  const answer = result.captured
    ? readCompletion(result.captured)
    : { output: null, error: result.error ?? { kind: "network" as const, message: "no response" } };
  return {
    model,
    served: true,
    ...answer,
    latency_ms: result.latencyMs,
    ...(result.ttftMs !== undefined && !answer.error ? { ttft_ms: result.ttftMs } : {}),
    ...(result.status !== undefined ? { status: result.status } : {}),
  };
}

/**
 * The client's own credentials, masked in its line: a key the secret patterns do not recognise (a
 * gateway's opaque token) must not be written because the client's message happened to quote it.
 */
function clientCredentialMask(headers: IncomingMessage["headers"]): ((text: string) => string) | undefined {
  const values: string[] = [];
  for (const name of ["authorization", "api-key", "x-api-key"]) {
    const value = headers[name];
    if (typeof value !== "string") continue;
    const token = value.replace(/^\s*(Bearer|Basic)\s+/i, "").trim();
    if (token.length >= 8) values.push(token, JSON.stringify(token).slice(1, -1));
  }
  if (values.length === 0) return undefined;
  return (text) => values.reduce((masked, value) => (masked.includes(value) ? masked.split(value).join("***") : masked), text);
}
