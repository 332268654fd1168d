/**
 * The real Unleash server the Unleash tests talk to: started by scripts/ci-unleash.sh (which sets
 * MODELGATE_TEST_UNLEASH_URL and the tokens); without it the tests skip and say how to run them.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Unleash } from "unleash-client";

export const unleashUrl = process.env.MODELGATE_TEST_UNLEASH_URL;
export const adminToken = process.env.MODELGATE_TEST_UNLEASH_ADMIN_TOKEN ?? "";
export const clientToken = process.env.MODELGATE_TEST_UNLEASH_CLIENT_TOKEN ?? "";
export const skipMessage =
  "no Unleash server: run `bash scripts/ci-unleash.sh` (CI does), or `bash scripts/ci-unleash.sh start` and export what it prints";

export function uniqueFlag(): string {
  return `modelgate-test-${randomUUID().slice(0, 8)}`;
}

/** The real unleash-client, polling every 250 ms, connected to the test server (production environment). */
export async function startClient(): Promise<{ client: Unleash; stop(): void }> {
  const backupPath = mkdtempSync(join(tmpdir(), "modelgate-unleash-client-"));
  const client = new Unleash({
    appName: "modelgate-test",
    url: `${unleashUrl}/api`,
    customHeaders: { Authorization: clientToken },
    refreshInterval: 250,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    backupPath,
  });
  client.on("error", () => {});
  await new Promise<void>((resolve) => client.once("synchronized", () => resolve()));
  return {
    client,
    stop() {
      client.destroy();
      rmSync(backupPath, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it holds (the client sees the change) or `ms` pass; returns how long it took. */
export async function within(ms: number, check: () => boolean): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not seen by unleash-client within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - start;
}

/** Calls the Admin API as a person would (to change the rollout by hand). */
export async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${unleashUrl}${path}`, {
    method,
    headers: { authorization: adminToken, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
