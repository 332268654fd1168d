/**
 * Contract tests for `canary serve`, against the upstream code they follow:
 * - Argo Rollouts, metricproviders/webmetric/webmetric.go (github:argoproj/argo-rollouts): a non-2xx
 *   response is a measurement error; the body is JSON read by `jsonPath`, so the verdict is in a 200.
 * - Flagger, pkg/controller/webhook.go (github:fluxcd/flagger): a webhook passes on a 2xx status only;
 *   the `rollback` hook rolls the canary back when it returns 2xx, so it succeeds only on a rollback.
 */
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { advanceCanary } from "../../src/canary/advance.js";
import { createCanaryServer } from "../../src/canary/serve.js";
import type { CanaryState } from "../../src/canary/state.js";
import { readState } from "../../src/canary/state.js";
import { createRng, liveDefinitions, simulatedPlan, simulatedWindow } from "./simulated-window.js";

const plan = simulatedPlan();
const healthy = { format: 0.98, quality: 0.9 };

function stateAfter(windows: number, candidate = healthy): CanaryState {
  const rng = createRng(5);
  const slots = Array.from({ length: windows }, (_, i) => ({
    start_ms: i * plan.window_ms,
    end_ms: (i + 1) * plan.window_ms,
    cases: simulatedWindow(rng, { baseline: 400, candidate: 200 }, { baseline: healthy, candidate }),
  }));
  return advanceCanary(plan, readState(plan, "/nonexistent-folder"), slots, liveDefinitions);
}

let close: (() => void) | undefined;
afterEach(() => close?.());

async function serve(state: CanaryState | (() => CanaryState)): Promise<string> {
  const server = createCanaryServer({ name: plan.name, plan_sha256: plan.sha256, read: typeof state === "function" ? state : () => state });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => server.close();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = async (url: string) => (await fetch(url, { method: "POST", body: JSON.stringify({ name: "podinfo", phase: "Progressing" }) })).status;

describe("canary serve", () => {
  test("Argo web provider: 200 with the verdict, decision, stage, window, n and rules", async () => {
    const url = await serve(stateAfter(2));
    const response = await fetch(`${url}/v1/canary/${plan.name}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      verdict: expect.stringMatching(/pass|inconclusive/),
      decision: "hold",
      stage: "5%",
      n: { baseline: 400, candidate: 200 },
    });
    expect(body.window).toEqual({ start: "1970-01-01T00:15:00.000Z", end: "1970-01-01T00:30:00.000Z" });
    expect((body.rules as unknown[]).length).toBe(3);
    expect(String(body.reason)).toMatch(/hold/);
  });

  test("before any window: still 200, inconclusive and hold", async () => {
    const url = await serve(stateAfter(0));
    const body = (await (await fetch(`${url}/v1/canary/${plan.name}`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ verdict: "inconclusive", decision: "hold" });
  });

  test("a state modelgate cannot read is the only non-2xx for Argo", async () => {
    const url = await serve(() => {
      throw new Error("state.json: unexpected end of JSON");
    });
    expect((await fetch(`${url}/v1/canary/${plan.name}`)).status).toBe(500);
  });

  test("Flagger while holding: rollout 200, promotion and traffic increase refused, rollback refused", async () => {
    const url = await serve(stateAfter(2));
    expect(await post(`${url}/flagger/rollout`)).toBe(200);
    expect(await post(`${url}/flagger/confirm-promotion`)).not.toBe(200);
    expect(await post(`${url}/flagger/confirm-traffic-increase`)).not.toBe(200);
    expect(await post(`${url}/flagger/rollback`)).not.toBe(200);
  });

  test("Flagger on promote: confirm-promotion and confirm-traffic-increase 200, rollback refused", async () => {
    const state = stateAfter(4, { format: 0.98, quality: 0.97 });
    expect(state.windows.at(-1)?.decision).toBe("promote");
    const url = await serve(state);
    expect(await post(`${url}/flagger/confirm-promotion`)).toBe(200);
    expect(await post(`${url}/flagger/confirm-traffic-increase`)).toBe(200);
    expect(await post(`${url}/flagger/rollback`)).not.toBe(200);
  });

  test("Flagger on rollback: rollback 200 (Flagger rolls back on success), rollout refused", async () => {
    const state = stateAfter(1, { format: 0.8, quality: 0.9 });
    expect(state.windows.at(-1)?.decision).toBe("rollback");
    const url = await serve(state);
    expect(await post(`${url}/flagger/rollback`)).toBe(200);
    expect(await post(`${url}/flagger/rollout`)).not.toBe(200);
    expect(await post(`${url}/flagger/confirm-promotion`)).not.toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/modelgate_canary_decision\{canary="sim",decision="rollback"\} 1/);
    expect(metrics).toMatch(/modelgate_canary_rule_value\{canary="sim",family="rollback",metric="format.pass_rate",verdict="fail"\} 0\.8/);
    expect(metrics).toMatch(/modelgate_canary_rule_bound\{.*metric="format.pass_rate".*\} 0/);
  });
});
