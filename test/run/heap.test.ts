import { getHeapStatistics } from "node:v8";
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

  test("otherwise sets the growth factor, and the process carries on", () => {
    expect(limitHeapGrowth({ NODE_OPTIONS: "--enable-source-maps" }, [])).toBe(true);
    const garbage = Array.from({ length: 1_000 }, (_, i) => ({ i, text: `x${i}`.repeat(50) }));
    expect(garbage.length).toBe(1_000);
    expect(getHeapStatistics().used_heap_size).toBeGreaterThan(0);
  });
});
