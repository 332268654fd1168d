import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { normaliseShadowOptions, type RunningShadow, startShadow } from "../../../src/commands/shadow.js";
import type { TrafficLine } from "../../../src/traffic/types.js";
import { tempFolderForTest } from "../../support/temp-folder.js";
import { type ChatServer, type ChatServerOptions, startChatServer } from "./chat-server.js";

export const candidateKey = "sk-candidate-key-0123456789abcdef";
export const clientKey = "sk-client-key-abcdefghijklmnop0123";

export interface ProxyFixture extends RunningShadow {
  baseline: ChatServer;
  candidate: ChatServer;
  /** `http://127.0.0.1:PORT/v1` */
  baseURL: string;
  logDir: string;
  stderr: () => string;
  /** drains the proxy (as on SIGTERM) and returns every traffic line written */
  stop: (graceMs?: number) => Promise<TrafficLine[]>;
  /** the log's files, once stopped */
  files: () => string[];
}

export function readLines(dir: string): TrafficLine[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".traffic.jsonl"))
    .sort()
    .flatMap((name) =>
      readFileSync(join(dir, name), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as TrafficLine),
    );
}

/**
 * Two chat servers (baseline, candidate) and the proxy between them, started through the command's own
 * `startShadow` with a config naming both; everything is closed when the test finishes.
 */
export async function startProxy(
  options: {
    baseline?: ChatServerOptions;
    candidate?: ChatServerOptions;
    flags?: Record<string, string | boolean>;
    candidateVariant?: Record<string, unknown>;
    files?: Record<string, string>;
    /** the proxy's environment, beside the candidate's key */
    env?: Record<string, string>;
  } = {},
): Promise<ProxyFixture> {
  const baseline = await startChatServer(options.baseline);
  const candidate = await startChatServer(options.candidate);
  onTestFinished(async () => {
    await baseline.close();
    await candidate.close();
  });
  const dir = tempFolderForTest("modelgate-shadow-");
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
  const config = {
    variants: {
      base: { provider: "openai-compatible", base_url: baseline.baseUrl, model: "base-model-2024-01-01" },
      cand: {
        provider: "openai-compatible",
        base_url: candidate.baseUrl,
        model: "cand-model-2025-01-01",
        api_key_env: "CANDIDATE_KEY",
        params: { temperature: 0.5 },
        ...options.candidateVariant,
      },
    },
  };
  writeFileSync(join(dir, "modelgate.config.json"), JSON.stringify(config));
  const logDir = join(dir, "log");
  let stderr = "";
  const io = {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    env: { CANDIDATE_KEY: candidateKey, ...options.env },
    cwd: dir,
    signal: new AbortController().signal,
  };
  const parsed = normaliseShadowOptions({
    listen: "127.0.0.1:0",
    baseline: "base",
    candidate: "cand",
    log: "log",
    sample: "1",
    sampleKey: "request",
    maxInFlight: "16",
    queue: "1000",
    candidateTimeout: "60000",
    grace: "10000",
    logMaxBytes: String(100 * 1024 * 1024),
    ...options.flags,
  });
  const running = await startShadow(parsed, io);
  let stopped = false;
  let files: string[] = [];
  const stop = async (graceMs = 5_000) => {
    if (!stopped) {
      stopped = true;
      files = (await running.server.close(graceMs)).files;
    }
    return readLines(logDir);
  };
  onTestFinished(() => stop(0).then(() => undefined));
  return { ...running, baseline, candidate, baseURL: `${running.server.url}/v1`, logDir, stderr: () => stderr, stop, files: () => files };
}
