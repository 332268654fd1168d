/**
 * `modelgate rollout` through the real CLI entry point against the real Unleash (scripts/ci-unleash.sh):
 * the candidate payload is the plan's config variant (model + sha256 of its prompt text); --dry-run
 * prints the exact calls and changes nothing; a rollout changed by hand is refused with exit 3.
 */
import { describe, expect, test } from "vitest";
import { runModelgate } from "../support/run-cli.js";
import { rolloutProject } from "./cli-project.js";
import { admin, adminToken, skipMessage, uniqueFlag, unleashUrl } from "./unleash-server.js";

if (!unleashUrl) console.warn(`test/rollout/unleash-cli.test.ts skipped: ${skipMessage}`);

describe.skipIf(!unleashUrl)("modelgate rollout (unleash)", () => {
  test("dry-run, set, status, a change by hand refused, rollback", async () => {
    const flag = uniqueFlag();
    const { dir, candidateSha } = rolloutProject(
      `{ kind: unleash, url: "${unleashUrl}", token_env: UNLEASH_ADMIN_TOKEN, project: default, flag: ${flag}, environment: production }`,
    );
    const env = { UNLEASH_ADMIN_TOKEN: adminToken };
    const run = (...args: string[]) => runModelgate(["rollout", ...args, "--plan", "canary.yaml"], { cwd: dir, env });

    const dry = await run("set", "--percent", "5", "--dry-run");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`POST ${unleashUrl}/api/admin/projects/default/features\n`);
    expect(dry.stdout).toContain('"rollout": "5"');
    expect(dry.stdout).not.toContain(adminToken);
    await expect(admin("GET", `/api/admin/projects/default/features/${flag}`)).rejects.toThrow("404");

    expect((await run("set", "--percent", "5")).exitCode).toBe(0);
    const status = JSON.parse((await run("status", "--json")).stdout);
    expect(status).toMatchObject({
      live: { on: true, percent: 5, tenants: [] },
      candidate: { model: "gpt-4o-2025-01-21", prompt_sha256: candidateSha },
      matches: true,
    });

    await admin("POST", `/api/admin/projects/default/features/${flag}/environments/production/off`);
    const refused = await run("set", "--percent", "25");
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain("found off (5%), but modelgate last wrote 5%");

    const missingToken = await runModelgate(["rollout", "status", "--plan", "canary.yaml"], { cwd: dir });
    expect(missingToken.exitCode).toBe(2);
    expect(missingToken.stderr).toContain("$UNLEASH_ADMIN_TOKEN");

    expect((await run("rollback", "--force")).exitCode).toBe(0);
    expect(JSON.parse((await run("status", "--json")).stdout)).toMatchObject({ live: { on: false, percent: 0 }, matches: true });
  });
});
