import { describe, expect, test } from "vitest";
import { AdaptiveLimit, Slots } from "../../src/run/adaptive-limit.js";

describe("AdaptiveLimit (AIMD per endpoint)", () => {
  test("admits up to the ceiling, queues the rest in order", async () => {
    const limit = new AdaptiveLimit(2);
    const a = await limit.acquire();
    const b = await limit.acquire();
    const order: string[] = [];
    const queued = (name: string) =>
      Promise.resolve(limit.acquire()).then((release) => {
        order.push(name);
        return release;
      });
    const c = queued("c");
    const d = queued("d");
    await Promise.resolve();
    expect(order).toEqual([]);
    a();
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(["c", "d"]);
  });

  test("slow start: a small first window that grows by one per success up to the ceiling", () => {
    const limit = new AdaptiveLimit(32);
    expect(limit.current).toBe(8);
    for (let i = 0; i < 8; i++) limit.onSuccess();
    expect(limit.current).toBe(16); // doubled in one round trip's worth of successes
    for (let i = 0; i < 100; i++) limit.onSuccess();
    expect(limit.current).toBe(32);
    expect(new AdaptiveLimit(3).current).toBe(3);
  });

  test("halves on a 429 (once per burst) and grows back by about one per window of successes", () => {
    const limit = new AdaptiveLimit(32);
    for (let i = 0; i < 24; i++) limit.onSuccess();
    expect(limit.current).toBe(32);
    limit.onRateLimited(undefined, 900, 1_000);
    expect(limit.current).toBe(16);
    limit.onRateLimited(undefined, 950, 1_100); // sent before the cut: same burst
    expect(limit.current).toBe(16);
    limit.onRateLimited(undefined, 1_500, 2_000);
    expect(limit.current).toBe(8);
    for (let i = 0; i < 8; i++) limit.onSuccess();
    expect(limit.current).toBe(8); // 8 + 8 × 1/8…  just under 9
    for (let i = 0; i < 12; i++) limit.onSuccess();
    expect(limit.current).toBeGreaterThanOrEqual(9);
    for (let i = 0; i < 10_000; i++) limit.onSuccess();
    expect(limit.current).toBe(32);
  });

  test("a Retry-After pauses new starts until it has passed", async () => {
    const limit = new AdaptiveLimit(4);
    limit.onRateLimited(120, Date.now());
    const started = Date.now();
    const release = await limit.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    release();
  });
});

describe("Slots (the run's ceiling across endpoints)", () => {
  test("a free slot is taken at once, without a promise; the rest wait in arrival order", async () => {
    const slots = new Slots(2);
    const a = slots.acquire();
    const b = slots.acquire();
    expect(typeof a).toBe("function");
    expect(typeof b).toBe("function");
    const order: string[] = [];
    const waiting = ["c", "d", "e"].map((name) => {
      const slot = slots.acquire();
      expect(slot).toBeInstanceOf(Promise);
      return Promise.resolve(slot).then((release) => {
        order.push(name);
        return release;
      });
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    (a as () => void)();
    (a as () => void)(); // a second release gives nothing back
    const c = await waiting[0];
    expect(order).toEqual(["c"]);
    (b as () => void)();
    c?.();
    await Promise.all(waiting);
    expect(order).toEqual(["c", "d", "e"]);
  });

  test("never more holders than the size", async () => {
    const slots = new Slots(3);
    let holding = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const slot = slots.acquire();
        const release = typeof slot === "function" ? slot : await slot;
        holding++;
        most = Math.max(most, holding);
        await new Promise((resolve) => setTimeout(resolve, i % 3));
        holding--;
        release();
      }),
    );
    expect(most).toBe(3);
    expect(typeof slots.acquire()).toBe("function"); // all given back
  });
});
