/**
 * The copy side's thread (see copy-side.ts): takes sampled requests and their served answers from the
 * main thread, sends each copy to the candidate (candidate-copier.ts), and writes one traffic line per
 * request once both arms are in. It shares only the metrics' counters with the main thread.
 */
import { randomUUID } from "node:crypto";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { costOf } from "../pricing.js";
import { rememberSecret } from "../redact.js";
import type { TrafficArm, TrafficLine } from "../traffic/types.js";
import type { JsonObject } from "../types.js";
import { anthropicClient } from "./anthropic-client.js";
import { type CandidateClient, CandidateCopier } from "./candidate-copier.js";
import { trafficRequest } from "./candidate-request.js";
import type { CopyMessage, CopyReply, CopySideInit } from "./copy-side.js";
import { CostWindow } from "./cost-window.js";
import { ShadowMetrics } from "./metrics.js";
import { openAIWireClient } from "./openai-wire-client.js";
import { readCompletion } from "./read-completion.js";
import type { ServedResult } from "./served-path.js";
import { lineRedactor, TrafficLog } from "./traffic-log.js";
import { upstreamAgent } from "./upstream-agent.js";

interface Pending {
  request: JsonObject;
  ts: string;
  credentials: string[];
  candidate?: TrafficArm;
  baseline?: TrafficArm;
}

async function main(init: CopySideInit, metrics: ShadowMetrics, port: NonNullable<typeof parentPort>): Promise<void> {
  yieldToServedPath();
  for (const secret of init.secrets) rememberSecret(secret);
  const log = new TrafficLog({ dir: init.log.dir, maxBytes: init.log.maxBytes, redact: lineRedactor(init.log.redactPersonal) });
  const { candidate } = init;
  const client: CandidateClient =
    candidate.wire === "openai"
      ? openAIWireClient(candidate.endpoint, candidate.variant, upstreamAgent(init.proxies, init.maxInFlight), init.maxResponseBytes)
      : await anthropicClient(candidate.variant, candidate.environment, init.proxies, init.maxInFlight, init.maxResponseBytes);
  const cost = init.cost;
  const copier = new CandidateCopier({
    client,
    maxInFlight: init.maxInFlight,
    queue: init.queue,
    timeoutMs: init.timeoutMs,
    metrics,
    ...(cost ? { cost: { window: new CostWindow(cost.capUsd), costOf: (usage) => costOf(usage, cost.price) } } : {}),
  });
  const pending = new Map<number, Pending>();

  const write = (id: number, entry: Pending) => {
    if (!entry.candidate || !entry.baseline) return;
    pending.delete(id);
    const line: TrafficLine = {
      v: 1,
      id: `shadow-${randomUUID()}`,
      ts: entry.ts,
      source: "modelgate-shadow",
      request: trafficRequest(entry.request),
      arms: { baseline: entry.baseline, candidate: entry.candidate },
    };
    log.append(line, credentialMask(entry.credentials));
    metrics.countLine();
  };

  const onCopy = (message: Extract<CopyMessage, { k: "copy" }>) => {
    metrics.countReceived();
    let request: JsonObject;
    try {
      const value = JSON.parse(Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString("utf8"));
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
      request = value;
    } catch {
      // The baseline answers the bad request itself; there is nothing to copy.
      metrics.drop("error");
      return;
    }
    const entry: Pending = { request, ts: message.ts, credentials: message.credentials };
    pending.set(message.id, entry);
    copier.offer(request, (result) => {
      if (!result.sent) pending.delete(message.id);
      else {
        entry.candidate = result.arm;
        write(message.id, entry);
      }
    });
  };

  const onServed = (message: Extract<CopyMessage, { k: "served" }>) => {
    const entry = pending.get(message.id);
    if (!entry) return; // its copy was dropped
    const model = typeof entry.request.model === "string" ? entry.request.model : "unknown";
    entry.baseline = baselineArm(model, message.result);
    write(message.id, entry);
  };

  port.on("message", (batch: CopyMessage[]) => {
    for (const message of batch) {
      if (message.k === "copy") onCopy(message);
      else if (message.k === "served") onServed(message);
      else
        void copier
          .drain(message.graceMs)
          .then(() => log.close())
          .then(() => port.postMessage({ k: "drained", files: log.files, ...(log.error ? { error: log.error.message } : {}) } satisfies CopyReply));
    }
  });
  port.postMessage({ k: "ready" } satisfies CopyReply);
}

function baselineArm(model: string, result: ServedResult): TrafficArm {
  const captured = result.captured ? { ...result.captured, body: Buffer.from(result.captured.body) } : undefined;
  const answer = captured ? readCompletion(captured) : { output: null, error: result.error ?? { kind: "network" as const, message: "no response" } };
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
 * Lowest CPU priority for this thread only (Linux applies setpriority to the calling thread): when the
 * cores are busy, the scheduler runs the served path first and the copies with what is left, rather than
 * giving the copy side a time slice the served request has to wait out. Elsewhere it is a no-op or
 * applies process-wide, so it is not done there.
 */
function yieldToServedPath(): void {
  if (process.platform !== "linux") return;
  try {
    setPriority(19);
  } catch {
    // not permitted: the copies keep the default priority
  }
}

/**
 * The client's own credentials, masked in its line: a key the secret patterns do not recognise (a
 * gateway's opaque token) must not be written because the client's message happened to quote it.
 */
function credentialMask(values: string[]): ((text: string) => string) | undefined {
  if (values.length === 0) return undefined;
  return (text) => values.reduce((masked, value) => (masked.includes(value) ? masked.split(value).join("***") : masked), text);
}

const port = parentPort;
if (port) {
  const data = workerData as { init: CopySideInit; metrics: SharedArrayBuffer };
  main(data.init, new ShadowMetrics(data.metrics, "worker"), port).catch((error: Error) =>
    port.postMessage({ k: "failed", message: error.message } satisfies CopyReply),
  );
}
