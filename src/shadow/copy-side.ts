/**
 * The copy side of the proxy, as the served path sees it: a worker thread (copy-worker.ts) that builds
 * the candidate's copies, sends them, reads both arms' answers and writes the traffic log.
 *
 * Why a thread: measured with bench/shadow.ts (64 keep-alive clients, baseline 40–60 ms, fast
 * candidate, every request copied), doing the copies on the served path's event loop doubled the
 * proxy's CPU (≈ 4.3 → 9.6 s per run), raised its GC pauses from ≤ 5 ms to 12–20 ms (copies' bodies,
 * both answers, the log lines) and added 1.5–3 ms to the served median against --sample 0. In the
 * worker that work and its garbage have their own event loop and heap: the main thread only hashes
 * the sample key, keeps the baseline's bytes and posts them, batched once per loop turn, after the
 * served request has been sent (`setImmediate`). See bench/README.md for the figures.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ProviderEnvironment } from "../providers/types.js";
import type { Pricing, VariantSpec } from "../types.js";
import type { DropReason, ShadowMetrics } from "./metrics.js";
import type { OpenAIWireEndpoint } from "./openai-wire-client.js";
import type { ServedResult } from "./served-path.js";
import type { ProxySettings } from "./upstream-agent.js";

/** Everything the worker needs, as plain data (functions do not cross threads). */
export interface CopySideInit {
  candidate:
    | { wire: "openai"; variant: VariantSpec; endpoint: OpenAIWireEndpoint }
    | { wire: "anthropic"; variant: VariantSpec; environment: Omit<ProviderEnvironment, "fetch"> };
  proxies: ProxySettings;
  maxInFlight: number;
  queue: number;
  timeoutMs: number;
  maxResponseBytes: number;
  log: { dir: string; maxBytes: number; redactPersonal: boolean };
  /** `--max-cost-per-hour` and the candidate's price */
  cost?: { capUsd: number; price: Pricing };
  /** secret values the log masks (the worker's redaction module starts empty) */
  secrets: string[];
}

/** Main → worker, batched in arrays. */
export type CopyMessage =
  | { k: "copy"; id: number; ts: string; body: Uint8Array; credentials: string[] }
  | { k: "served"; id: number; result: ServedResult }
  | { k: "drain"; graceMs: number };

/** Worker → main. */
export type CopyReply = { k: "ready" } | { k: "failed"; message: string } | { k: "drained"; files: string[]; error?: string };

export interface CopySide {
  /** Why a copy would be dropped now (counted), before anything is kept for it; undefined: send it. */
  refusal(): DropReason | undefined;
  /** A sampled request: its body (sent on to the worker after this turn) and the client's credential values to mask. */
  copy(body: Buffer, credentials: string[]): number;
  /** The served answer of copy `id`. */
  served(id: number, result: ServedResult): void;
  /** Waits up to `graceMs` for copies, flushes the log, ends the thread; the log's files and its first write error. */
  drain(graceMs: number): Promise<{ files: string[]; error?: string }>;
}

/** The worker's script: the bundle's `shadow-worker.js` beside this chunk, or (tests, on the sources) copy-worker.ts through tsx. */
function workerScript(): { script: string | URL; eval: boolean } {
  const bundled = new URL("./shadow-worker.js", import.meta.url);
  if (existsSync(bundled)) return { script: bundled, eval: false };
  // Node 20 cannot load TypeScript in a worker by itself: register tsx there first (source checkouts only).
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const tsx = pathToFileURL(join(tsxRoot, "dist", "esm", "api", "index.mjs")).href;
  const source = new URL("./copy-worker.ts", import.meta.url).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`,
    eval: true,
  };
}

export async function startCopySide(init: CopySideInit, metrics: ShadowMetrics): Promise<CopySide> {
  const { script, eval: isEval } = workerScript();
  const worker = new Worker(script, { eval: isEval, workerData: { init, metrics: metrics.buffer } });
  let pending: CopyMessage[] = [];
  let flushing = false;
  let nextId = 0;
  /** copies posted whose arrival the worker has not yet counted: with its queue, what `refusal` compares to the room left */
  let posted = 0;
  const flush = () => {
    flushing = false;
    if (pending.length === 0) return;
    worker.postMessage(pending);
    pending = [];
  };
  const post = (message: CopyMessage) => {
    pending.push(message);
    if (!flushing) {
      flushing = true;
      setImmediate(flush);
    }
  };
  let drained: ((reply: { files: string[]; error?: string }) => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    worker.on("message", (reply: CopyReply) => {
      if (reply.k === "ready") resolve();
      else if (reply.k === "failed") reject(new Error(reply.message));
      else drained?.({ files: reply.files, ...(reply.error !== undefined ? { error: reply.error } : {}) });
    });
    worker.once("error", reject);
  });
  worker.on("error", (error) => {
    // A bug in the copy side must not take the served path down: copies stop, serving goes on.
    process.stderr.write(`modelgate shadow: the copy side failed, copies stop: ${error.message}\n`);
  });
  return {
    refusal() {
      if (metrics.costCapped) {
        metrics.drop("cost_cap");
        return "cost_cap";
      }
      const waiting = metrics.copiesQueued + (posted - metrics.copiesReceived);
      const room = init.queue + Math.max(0, init.maxInFlight - metrics.copiesInFlight);
      if (waiting >= room) {
        metrics.drop("queue_full");
        return "queue_full";
      }
      return undefined;
    },
    copy(body, credentials) {
      const id = nextId++;
      posted++;
      post({ k: "copy", id, ts: new Date().toISOString(), body, credentials });
      return id;
    },
    served(id, result) {
      post({ k: "served", id, result });
    },
    async drain(graceMs) {
      flush();
      const reply = await new Promise<{ files: string[]; error?: string }>((resolve) => {
        drained = resolve;
        worker.postMessage([{ k: "drain", graceMs } satisfies CopyMessage]);
        worker.once("exit", () => resolve({ files: [], error: "the copy side ended early" }));
      });
      await worker.terminate();
      return reply;
    },
  };
}
