/**
 * Portkey: the real gateway (@portkey-ai/gateway, started here on 127.0.0.1) routes 1,000 requests by
 * the config file modelgate writes to two fake upstreams; the candidate's share matches the percentage,
 * a tenant stage (conditional on `x-portkey-metadata`) sends that tenant to the candidate, rollback none.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { applyDecision } from "../../src/rollout/apply.js";
import { readAudit } from "../../src/rollout/audit.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { baselinePayload, candidatePayload, makeRolloutPlan } from "./rollout-fixtures.js";

const gatewayBin = resolve(import.meta.dirname, "../../node_modules/@portkey-ai/gateway/build/start-server.js");
const upstreamKey = "sk-test-upstream-key-0123456789";

interface Upstream {
  server: Server;
  port: number;
  hits: number;
}

async function startUpstream(): Promise<Upstream> {
  const upstream = { hits: 0 } as Upstream;
  upstream.server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      upstream.hits++;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "x",
          object: "chat.completion",
          created: 0,
          model: "m",
          choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  upstream.server.listen(0, "127.0.0.1");
  await once(upstream.server, "listening");
  upstream.port = (upstream.server.address() as AddressInfo).port;
  return upstream;
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

describe("portkey actuator against the real Portkey gateway", () => {
  let gateway: ChildProcess;
  let gatewayPort: number;
  const upstreams: Record<"baseline" | "candidate", Upstream> = {} as never;

  beforeAll(async () => {
    upstreams.baseline = await startUpstream();
    upstreams.candidate = await startUpstream();
    gatewayPort = await freePort();
    gateway = spawn(process.execPath, [gatewayBin, `--port=${gatewayPort}`, "--headless"], {
      stdio: "ignore",
      env: { PATH: process.env.PATH, NODE_ENV: "production" },
    });
    for (let i = 0; i < 200; i++) {
      const up = await fetch(`http://127.0.0.1:${gatewayPort}/`).then(
        () => true,
        () => false,
      );
      if (up) return;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error("the Portkey gateway did not start");
  }, 30_000);
  afterAll(() => {
    gateway?.kill();
    for (const upstream of Object.values(upstreams)) upstream.server.close();
  });

  function setup() {
    const dir = tempFolderForTest("modelgate-portkey-");
    const path = join(dir, "portkey.json");
    const target = (arm: "baseline" | "candidate", model: string) => ({
      provider: "openai",
      api_key: upstreamKey,
      custom_host: `http://127.0.0.1:${upstreams[arm].port}/v1`,
      override_params: { model },
    });
    writeFileSync(
      path,
      JSON.stringify(
        {
          strategy: { mode: "loadbalance" },
          targets: [target("baseline", baselinePayload.model), { ...target("candidate", candidatePayload.model), weight: 0 }],
        },
        null,
        2,
      ),
    );
    return { path, plan: makeRolloutPlan(dir, { kind: "portkey", path }) };
  }

  /** 1,000 requests through the gateway with the config file as the header; the candidate upstream's share. */
  async function route(path: string, n = 1000, metadata?: Record<string, string>): Promise<number> {
    upstreams.baseline.hits = 0;
    upstreams.candidate.hits = 0;
    // one line, as an application puts the file into the header
    const config = JSON.stringify(JSON.parse(readFileSync(path, "utf8")));
    const headers: Record<string, string> = { "content-type": "application/json", "x-portkey-config": config };
    if (metadata) headers["x-portkey-metadata"] = JSON.stringify(metadata);
    let next = 0;
    const worker = async () => {
      while (next++ < n) {
        const response = await fetch(`http://127.0.0.1:${gatewayPort}/v1/chat/completions`, {
          method: "POST",
          headers,
          body: JSON.stringify({ model: "any", messages: [{ role: "user", content: "hi" }] }),
        });
        expect(response.status, await response.text()).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(upstreams.baseline.hits + upstreams.candidate.hits).toBe(n);
    return upstreams.candidate.hits / n;
  }

  test.each([5, 25, 50])("set %i percent: the gateway routes that share of 1,000 requests to the candidate", async (percent) => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent, tenants: [] }, env: {} });
    // binomial sd at most 1.6 points for 1,000 requests; 6 points is nearly 4 of them
    expect(Math.abs((await route(path)) - percent / 100)).toBeLessThan(0.06);
  });

  test("tenant stage routes the tenant to the candidate; rollback sends everyone to the baseline", async () => {
    const { path, plan } = setup();
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 0, tenants: ["internal"] }, env: {} });
    expect(await route(path, 200, { tenant: "internal" })).toBe(1);
    expect(await route(path, 200, { tenant: "beta" })).toBe(0);
    await applyDecision({ plan, decision: "set", window: null, target: { percent: 25, tenants: [] }, env: {} });
    expect(await route(path, 200, { tenant: "internal" })).toBe(1);
    expect(Math.abs((await route(path, 1000, { tenant: "beta" })) - 0.25)).toBeLessThan(0.06);
    await applyDecision({ plan, decision: "rollback", window: null, env: {} });
    expect(await route(path, 300, { tenant: "internal" })).toBe(0);
    const config = JSON.parse(readFileSync(path, "utf8"));
    expect(config.targets.map((t: { weight: number }) => t.weight)).toEqual([100, 0]);
    expect(config.targets[0].api_key).toBe(upstreamKey); // kept as the team wrote it
    expect(JSON.stringify(readAudit(plan.stateDir))).not.toContain(upstreamKey); // but never in the audit log
  });
});
