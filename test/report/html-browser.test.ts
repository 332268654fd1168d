/**
 * The HTML report in a real headless Chromium: it loads nothing, logs no errors, filters and expands
 * cases, and renders hostile outputs as text. Skipped when /usr/bin/chromium is not installed.
 */
import { existsSync } from "node:fs";
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderHtml } from "../../src/report/html.js";
import { loadSmallReport, makeLargeReport } from "../support/make-report.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);

interface Loaded {
  page: Page;
  problems: string[];
  requests: string[];
}

describe.skipIf(!available)(`HTML report in Chromium${available ? "" : ` (skipped: ${CHROMIUM} not found)`}`, () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function load(html: string): Promise<Loaded> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    await page.route("**", async (route) => {
      requests.push(route.request().url());
      await route.abort();
    });
    await page.setContent(html, { waitUntil: "load" });
    return { page, problems, requests };
  }

  async function visibleIds(page: Page): Promise<string[]> {
    return page.locator("tr.case-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-case-id") ?? ""));
  }

  test("the harness sees a request when a page makes one (control)", async () => {
    const { page, requests } = await load('<img src="https://example.invalid/pixel.png">');
    try {
      expect(requests).toEqual(["https://example.invalid/pixel.png"]);
    } finally {
      await page.close();
    }
  });

  test("loads without errors or requests and filters the small report", async () => {
    const report = loadSmallReport();
    const { page, problems, requests } = await load(renderHtml(report));
    try {
      await expect(page.locator("#verdict").getAttribute("data-verdict")).resolves.toBe("fail");
      expect(await page.locator("#gate-table tr.rule").count()).toBe(report.gate.rules.length);
      expect(await visibleIds(page)).toEqual(["refund-001", "classify-007", "lookup-030", "extract-044", "summarize-012", "faq-<b>shipping</b>"]);

      await page.click('[data-filter="regressions"]');
      expect(await visibleIds(page)).toEqual(report.regressions);
      await expect(page.locator('[data-filter="regressions"]').getAttribute("aria-pressed")).resolves.toBe("true");

      await page.click('[data-filter="improvements"]');
      expect(await visibleIds(page)).toEqual(report.improvements);

      await page.click('[data-filter="errors"]');
      expect(await visibleIds(page)).toEqual(["lookup-030", "extract-044"]);

      await page.click('[data-filter="all"]');
      await page.selectOption("#tag-filter", "tenant:acme");
      expect(await visibleIds(page)).toEqual(["refund-001"]);
      await page.selectOption("#tag-filter", "");

      await page.selectOption("#check-filter", "format");
      expect(await visibleIds(page)).toEqual(["classify-007", "extract-044"]);
      await page.selectOption("#check-filter", "");

      await page.fill("#search", "c-1009");
      await expect.poll(() => visibleIds(page)).toEqual(["lookup-030"]);
      await page.fill("#search", "");
      await expect.poll(() => visibleIds(page)).toHaveLength(6);

      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test("expands a case into conversation, side-by-side word diff, tool calls and checks", async () => {
    const { page, problems, requests } = await load(renderHtml(loadSmallReport()));
    try {
      await page.click('tr.case-row[data-case-id="refund-001"]');
      const detail = page.locator('.case-detail[data-case-id="refund-001"]');
      await expect(detail.isVisible()).resolves.toBe(true);
      const text = await detail.textContent();
      expect(text).toContain("Refund order A-1234, it arrived broken.");
      expect(text).toContain('"order_id": "A-1234"');
      expect(text).toContain('expected issue_refund(order_id="A-1234") | got no tool calls');
      expect(await detail.locator(".side-baseline del").count()).toBeGreaterThan(0);
      expect(await detail.locator(".side-candidate ins").count()).toBeGreaterThan(0);
      // the diff spans put back together are exactly the outputs
      const candidate = await detail.locator(".side-candidate pre.output").textContent();
      expect(candidate).toBe("I'm sorry, but I can't process refunds directly. Please contact @support-team or visit the help center.");

      await page.click('tr.case-row[data-case-id="refund-001"]');
      expect(await page.locator(".case-detail").count()).toBe(0);

      const directory = await mkdtemp(join(tmpdir(), "modelgate-html-"));
      await page.click('tr.case-row[data-case-id="classify-007"]');
      const screenshot = join(directory, "report.png");
      await page.screenshot({ path: screenshot, fullPage: true });
      expect((await stat(screenshot)).size).toBeGreaterThan(10_000);

      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test("hostile outputs, ids and tags render as text", async () => {
    const { page, problems, requests } = await load(renderHtml(loadSmallReport()));
    try {
      for (const row of await page.locator("tr.case-row").all()) await row.click();
      expect(await page.locator(".case-detail").count()).toBe(6);
      expect(await page.evaluate("typeof window.__xss")).toBe("undefined");
      expect(await page.locator(".case-detail img, .case-detail script, #case-rows b").count()).toBe(0);
      const detail = await page.locator('.case-detail[data-case-id="faq-<b>shipping</b>"]').textContent();
      expect(detail).toContain('"><img src=x onerror=window.__xss=1>');
      expect(detail).toContain("<script>alert(1)</script>");
      expect(await page.locator('tr.case-row[data-case-id="faq-<b>shipping</b>"] .tag').allInnerTexts()).toContain(
        "<img src=x onerror=window.__xss=1>",
      );
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test("stays responsive with 5,000 cases", async () => {
    const report = makeLargeReport(5_000);
    const { page, problems, requests } = await load(renderHtml(report));
    try {
      expect(await page.locator("tr.case-row").count()).toBe(50);
      const regressions = report.cases.filter((c) => c.outcome === "regression").map((c) => c.id);

      const started = Date.now();
      await page.click('[data-filter="regressions"]');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await visibleIds(page)).toEqual(regressions.slice(0, 50));
      await page.click("#next-page");
      expect(await visibleIds(page)).toEqual(regressions.slice(50, 100));
      await expect(page.locator("#page-info").textContent()).resolves.toBe(`51–100 of ${regressions.length} matching (5,000 cases)`);

      await page.click('tr.case-row[data-case-id="case-01000"]');
      await expect(page.locator('.case-detail[data-case-id="case-01000"]').isVisible()).resolves.toBe(true);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
