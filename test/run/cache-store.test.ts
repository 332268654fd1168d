/**
 * The response cache's folder of append-only segments (src/run/response-store.ts): what one run writes
 * the next finds; a torn or corrupt line is a miss, never an error; runs writing at once never mix;
 * entries of the earlier one-file-per-entry layout are still read, counted and cleared.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CacheStore, type StoredResponse } from "../../src/run/response-store.js";
import { tempFolderForTest } from "../support/temp-folder.js";

const folder = () => tempFolderForTest("modelgate-cache-");

function entry(n: number, text = `answer ${n}`): StoredResponse {
  return {
    v: 1,
    key: n.toString(16).padStart(64, "0"),
    provider: "openai",
    model: "m",
    response: { text, tool_calls: [], usage: { input_tokens: 3, output_tokens: 5 } },
    latency_ms: 7,
    recorded_at: "2026-11-27T00:00:00.000Z",
  };
}

describe("CacheStore", () => {
  test("what one store puts, a later one gets; a key never put is a miss", () => {
    const dir = folder();
    const first = new CacheStore(dir);
    for (let n = 1; n <= 50; n++) first.put(entry(n, `answer ${n} — ünïcödé ✓`));
    expect(first.get(entry(7).key)?.response.text).toBe("answer 7 — ünïcödé ✓"); // the writing store reads its own
    first.close();
    const second = new CacheStore(dir);
    expect(second.get(entry(50).key)).toEqual(entry(50, "answer 50 — ünïcödé ✓"));
    expect(second.get(entry(51).key)).toBeUndefined();
    expect(second.stats().entries).toBe(50);
    expect(readdirSync(join(dir, "segments"))).toHaveLength(1);
    expect(second.clear()).toBe(50);
    expect(existsSync(join(dir, "segments"))).toBe(false);
    expect(second.get(entry(50).key)).toBeUndefined();
  });

  test("entries put in one event-loop turn are on disk, in one write, when the turn ends", async () => {
    const dir = folder();
    const store = new CacheStore(dir);
    for (let n = 1; n <= 3; n++) store.put(entry(n));
    const segment = join(dir, "segments", readdirSync(join(dir, "segments"))[0] as string);
    expect(readFileSync(segment, "utf8")).toBe(""); // still this turn
    await new Promise((resolve) => setImmediate(resolve));
    // Another process (a concurrent run, or the next run after a kill -9) finds them without a close().
    const other = new CacheStore(dir);
    expect([1, 2, 3].map((n) => other.get(entry(n).key)?.response.text)).toEqual(["answer 1", "answer 2", "answer 3"]);
    store.put(entry(4));
    expect(store.get(entry(4).key)?.response.text).toBe("answer 4"); // its own pending entry, read back
    store.close();
    other.close();
  });

  test.skipIf(!existsSync("/proc/self/fd"))("a write that fails at the end of the turn is thrown by the next put, and by close", async () => {
    const dir = folder();
    const store = new CacheStore(dir);
    store.put(entry(1));
    const segment = join(dir, "segments", readdirSync(join(dir, "segments"))[0] as string);
    // Close the segment's descriptor behind the store's back, so its deferred write fails (EBADF).
    const fd = readdirSync("/proc/self/fd").find((n) => {
      try {
        return readlinkSync(`/proc/self/fd/${n}`) === segment;
      } catch {
        return false;
      }
    });
    expect(fd).toBeDefined();
    closeSync(Number(fd));
    await new Promise((resolve) => setImmediate(resolve)); // no uncaught exception here
    expect(() => store.put(entry(2))).toThrow(/EBADF/);
    expect(() => store.close()).toThrow(/EBADF/);
  });

  test("a torn last line (kill -9 mid-write) and a corrupt line are misses; the other entries stay", () => {
    const dir = folder();
    const store = new CacheStore(dir);
    store.put(entry(1));
    store.put(entry(2));
    store.close();
    const segment = join(dir, "segments", readdirSync(join(dir, "segments"))[0] as string);
    const third = JSON.stringify(entry(3));
    appendFileSync(segment, `${JSON.stringify(entry(4)).replace('"answer 4"', '"answer 4')}\n${third.slice(0, third.length - 9)}`);
    const reader = new CacheStore(dir);
    expect(reader.get(entry(1).key)?.response.text).toBe("answer 1");
    expect(reader.get(entry(2).key)?.response.text).toBe("answer 2");
    expect(reader.get(entry(3).key)).toBeUndefined();
    expect(reader.get(entry(4).key)).toBeUndefined();
    // A miss is put again, and then found.
    reader.put(entry(3));
    reader.close();
    expect(new CacheStore(dir).get(entry(3).key)?.response.text).toBe("answer 3");
  });

  test("a segment larger than the 1 MB it is indexed by, with lines across the reads and one line longer than a read", () => {
    const dir = folder();
    const writer = new CacheStore(dir);
    const long = "x".repeat(1_500_000);
    for (let n = 1; n <= 3000; n++) writer.put(entry(n, n === 1500 ? long : `answer ${n} ${"y".repeat(700)}`));
    writer.close();
    const reader = new CacheStore(dir);
    expect(reader.stats().entries).toBe(3000);
    for (const n of [1, 1499, 1500, 1501, 2999, 3000])
      expect(reader.get(entry(n).key)?.response.text).toBe(n === 1500 ? long : `answer ${n} ${"y".repeat(700)}`);
    reader.close();
  });

  test("two stores writing at once keep separate segments; a third sees both", () => {
    const dir = folder();
    const a = new CacheStore(dir);
    const b = new CacheStore(dir);
    for (let n = 1; n <= 20; n++) (n % 2 ? a : b).put(entry(n));
    a.close();
    b.close();
    expect(readdirSync(join(dir, "segments"))).toHaveLength(2);
    const c = new CacheStore(dir);
    for (let n = 1; n <= 20; n++) expect(c.get(entry(n).key)?.response.text).toBe(`answer ${n}`);
    expect(c.stats().entries).toBe(20);
  });

  test("entries of the earlier layout (<2 hex>/<key>.json) are read, counted and cleared; nothing else is touched", () => {
    const dir = folder();
    const old = entry(9, "from the old layout");
    mkdirSync(join(dir, old.key.slice(0, 2)));
    writeFileSync(join(dir, old.key.slice(0, 2), `${old.key}.json`), JSON.stringify(old));
    writeFileSync(join(dir, "notes.txt"), "not the cache's");
    mkdirSync(join(dir, "segments"));
    writeFileSync(join(dir, "segments", "mine.jsonl"), `${JSON.stringify(entry(5))}\n`); // --cache-dir . in a project with a segments/ folder
    const store = new CacheStore(dir);
    expect(store.get(old.key)?.response.text).toBe("from the old layout");
    store.put(entry(1));
    expect(store.stats().entries).toBe(2);
    expect(store.clear()).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(["notes.txt", "segments"]);
    expect(readdirSync(join(dir, "segments"))).toEqual(["mine.jsonl"]);
    expect(store.get(old.key)).toBeUndefined();
    expect(store.get(entry(5).key)).toBeUndefined();
    expect(new CacheStore(dir).stats()).toEqual({ entries: 0, bytes: 0 });
  });
});
