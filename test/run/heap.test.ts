import { describe, expect, test } from "vitest";
import { limitHeapGrowth } from "../../src/run/heap.js";

describe("limitHeapGrowth", () => {
  test.each([
    ["NODE_OPTIONS", { NODE_OPTIONS: "--max-old-space-size=4096" }, []],
    ["NODE_OPTIONS (underscores)", { NODE_OPTIONS: "--heap_growing_percent=20" }, []],
    ["node's own flags", {}, ["--max-old-space-size=2048"]],
  ])("leaves the heap alone when the user tuned it through %s", (_where, env, execArgv) => {
    expect(limitHeapGrowth(env, execArgv)).toBe(false);
  });

  test("sets the growth factor when the user's flags say nothing of the heap", () => {
    expect(limitHeapGrowth({ NODE_OPTIONS: "--enable-source-maps --max-http-header-size=16384" }, ["--no-warnings"])).toBe(true);
  });
});
