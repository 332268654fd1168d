/**
 * Synthetic canary traffic (SPEC §9 lines, one arm each, as a canary logs them) with planted truth:
 * per window, how many requests each arm served, how often each arm's answer is not JSON, its latency,
 * and the tenant it came from. Seeded, so a scenario is the same on every run.
 */
import { writeFileSync } from "node:fs";

export interface ArmProfile {
  /** requests this arm serves per window */
  n: number;
  /** the share of answers that are not valid JSON */
  badJson: number;
  /** latency in ms: uniform in [min, max] */
  latency?: [number, number];
  /** the share of requests that errored (server) */
  errors?: number;
}

export interface WindowProfile {
  baseline: ArmProfile;
  candidate: ArmProfile;
  /** tenant tags to draw from (uniformly); default none */
  tenants?: string[];
}

/** mulberry32 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Traffic lines for consecutive windows of `windowMs` from `startMs`; returns the JSONL text. */
export function canaryTraffic(options: {
  startMs: number;
  windowMs: number;
  windows: WindowProfile[];
  seed?: number;
  models?: { baseline: string; candidate: string };
}): string {
  const random = seeded(options.seed ?? 1);
  const models = options.models ?? { baseline: "gpt-4o-2024-08-06", candidate: "gpt-4o-2025-01-21" };
  const lines: string[] = [];
  let id = 0;
  options.windows.forEach((window, index) => {
    const start = options.startMs + index * options.windowMs;
    for (const arm of ["baseline", "candidate"] as const) {
      const profile = window[arm];
      for (let i = 0; i < profile.n; i++) {
        const ts = new Date(start + Math.floor(random() * (options.windowMs - 1000))).toISOString();
        const tenant = window.tenants ? window.tenants[Math.floor(random() * window.tenants.length)] : undefined;
        const [lo, hi] = profile.latency ?? [200, 800];
        const failed = random() < (profile.errors ?? 0);
        const bad = random() < profile.badJson;
        const answer = {
          model: models[arm],
          served: true,
          output: failed ? null : bad ? "Sorry, here is your order status: shipped" : `{"status":"shipped","order":"A-${i}"}`,
          tool_calls: [],
          usage: { input_tokens: 120, output_tokens: 14 },
          latency_ms: Math.round(lo + random() * (hi - lo)),
          status: failed ? 500 : 200,
          error: failed ? { kind: "server", message: "upstream 500" } : null,
        };
        lines.push(
          JSON.stringify({
            v: 1,
            id: `req-${++id}`,
            ts,
            source: "test",
            ...(tenant ? { tags: [`tenant:${tenant}`] } : {}),
            request: { messages: [{ role: "user", content: `Where is order A-${i}? Answer in JSON.` }] },
            arms: { [arm]: answer },
          }),
        );
      }
    }
  });
  lines.sort((a, b) => (JSON.parse(a).ts < JSON.parse(b).ts ? -1 : 1));
  return `${lines.join("\n")}\n`;
}

export function writeTraffic(path: string, text: string): void {
  writeFileSync(path, text);
}
