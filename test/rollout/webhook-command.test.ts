/**
 * Webhook and command: a real local HTTP server receives the POST (2xx required, header values from
 * the environment never in the audit log); a real shell command gets MODELGATE_DECISION / _PERCENT /
 * _PLAN (exit 0 required). Neither can be read back, so the record stands in for the live state.
 */
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { applyDecision } from "../../src/rollout/apply.js";
import { readAudit } from "../../src/rollout/audit.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { makeRolloutPlan, rejection } from "./rollout-fixtures.js";

const secret = "hook-secret-0123456789abcdef";
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function startHook(status = 200) {
  const received: Array<{ headers: IncomingHttpHeaders; body: unknown }> = [];
  const server = createServer(async (request, response) => {
    let text = "";
    for await (const chunk of request) text += chunk;
    received.push({ headers: request.headers, body: JSON.parse(text) });
    response.writeHead(status).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rollout`, received };
}

const window = { start: "2025-01-01T00:00:00.000Z", end: "2025-01-01T00:15:00.000Z" };

describe("webhook actuator", () => {
  test("POSTs {decision, percent, plan, window}; header values from the environment; rollback is percent 0", async () => {
    const hook = await startHook();
    const plan = makeRolloutPlan(tempFolderForTest("modelgate-hook-"), {
      kind: "webhook",
      url: hook.url,
      headers: { authorization: { env: "HOOK_TOKEN" }, "x-team": "support" },
    });
    const env = { HOOK_TOKEN: secret };
    await applyDecision({ plan, decision: "promote", window, target: { percent: 25, tenants: [] }, env });
    await applyDecision({ plan, decision: "rollback", window: { start: window.end, end: "2025-01-01T00:30:00.000Z" }, env });
    expect(hook.received.map((r) => r.body)).toEqual([
      { decision: "promote", percent: 25, plan: "support-bot", window, tenants: [], plan_sha256: plan.sha256 },
      {
        decision: "rollback",
        percent: 0,
        plan: "support-bot",
        window: { start: window.end, end: "2025-01-01T00:30:00.000Z" },
        tenants: [],
        plan_sha256: plan.sha256,
      },
    ]);
    expect(hook.received[0]?.headers.authorization).toBe(secret);
    expect(hook.received[0]?.headers["x-team"]).toBe("support");
    const audit = readFileSync(join(plan.stateDir, "audit.jsonl"), "utf8");
    expect(audit).not.toContain(secret);
    expect(readAudit(plan.stateDir)[0]?.effect).toMatchObject({
      calls: [{ method: "POST", url: hook.url, status: 200, headers: { authorization: "{env: HOOK_TOKEN}" } }],
    });
  });

  test("a non-2xx answer fails the change (exit 3) and is audited as failed", async () => {
    const hook = await startHook(503);
    const plan = makeRolloutPlan(tempFolderForTest("modelgate-hook-"), { kind: "webhook", url: hook.url });
    const error = await rejection(() => applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: {} }));
    expect([error.exitCode, error.message.includes("HTTP 503")]).toEqual([3, true]);
    expect(readAudit(plan.stateDir)[0]?.failed).toContain("HTTP 503");
  });
});

describe("command actuator", () => {
  test("runs the command with MODELGATE_DECISION, MODELGATE_PERCENT and MODELGATE_PLAN; exit 0 required", async () => {
    const dir = tempFolderForTest("modelgate-command-");
    const out = join(dir, "calls.txt");
    const plan = makeRolloutPlan(dir, { kind: "command", command: `echo "$MODELGATE_DECISION $MODELGATE_PERCENT $MODELGATE_PLAN" >> '${out}'` });
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: { PATH: process.env.PATH } });
    await applyDecision({ plan, decision: "rollback", window: null, env: { PATH: process.env.PATH } });
    expect(readFileSync(out, "utf8")).toBe("set 5 support-bot\nrollback 0 support-bot\n");
    expect(readAudit(plan.stateDir).map((e) => "command" in e.effect && e.effect.command.exit_code)).toEqual([0, 0]);

    const failing = makeRolloutPlan(tempFolderForTest("modelgate-command-"), { kind: "command", command: "echo nope >&2; exit 4" });
    const error = await rejection(() =>
      applyDecision({ plan: failing, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: { PATH: process.env.PATH } }),
    );
    expect([error.exitCode, error.message]).toEqual([3, 'command "echo nope >&2; exit 4" exited 4: nope']);
  });

  test("--dry-run runs nothing", async () => {
    const dir = tempFolderForTest("modelgate-command-");
    const plan = makeRolloutPlan(dir, { kind: "command", command: `touch '${join(dir, "ran")}'` });
    const result = await applyDecision({ plan, decision: "set", window: null, target: { percent: 5, tenants: [] }, env: {}, dryRun: true });
    expect(result.effect).toMatchObject({ command: { env: { MODELGATE_DECISION: "set", MODELGATE_PERCENT: "5", MODELGATE_PLAN: "support-bot" } } });
    expect(() => readFileSync(join(dir, "ran"))).toThrow();
  });
});
