/**
 * The HTML report of a multi-tenant run in headless Chromium at 1400 and 390 px wide: the segment table
 * (worst first, tenant rules beside their segment) and its filter, the structural tool-call diff
 * (`amount: 20 → 25`, no call ids), the JSON key diff (and "same JSON" for a reformatted answer), and no
 * horizontal overflow. Screenshots go to a temp folder (never into git); skipped without /usr/bin/chromium.
 */
import { existsSync } from "node:fs";
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderHtml } from "../../src/report/html.js";
import { makeTenantReport } from "./tenant-report.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);

describe.skipIf(!available)(`HTML report screenshots${available ? "" : ` (skipped: ${CHROMIUM} not found)`}`, () => {
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    shots = await mkdtemp(join(tmpdir(), "modelgate-shots-"));
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(width: number): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await page.route("**", (route) => route.abort());
    await page.setContent(renderHtml(makeTenantReport()), { waitUntil: "load" });
    return { page, problems };
  }

  async function overflow(page: Page): Promise<number> {
    return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  }

  test.each([1400, 390])("at %i px: segments, filter, tool-call and JSON diffs, no horizontal overflow", async (width) => {
    const { page, problems } = await open(width);

    // Segments, worst first, the tenant rule beside its segment.
    const rows = page.locator("#segment-table tbody tr.segment-row");
    expect(await rows.count()).toBe(6);
    expect(await rows.first().locator(".tag").textContent()).toBe("tenant:acme");
    expect(await rows.first().locator(".seg-rules").textContent()).toMatch(/pass_rate max_drop 0\.05\s*fail/);
    const globex = rows.filter({ hasText: "tenant:globex" });
    expect(await globex.locator(".seg-rules").textContent()).toMatch(/pass_rate max_drop 0\.05\s*pass/);
    expect(await rows.first().locator("td").nth(6).textContent()).toBe("2");

    // The filter: a kind of tag narrows the table; one segment also narrows the case table.
    const options = await page.locator("#segment-filter option").allTextContents();
    expect(options).toContain("tenant:* (3)");
    await page.selectOption("#segment-filter", { label: "tenant:* (3)" });
    expect(await page.locator("#segment-table tbody tr.segment-row:visible").count()).toBe(3);
    await page.selectOption("#segment-filter", { label: "tenant:acme (n=2)" });
    expect(await page.locator("#segment-table tbody tr.segment-row:visible").count()).toBe(1);
    expect(await page.locator("#case-rows tr.case-row").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-case-id")))).toEqual([
      "refund-acme",
      "triage-acme",
    ]);
    await page.selectOption("#segment-filter", "");
    expect(await page.locator("#case-rows tr.case-row").count()).toBe(4);

    // Tool calls: name, then each argument; the random call ids are not part of the diff.
    await page.click('tr.case-row[data-case-id="refund-acme"]');
    const toolDiff = page.locator('.case-detail[data-case-id="refund-acme"] .tool-call-diff');
    expect(await toolDiff.locator(".call-name").textContent()).toBe("issue_refund");
    const amount = toolDiff.locator("li.change-changed");
    expect(await amount.count()).toBe(1);
    expect(await amount.locator(".path").textContent()).toBe("amount");
    expect(await amount.locator("del").textContent()).toBe("20");
    expect(await amount.locator("ins").textContent()).toBe("25");
    expect(await toolDiff.textContent()).not.toMatch(/call_/);
    // A traffic case says where and when it was captured, and its tags.
    expect(await page.locator('.case-detail[data-case-id="refund-acme"] .traffic-origin').textContent()).toBe(
      "Traffic: captured 2026-06-12T10:00:03.000Z · from litellm · tags tenant:acme, tools",
    );
    expect(await page.locator('.case-detail[data-case-id="triage-acme"] .traffic-origin').count()).toBe(0);

    // JSON key by key: the changed key, and a reformatted-only answer is "same JSON" without word-diff marks.
    await page.click('tr.case-row[data-case-id="triage-acme"]');
    const jsonDiff = page.locator('.case-detail[data-case-id="triage-acme"] .json-diff');
    expect(await jsonDiff.locator("li").count()).toBe(1);
    expect(await jsonDiff.locator(".path").textContent()).toBe("priority");
    expect(await jsonDiff.locator("del").textContent()).toBe('"urgent"');
    expect(await jsonDiff.locator("ins").textContent()).toBe('"high"');
    await page.click('tr.case-row[data-case-id="triage-globex"]');
    const same = page.locator('.case-detail[data-case-id="triage-globex"]');
    expect(await same.locator(".json-diff").textContent()).toContain("Same JSON value on both sides");
    expect(await same.locator("pre.output ins, pre.output del").count()).toBe(0);

    // Nothing wider than the viewport, with every detail open.
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    const path = join(shots, `report-${width}.png`);
    await page.screenshot({ path, fullPage: true });
    expect((await stat(path)).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
    await page.close();
  });
});
