/** A canary project for CLI tests: rubric, config, plan and synthetic traffic (test/canary/traffic-fixture.ts). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempFolderForTest } from "../support/temp-folder.js";
import { canaryTraffic, type WindowProfile } from "./traffic-fixture.js";

export const start = Date.parse("2026-06-12T10:00:00Z");
export const window = 15 * 60_000;
export const healthy: WindowProfile = { baseline: { n: 800, badJson: 0.02 }, candidate: { n: 200, badJson: 0.02 } };
export const broken: WindowProfile = { baseline: { n: 800, badJson: 0.02 }, candidate: { n: 200, badJson: 0.15 } };
export const quiet: WindowProfile = { baseline: { n: 300, badJson: 0.02 }, candidate: { n: 10, badJson: 0.02 } };

export const rubric = `name: live
checks:
  - { id: format, type: is-json, category: format }
`;

export function planText(extra = ""): string {
  return `name: checkout
rubric: live.yaml
baseline: stable
candidate: canary
traffic: traffic/*.jsonl
window: 15m
window_lag: 0m
min_requests: 50
stages:
  - { percent: 5 }
  - { percent: 25 }
  - { percent: 100 }
promote:
  consecutive: 2
  rules:
    - { metric: format.pass_rate, min: 0.90 }
rollback:
  windows: 1
  rules:
    - { metric: format.pass_rate, max_drop: 0.05, mode: significant }
    - { metric: error_rate, max: 0.05 }
max_duration: 1d
${extra}`;
}

export function project(windows: WindowProfile[], extra = "", seed = 7): string {
  const dir = tempFolderForTest("mg-canary-cli-");
  writeFileSync(join(dir, "live.yaml"), rubric);
  writeFileSync(join(dir, "canary.yaml"), planText(extra));
  writeFileSync(
    join(dir, "modelgate.config.yaml"),
    "variants:\n  stable: { provider: openai, model: gpt-4o-2024-08-06 }\n  canary: { provider: openai, model: gpt-4o-2025-01-21 }\n",
  );
  writeTrafficFile(dir, windows, seed);
  return dir;
}

export function writeTrafficFile(dir: string, windows: WindowProfile[], seed = 7): void {
  mkdirSync(join(dir, "traffic"), { recursive: true });
  writeFileSync(join(dir, "traffic", "canary.traffic.jsonl"), canaryTraffic({ startMs: start, windowMs: window, windows, seed }));
}
