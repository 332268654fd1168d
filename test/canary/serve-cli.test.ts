/**
 * `canary serve` as its own process (sources, and the built bundle in the dist project): with no prior
 * `analyze`, a request first judges the windows closed so far; traffic appended later is judged at the
 * next request. Argo's web provider gets 200 + JSON; Flagger's rollback hook succeeds only on rollback.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { spawnModelgate } from "../support/spawn-cli.js";
import { broken, healthy, project, writeTrafficFile } from "./canary-project.js";

async function address(serve: ReturnType<typeof spawnModelgate>): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const found = /serving on (http:\/\/[^ ]+)/.exec(serve.stderrSoFar());
    if (found?.[1]) return found[1];
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`canary serve did not start: ${serve.stderrSoFar()}`);
}

describe("canary serve", () => {
  test("judges closed windows before answering; Argo gets 200 + the verdict; Flagger's rollback hook only on rollback", async () => {
    const dir = project([healthy, healthy, healthy]);
    const serve = spawnModelgate(["canary", "serve", "--plan", "canary.yaml", "--listen", "127.0.0.1:0"], { cwd: dir });
    onTestFinished(() => serve.kill("SIGKILL"));
    const base = await address(serve);

    const healthyAnswer = await fetch(`${base}/v1/canary/checkout`);
    expect(healthyAnswer.status).toBe(200);
    expect(await healthyAnswer.json()).toMatchObject({ verdict: "pass", decision: "promote", stage: "25%", n: { baseline: 800, candidate: 200 } });
    expect((await fetch(`${base}/flagger/confirm-traffic-increase`, { method: "POST", body: "{}" })).status).toBe(200);
    expect((await fetch(`${base}/flagger/rollback`, { method: "POST", body: "{}" })).status).toBe(403);

    writeTrafficFile(dir, [healthy, healthy, broken, healthy]);
    const failing = await fetch(`${base}/v1/canary/checkout`);
    expect(failing.status).toBe(200);
    expect(await failing.json()).toMatchObject({ verdict: "fail", decision: "rollback" });
    expect((await fetch(`${base}/flagger/rollback`, { method: "POST", body: "{}" })).status).toBe(200);
    expect((await fetch(`${base}/flagger/confirm-promotion`, { method: "POST", body: "{}" })).status).toBe(403);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/modelgate_canary_decision\{canary="checkout",decision="rollback"\} 1/);

    serve.kill("SIGTERM");
    expect((await serve.exited).exitCode).toBe(0);
  }, 60_000);
});
