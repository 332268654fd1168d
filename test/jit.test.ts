import { describe, expect, test } from "vitest";
import { tuneJit } from "../src/jit.js";

const nodeTwenty = "11.3.244.8-node.33";

describe("tuneJit", () => {
  test("leaves V8 alone on Node 22 (V8 12), where the change gained nothing", () => {
    expect(tuneJit({}, [], "12.4.254.21-node.33")).toBe(false);
  });

  test.each([
    ["NODE_OPTIONS", { NODE_OPTIONS: "--interrupt-budget=1000" }, []],
    ["NODE_OPTIONS (underscores)", { NODE_OPTIONS: "--interrupt_budget=1000" }, []],
    ["node's own flags", {}, ["--interrupt-budget=1000"]],
  ])("leaves the budget alone when the user set it through %s", (_where, env, execArgv) => {
    expect(tuneJit(env, execArgv, nodeTwenty)).toBe(false);
  });

  // Setting the flag for real only where this V8 knows it (CI also runs these tests on Node 22).
  test.runIf(/^11\.3\./.test(process.versions.v8))("raises the budget on Node 20", () => {
    expect(tuneJit({ NODE_OPTIONS: "--enable-source-maps" }, ["--no-warnings"], process.versions.v8)).toBe(true);
  });
});
