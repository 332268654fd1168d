import { describe, expect, test } from "vitest";
import type { CanaryStage } from "../../src/canary/plan.js";
import { stageTarget } from "../../src/rollout/plan.js";

const stages: CanaryStage[] = [
  { kind: "tenants", name: "internal", tenants: ["internal"], min_duration_ms: 0 },
  { kind: "tenants", name: "beta", tenants: ["beta"], min_duration_ms: 0 },
  { kind: "percent", name: "5%", percent: 5, min_duration_ms: 0 },
  { kind: "percent", name: "25%", percent: 25, min_duration_ms: 0 },
];

describe("stageTarget", () => {
  test.each([
    [0, { percent: 0, tenants: ["internal"] }],
    [1, { percent: 0, tenants: ["internal", "beta"] }],
    [2, { percent: 5, tenants: ["internal", "beta"] }],
    [3, { percent: 25, tenants: ["internal", "beta"] }],
  ])("stage %i: a percentage stage keeps the tenant tiers of earlier stages on", (index, target) => {
    expect(stageTarget({ stages }, index)).toEqual(target);
  });
});
