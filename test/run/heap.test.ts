import { getHeapStatistics } from "node:v8";
import { describe, expect, test } from "vitest";
import { limitHeapGrowth, limitHeapGrowthOnceLarge } from "../../src/run/heap.js";

const tunedBy: Array<[string, NodeJS.ProcessEnv, string[]]> = [
  ["NODE_OPTIONS", { NODE_OPTIONS: "--max-old-space-size=4096" }, []],
  ["NODE_OPTIONS (underscores)", { NODE_OPTIONS: "--heap_growing_percent=20" }, []],
  ["node's own flags", {}, ["--max-old-space-size=2048"]],
];

describe("limitHeapGrowth", () => {
  test.each(tunedBy)("leaves the heap alone when the user tuned it through %s", (_where, env, execArgv) => {
    expect(limitHeapGrowth(env, execArgv)).toBe(false);
  });

  test("sets the growth factor when the user's flags say nothing of the heap", () => {
    expect(limitHeapGrowth({ NODE_OPTIONS: "--enable-source-maps --max-http-header-size=16384" }, ["--no-warnings"])).toBe(true);
  });
});

describe("limitHeapGrowthOnceLarge", () => {
  test("limits at once when the heap is already past the threshold", () => {
    const watch = limitHeapGrowthOnceLarge(0, {}, []);
    expect(watch.limited).toBe(true);
    watch.stop();
  });

  test.each(tunedBy)("leaves the heap alone when the user tuned it through %s", (_where, env, execArgv) => {
    const watch = limitHeapGrowthOnceLarge(0, env, execArgv);
    expect(watch.limited).toBe(false);
    watch.stop();
  });

  test("limits once the heap grows past the threshold, and not before", async () => {
    const watch = limitHeapGrowthOnceLarge(getHeapStatistics().used_heap_size + 32 * 2 ** 20, {}, []);
    expect(watch.limited).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(watch.limited).toBe(false);
    // ~64 MB that stays reachable until the check has seen it.
    const held = Array.from({ length: 64 }, (_, i) => new Array(2 ** 17).fill(i + 0.5));
    await expect.poll(() => watch.limited, { timeout: 2000, interval: 50 }).toBe(true);
    expect(held.length).toBe(64);
    watch.stop();
  });

  test("a stopped watch no longer looks", async () => {
    const watch = limitHeapGrowthOnceLarge(getHeapStatistics().used_heap_size + 32 * 2 ** 20, {}, []);
    watch.stop();
    const held = Array.from({ length: 64 }, (_, i) => new Array(2 ** 17).fill(i + 0.5));
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(watch.limited).toBe(false);
    expect(held.length).toBe(64);
  });
});
