/**
 * Untrusted text in every field a report shows — model outputs, tool-call names and arguments, case
 * ids, tags, metadata, check reasons, error messages, variant names, warnings — rendered by every
 * format: in a real Chromium nothing in the HTML report executes (no `window.__xss`, no dialog) and
 * nothing loads; the Markdown has no live HTML or @mention; the JUnit XML parses; the terminal table
 * and stdout carry no escape sequence a model wrote. Browser tests skip when /usr/bin/chromium is missing.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderHtml } from "../../src/report/html.js";
import { renderJUnit } from "../../src/report/junit.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderTerminal } from "../../src/report/terminal.js";
import type { CaseReport, JsonObject, RunReport } from "../../src/types.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeCaseReport, makeCaseRun, makeCheckResult, makeGateRule, makeReport } from "../support/make-report.js";
import { makeProject, runModelgate } from "../support/run-cli.js";

// ---------------------------------------------------------------- the corpus

/** Every payload, marked with `tag` so a hit names the field it came from. */
function corpus(tag: string): string {
  const set = `window.__xss='${tag}'`;
  return [
    `<script>${set}</script>`,
    `<img src=x onerror="${set}">`,
    `"><svg onload="${set}">`,
    `'><svg/onload=${set}>`,
    `</script><script>${set}</script>`,
    `</textarea></title></style><script>${set}</script>`,
    `<!--<script>${set}</script>-->`,
    `<iframe srcdoc="<script>parent.__xss='${tag}'</script>"></iframe>`,
    `<a href="javascript:${set}">click</a> javascript:${set}`,
    `<details open ontoggle="${set}"><summary>x</summary></details>`,
    `<input autofocus onfocus="${set}">`,
    `<video><source onerror="${set}"></video>`,
    `<object data="javascript:${set}"></object><embed src="javascript:${set}">`,
    `<math><mi xlink:href="javascript:${set}">m</mi></math>`,
    `<img src=x onerror=alert('${tag}')>`,
    `<style>@import url(http://evil.invalid/${tag}.css);</style><link rel=stylesheet href=http://evil.invalid/${tag}.css>`,
    `<div style="background:url(http://evil.invalid/${tag}.png)">bg</div>`,
    `<meta http-equiv="refresh" content="0;url=http://evil.invalid/${tag}"><base href="http://evil.invalid/">`,
    `<img src="http://evil.invalid/${tag}.png"><form action="http://evil.invalid/"><button>go</button></form>`,
    `{{constructor.constructor('${set}')()}} \${${set}} #{${set}}`,
    `\u2028\u2029 ]]> <![CDATA[ x ]]> &lt;script&gt; &#60;script&#62; \\u003cscript\\u003e`,
    `@octocat @acme/security [link](javascript:${set}) ![img](http://evil.invalid/${tag}.png)`,
  ].join(" ");
}

const payloadKeys = (tag: string): JsonObject => ({
  [`<img src=x onerror="window.__xss='${tag}-key'">`]: corpus(`${tag}-value`),
  __proto__: { polluted: corpus(`${tag}-proto`) },
  nested: [corpus(`${tag}-nested`), { deeper: corpus(`${tag}-deeper`) }],
});

/** A case with a payload in every string it has, ids and tags included. */
function hostileCase(n: number, outcome: CaseReport["outcome"]): CaseReport {
  const tag = `case${n}`;
  const args = JSON.parse(JSON.stringify({ order_id: corpus(`${tag}-arg`), ...payloadKeys(`${tag}-args`) })) as JsonObject;
  const run = (side: string) =>
    makeCaseRun({
      output: corpus(`${tag}-${side}-output`),
      tool_calls: [
        { id: corpus(`${tag}-${side}-callid`), name: corpus(`${tag}-${side}-tool`), arguments: args },
        { name: `raw-${tag}`, arguments: null, raw_arguments: corpus(`${tag}-${side}-raw`), arguments_error: corpus(`${tag}-${side}-argerr`) },
      ],
      checks: {
        format: makeCheckResult({ status: side === "candidate" ? "fail" : "pass", score: 0, reason: corpus(`${tag}-${side}-reason`) }),
        [`check<script>window.__xss='${tag}-checkid'</script>`]: makeCheckResult({ reason: corpus(`${tag}-${side}-reason2`) }),
      },
    });
  const errored = makeCaseRun({
    output: null,
    error: { kind: "bad_request", status: 400, message: corpus(`${tag}-error`) },
    checks: { format: makeCheckResult({ status: "error", score: null, reason: corpus(`${tag}-error-reason`) }) },
  });
  return makeCaseReport({
    id: `${corpus(`${tag}-id`)} #${n}`,
    tags: [corpus(`${tag}-tag`), `tenant:<b onmouseover="window.__xss='${tag}-tag2'">acme</b>`],
    input: corpus(`${tag}-input`),
    messages: [
      { role: "system", content: corpus(`${tag}-system`) },
      { role: "user", content: corpus(`${tag}-user`) },
      { role: "assistant", content: corpus(`${tag}-assistant`), tool_calls: [{ name: corpus(`${tag}-msgtool`), arguments: args }] },
      { role: "tool", content: corpus(`${tag}-toolresult`), tool_call_id: corpus(`${tag}-toolcallid`), name: corpus(`${tag}-toolname`) },
    ],
    expected: {
      output: corpus(`${tag}-expected`),
      tool_calls: [{ name: corpus(`${tag}-expected-tool`), arguments: args }],
      schema: JSON.parse(JSON.stringify({ type: "object", description: corpus(`${tag}-schema`) })) as JsonObject,
    },
    metadata: JSON.parse(JSON.stringify({ note: corpus(`${tag}-metadata`), ...payloadKeys(`${tag}-metadata`) })) as JsonObject,
    baseline: [run("baseline")],
    candidate: [outcome === "error" ? errored : run("candidate")],
    outcome,
  });
}

function hostileReport(): RunReport {
  const cases = [
    hostileCase(1, "regression"),
    hostileCase(2, "improvement"),
    hostileCase(3, "error"),
    hostileCase(4, "pass"),
    hostileCase(5, "fail"),
  ];
  const variant = (side: string) => ({
    name: corpus(`${side}-name`),
    provider: "openai" as const,
    model: corpus(`${side}-model`),
    base_url_host: corpus(`${side}-host`),
    prompt_sha256: "c".repeat(64),
    prompt_path: corpus(`${side}-prompt`),
    params: JSON.parse(JSON.stringify(payloadKeys(`${side}-params`))) as JsonObject,
  });
  return makeReport({
    run: {
      id: corpus("run-id"),
      warnings: [corpus("warning")],
      dataset: { path: corpus("dataset-path"), sha256: "a".repeat(64) },
      rubric: { path: corpus("rubric-path"), sha256: "b".repeat(64) },
    },
    variants: {
      baseline: variant("baseline"),
      candidate: variant("candidate"),
      judge: { ...variant("judge"), prompt_templates: { [corpus("template-name")]: corpus("template-hash") } },
    },
    checks: [
      { id: "format", type: corpus("check-type"), category: corpus("check-category") },
      { id: "check<script>window.__xss='case1-checkid'</script>", type: "judge", category: "quality" },
    ],
    cases,
    gate: {
      verdict: "fail",
      rules: [
        makeGateRule({
          metric: corpus("rule-metric"),
          reason: corpus("rule-reason"),
          bound_text: corpus("rule-bound"),
          verdict: "fail",
          inconclusive: true,
        }),
        makeGateRule({ metric: `segment.${corpus("segment")}.pass_rate`, reason: corpus("segment-reason") }),
      ],
    },
    comparison: [
      {
        metric: `segment.${corpus("segment")}.pass_rate`,
        baseline: 1,
        candidate: 0.5,
        delta: -0.5,
        ci: [-0.9, -0.1],
        p_value: 0.04,
        method: corpus("method"),
        n: 4,
      },
    ],
    regressions: [cases[0]?.id ?? ""],
    improvements: [cases[1]?.id ?? ""],
  });
}

/** Every string in a value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]);
  return [];
}

// ---------------------------------------------------------------- HTML in Chromium

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);

describe.skipIf(!available)(`HTML report: a hostile corpus in every field executes nothing${available ? "" : " (skipped: no chromium)"}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  interface Loaded {
    page: Page;
    dialogs: string[];
    requests: string[];
    problems: string[];
  }

  async function load(html: string): Promise<Loaded> {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    const requests: string[] = [];
    const problems: string[] = [];
    page.on("dialog", async (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    await page.route("**", async (route) => {
      requests.push(route.request().url());
      await route.abort();
    });
    await page.setContent(html, { waitUntil: "load" });
    return { page, dialogs, requests, problems };
  }

  /** Elements and attributes that would run or load something if a payload became markup. */
  async function liveMarkup(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const found: string[] = [];
      const scripts = document.querySelectorAll("script");
      if (scripts.length !== 2) found.push(`${scripts.length} script elements`);
      const styles = document.querySelectorAll("style");
      if (styles.length !== 1) found.push(`${styles.length} style elements`);
      for (const element of Array.from(document.querySelectorAll("*"))) {
        for (const attribute of Array.from(element.attributes)) {
          if (/^on/i.test(attribute.name)) found.push(`<${element.localName} ${attribute.name}>`);
          if (/^\s*javascript:/i.test(attribute.value)) found.push(`<${element.localName} ${attribute.name}="${attribute.value.slice(0, 40)}">`);
        }
        if (["iframe", "object", "embed", "base", "link", "form", "img", "video", "source", "math", "input"].includes(element.localName)) {
          if (!(element.localName === "input" && element.id === "search")) found.push(`<${element.localName}>`);
        }
        if (element.localName === "meta" && element.getAttribute("http-equiv")?.toLowerCase() === "refresh") found.push("<meta refresh>");
      }
      return found;
    });
  }

  test("the harness catches an alert and a request (control)", async () => {
    const { page, dialogs, requests } = await load(`<img src="http://evil.invalid/x.png" onerror="alert('control')">`);
    try {
      await expect.poll(() => dialogs).toEqual(["alert: control"]);
      expect(requests).toEqual(["http://evil.invalid/x.png"]);
    } finally {
      await page.close();
    }
  });

  test("every case expanded, every filter and search used: no script ran, nothing loaded, all shown as text", async () => {
    const report = hostileReport();
    const html = renderHtml(report);
    const { page, dialogs, requests, problems } = await load(html);
    try {
      const rows = page.locator("tr.case-row");
      expect(await rows.count()).toBe(5);
      for (const row of await rows.all()) await row.click();
      expect(await page.locator(".case-detail").count()).toBe(5);
      for (const filter of await page.locator("[data-filter]").all()) await filter.click();
      await page.locator('[data-filter="all"]').click();
      for (const value of await page.locator("#tag-filter option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))) {
        await page.selectOption("#tag-filter", value);
      }
      await page.selectOption("#tag-filter", "");
      for (const value of await page.locator("#check-filter option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))) {
        await page.selectOption("#check-filter", value);
      }
      await page.selectOption("#check-filter", "");
      await page.fill("#search", corpus("search"));
      await page.fill("#search", "");
      await page.mouse.move(10, 10);
      for (const y of [100, 300, 500, 700]) await page.mouse.move(400, y, { steps: 5 });

      expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
      expect(await page.evaluate(() => ({}) as Record<string, unknown>)).not.toHaveProperty("polluted");
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
      expect(problems).toEqual([]);
      expect(await liveMarkup(page)).toEqual([]);

      // Shown, as text: the payloads were not dropped on the way.
      const text = (await page.locator("body").textContent()) ?? "";
      for (const marker of [
        "case1-candidate-output",
        "case1-id",
        "case1-tag",
        "case1-candidate-tool",
        "case1-args-value",
        "case1-candidate-reason",
        "case3-error",
        "candidate-name",
        "warning",
        "rule-reason",
      ]) {
        expect(text, marker).toContain(`<script>window.__xss='${marker}'</script>`);
      }
    } finally {
      await page.close();
    }
  });

  test("through `modelgate report`: a crafted report.json with the corpus in every string field renders inert", async () => {
    const dir = makeProject({ "run.json": hostileReport() });
    const result = await runModelgate(["report", "run.json", "--format", "table,md,html,junit", "--out", "out"], { cwd: dir, env: {} });
    expect(result.stderr).not.toMatch(/crashed|invalid report/);
    expect(result.exitCode).toBe(1); // its saved verdict
    const { page, dialogs, requests, problems } = await load(readFileSync(join(dir, "out", "report.html"), "utf8"));
    try {
      for (const row of await page.locator("tr.case-row").all()) await row.click();
      expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
      expect(problems).toEqual([]);
      expect(await liveMarkup(page)).toEqual([]);
      expect(await page.locator("body").textContent()).toContain("<script>window.__xss='rule-reason'</script>");
    } finally {
      await page.close();
    }
  });

  test("verdicts, outcomes and statuses that bypass the schema still never become markup", async () => {
    const report = hostileReport();
    const hostile = `"><img src=x onerror="window.__xss='verdict'">`;
    const rule = report.gate.rules[0];
    if (rule) (rule as { verdict: string }).verdict = hostile;
    (report.gate as { verdict: string }).verdict = hostile;
    (report.cases[0] as { outcome: string }).outcome = hostile;
    const check = report.cases[0]?.candidate[0]?.checks.format;
    if (check) (check as { status: string }).status = hostile;
    (report.run as { repeat: unknown }).repeat = `2<img src=x onerror="window.__xss='repeat'">`;
    (report.run.requests as { total: unknown }).total = `<img src=x onerror="window.__xss='requests'">`;
    const { page, dialogs } = await load(renderHtml(report));
    try {
      for (const row of await page.locator("tr.case-row").all()) await row.click();
      expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(await liveMarkup(page)).toEqual([]);
      // An unknown gate verdict is shown as an error, never as a pass.
      expect(await page.locator("#verdict").getAttribute("data-verdict")).toBe("error");
    } finally {
      await page.close();
    }
  });

  test("the raw HTML has no payload outside escaped text (a static check, browser or not)", () => {
    const html = renderHtml(hostileReport());
    const [markup = "", data = ""] = html.split('<script type="application/json" id="data">');
    expect(markup).not.toMatch(
      /<(script|img|svg|iframe|object|embed|a|details|input|video|math|style|link|meta http-equiv="refresh"|base|form)[\s>/][^>]*__xss/i,
    );
    expect(data.split("</script>")[0]).not.toMatch(/[<>&]|\u2028|\u2029/);
  });
});

// ---------------------------------------------------------------- Markdown, JUnit, terminal (no browser)

/** Markdown outside fenced blocks and inline code spans: where HTML and mentions would be live. */
function liveMarkdown(markdown: string): string {
  const prose: string[] = [];
  let fence: number | null = null;
  for (const line of markdown.split("\n")) {
    const run = /^ {0,3}(`{3,})/.exec(line)?.[1];
    if (fence === null && run !== undefined) fence = run.length;
    else if (fence !== null && run !== undefined && run.length >= fence && /^ {0,3}`+\s*$/.test(line)) fence = null;
    else if (fence === null) prose.push(line);
  }
  return prose.join("\n").replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
}

describe("Markdown report: the corpus stays inert", () => {
  test("no live HTML, no javascript: link, no @mention, no image load", () => {
    const markdown = renderMarkdown(hostileReport());
    // The report's own collapsible sections are the only HTML it writes.
    const prose = liveMarkdown(markdown).replace(/<\/?(details|summary)>/g, "");
    expect(prose).not.toMatch(/<[A-Za-z!/?]/);
    expect(prose).not.toMatch(/(?<!\\)\]\(\s*(javascript|http)/i);
    expect(prose).not.toMatch(/(^|[^\u200D])@(octocat|acme)/);
    expect(prose).not.toMatch(/(?<!\\)!\[/);
    expect(markdown).toContain("window.__xss");
  });
});

describe("JUnit XML: the corpus keeps the file parseable", () => {
  test("valid XML, payloads kept as text", () => {
    const report = hostileReport();
    const candidate = report.cases[0]?.candidate[0];
    if (candidate?.checks.format)
      candidate.checks.format.reason = `${corpus("ctl")} \u0000\u0007\u001b[2J\u001b]8;;http://evil.invalid\u0007x\u001b]8;;\u0007 \uFFFF \uD800`;
    const xml = renderJUnit(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as unknown;
    expect(strings(parsed).join("\n")).toContain("<script>window.__xss='ctl'</script>");
  });
});

const escapes = {
  clear: "\u001b[2J\u001b[H",
  red: "\u001b[31mPWNED\u001b[0m",
  osc8: "\u001b]8;;http://evil.invalid/\u0007click here\u001b]8;;\u0007",
  osc8St: "\u001b]8;;http://evil.invalid/\u001b\\click\u001b]8;;\u001b\\",
  title: "\u001b]0;owned\u0007",
  c1: "\u009b31mC1\u009b0m",
  bell: "\u0007",
  cr: "fake line\rOVERWRITE",
};
const ansiPayload = Object.values(escapes).join(" ");

/** Escape sequences and control characters a model or dataset could use to rewrite the terminal. */
function expectNoTerminalControl(text: string, options: { sgrAllowed: boolean }): void {
  const withoutSgr = options.sgrAllowed ? text.replace(/\u001b\[[0-9;]*m/g, "") : text;
  expect(withoutSgr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  expect(text).not.toContain("\u001b]");
  expect(text).not.toContain("\u001b[2J");
}

describe("terminal table: escape sequences from models and datasets never reach stdout raw", () => {
  function ansiReport(): RunReport {
    const run = (side: string) =>
      makeCaseRun({
        output: `${side} ${ansiPayload}`,
        tool_calls: [{ name: `refund${escapes.red}`, arguments: { note: ansiPayload } }],
        checks: {
          format: makeCheckResult(side === "candidate" ? { status: "fail", score: 0, reason: `called ${escapes.clear}${escapes.osc8}` } : {}),
          helpful: makeCheckResult({ reason: ansiPayload }),
        },
      });
    return makeReport({
      run: { warnings: [`warned ${ansiPayload}`] },
      variants: {
        baseline: { name: `base${escapes.red}`, provider: "openai", model: `m${escapes.osc8}`, prompt_sha256: null, params: {} },
        candidate: { name: `cand${escapes.c1}`, provider: "openai", model: `m${escapes.clear}`, prompt_sha256: null, params: {} },
      },
      cases: [
        makeCaseReport({
          id: `case${escapes.clear}${escapes.cr}`,
          tags: [`tag${escapes.osc8St}`],
          outcome: "regression",
          baseline: [run("baseline")],
          candidate: [run("candidate")],
        }),
        makeCaseReport({ id: `better${escapes.red}`, outcome: "improvement" }),
      ],
      comparison: [{ metric: `segment.t${escapes.osc8}.pass_rate`, baseline: 1, candidate: 0, delta: -1, ci: null, p_value: null, method: "", n: 2 }],
      regressions: [`case${escapes.clear}`],
      improvements: [`better${escapes.red}`],
    });
  }

  test.each([false, true])("rendered with colour %s", (color) => {
    const text = renderTerminal(ansiReport(), { color, reportDir: "out", formats: ["table", "html"] });
    expectNoTerminalControl(text, { sgrAllowed: color });
    expect(text).toContain("PWNED"); // the text is shown, its escapes are not
    expect(text).toContain("click here");
  });

  test("a foreign report.json: run id, gate metric and reason are stripped too", () => {
    const report = makeReport({
      run: { id: `run${escapes.title}` },
      gate: { verdict: "fail", rules: [makeGateRule({ metric: `segment.x${escapes.red}.pass_rate`, reason: `r ${ansiPayload}`, verdict: "fail" })] },
    });
    expectNoTerminalControl(renderTerminal(report, { color: false }), { sgrAllowed: false });
  });

  test("through the CLI: model output, tool names, ids and tags with escapes; table and --json stdout are clean", async () => {
    const server = await fakeServerForTest({
      respond: (request) =>
        request.model.includes("candidate")
          ? {
              text: `${escapes.clear}${escapes.red} ${escapes.osc8} I can't help with that ${escapes.title}`,
              tool_calls: [{ name: `track${escapes.red}`, arguments: {} }],
            }
          : { text: "Refunded.", tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1" } }] },
    });
    const dir = makeProject({
      "data.jsonl": [
        {
          id: `c1${escapes.clear}`,
          input: "Refund A-1",
          tools: [{ name: "issue_refund", parameters: { type: "object", properties: { order_id: { type: "string" } } } }],
          expected: { output: "Refunded.", tool_calls: [{ name: "issue_refund" }] },
          tags: [`t${escapes.osc8}`, `u${escapes.c1}`],
        },
      ],
      "rubric.yaml":
        "name: t\ndataset: data.jsonl\nchecks:\n  - { id: tools, type: tool-calls }\n  - { id: exact, type: equals }\n  - { id: polite, type: not-refusal }\n" +
        "gate:\n  - { metric: pass_rate, max_drop: 0 }\n",
    });
    const base = ["eval", "--rubric", "rubric.yaml", "--baseline", "openai-compatible:baseline-2024-01-01", "--no-cache"];
    const env = { OPENAI_BASE_URL: server.openaiBaseUrl, FORCE_COLOR: "1" };
    const table = await runModelgate([...base, "--candidate", `openai-compatible:candidate${escapes.red}`, "--out", "out"], { cwd: dir, env });
    expect(table.stderr).not.toContain("crashed");
    expect(table.exitCode).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, "out", "report.json"), "utf8")) as RunReport;
    expect(report.cases[0]?.candidate[0]?.output).toContain(escapes.clear); // kept as data in report.json
    expect(table.stdout).toContain("PWNED");
    expectNoTerminalControl(table.stdout, { sgrAllowed: true });
    expectNoTerminalControl(table.stderr, { sgrAllowed: true });

    const json = await runModelgate([...base, "--candidate", `openai-compatible:candidate${escapes.red}`, "--json", "--out", "out-json"], {
      cwd: dir,
      env,
    });
    expect(json.exitCode).toBe(1);
    expectNoTerminalControl(json.stdout, { sgrAllowed: false });
    expect((JSON.parse(json.stdout) as { regressions: string[] }).regressions).toEqual([`c1${escapes.clear}`]);
  });
});

test("the corpus reaches every kind of field (the fixture is what it claims)", () => {
  const all = strings(hostileReport()).join("\n");
  for (const field of [
    "-id",
    "-tag",
    "-input",
    "-output",
    "-tool",
    "-arg",
    "-raw",
    "-argerr",
    "-reason",
    "-error",
    "-metadata",
    "-name",
    "-model",
    "warning",
    "rule-reason",
    "-checkid",
    "-params",
  ]) {
    expect(all, field).toMatch(new RegExp(`__xss='[\\w-]*${field}[\\w-]*'`));
  }
});
