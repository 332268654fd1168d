/**
 * `modelgate rollout status|set|rollback` through the real CLI entry point, on a flagd file: the payloads
 * come from the plan's config variants (model + sha256 of the prompt text), --dry-run prints the diff and
 * changes nothing, a hand edit is refused with exit 3, invalid values with exit 2.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runModelgate } from "../support/run-cli.js";
import { rolloutProject } from "./cli-project.js";

describe("modelgate rollout (flagd)", () => {
  test("set, status, dry-run, hand edit refused, --force, rollback", async () => {
    const { dir, candidateSha, baselineSha } = rolloutProject("{ kind: flagd, path: flags.json, flag: support-model }");
    const flags = join(dir, "flags.json");
    const run = (...args: string[]) => runModelgate(["rollout", ...args, "--plan", "canary.yaml"], { cwd: dir });

    const dry = await run("set", "--percent", "5", "--dry-run");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("dry run: would change nothing (not set up yet) → 5%");
    expect(dry.stdout).toContain(candidateSha);
    expect(existsSync(flags)).toBe(false);
    expect(existsSync(join(dir, ".modelgate"))).toBe(false);

    expect((await run("set", "--tenants", "internal")).exitCode).toBe(0);
    const set = await run("set", "--percent", "5");
    expect(set.exitCode, set.stderr).toBe(0);
    expect(set.stdout).toContain("0% + tenants internal → 5% + tenants internal");
    const flag = JSON.parse(readFileSync(flags, "utf8")).flags["support-model"];
    expect(flag.variants).toEqual({
      baseline: { model: "gpt-4o-2024-08-06", prompt_sha256: baselineSha },
      candidate: { model: "gpt-4o-2025-01-21", prompt_sha256: candidateSha },
    });

    const status = await run("status", "--json");
    expect(JSON.parse(status.stdout)).toMatchObject({ live: { on: true, percent: 5, tenants: ["internal"] }, matches: true });

    flag.targeting.if[2].fractional = [
      ["candidate", 50],
      ["baseline", 50],
    ];
    writeFileSync(flags, JSON.stringify({ flags: { "support-model": flag } }));
    const refused = await run("set", "--percent", "25");
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain("found 50% + tenants internal, but modelgate last wrote 5% + tenants internal");
    expect((await run("status")).stdout).toContain("matches what modelgate last wrote: NO");

    const forced = await run("set", "--percent", "25", "--force");
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("forced");

    const rollback = await run("rollback");
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    const audit = readFileSync(join(dir, ".modelgate", "canary", "support-bot", "audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(audit.map((e) => [e.decision, e.after.percent, e.forced])).toEqual([
      ["set", 0, false],
      ["set", 5, false],
      ["set", 25, true],
      ["rollback", 0, false],
    ]);
    expect(Object.keys(audit[0]).sort()).toEqual([
      "actuator",
      "after",
      "before",
      "decision",
      "effect",
      "forced",
      "plan",
      "plan_sha256",
      "time",
      "window",
    ]);
  });

  test.each([
    [["set", "--percent", "150"], "expected an integer from 0 to 100"],
    [["set", "--percent", "2.5"], "expected an integer from 0 to 100"],
    [["set", "--percent", "ten"], "expected an integer from 0 to 100"],
    [["set"], "exactly one of --percent N or --tenants a,b"],
    [["set", "--percent", "5", "--tenants", "beta"], "exactly one of --percent N or --tenants a,b"],
    [["set", "--tenants", "a,,b"], "--tenants: expected a comma-separated list"],
  ])("%j is refused (exit 2)", async (args, message) => {
    const { dir } = rolloutProject("{ kind: flagd, path: flags.json, flag: support-model }");
    const result = await runModelgate(["rollout", ...args, "--plan", "canary.yaml"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(existsSync(join(dir, "flags.json"))).toBe(false);
  });

  test("a kind without targeting refuses a tenant stage when the plan is validated", async () => {
    const { dir } = rolloutProject("{ kind: litellm, path: litellm.yaml, model_name: support }");
    const result = await runModelgate(["rollout", "status", "--plan", "canary.yaml"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("litellm");
  });
});
