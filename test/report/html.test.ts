import * as Diff from "diff";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { HTML_CSP, renderHtml } from "../../src/report/html.js";
import { HTML_CLIENT_SCRIPT } from "../../src/report/html-client.js";
import type { HtmlData } from "../../src/report/html-data.js";
import { DIFF_OPS_SOURCE, loadDiffLibrary } from "../../src/report/html-diff.js";
import { loadSmallReport, makeCaseReport, makeCaseRun, makeLargeReport, makeReport } from "../support/make-report.js";

// The exact source the page runs, with the same jsdiff the page inlines.
const diffOutputs = new Function("Diff", "baseline", "candidate", `${DIFF_OPS_SOURCE}\nreturn diffOps(Diff, baseline, candidate);`).bind(
  null,
  Diff,
) as (baseline: string, candidate: string) => number[] | null;

const DATA_OPEN = '<script type="application/json" id="data">';

/** The page split into its embedded JSON blob and everything else (the markup a browser parses as HTML). */
function split(html: string): { blob: string; markup: string } {
  const start = html.indexOf(DATA_OPEN);
  const end = html.indexOf("</script>", start);
  expect(start).toBeGreaterThan(0);
  return { blob: html.slice(start + DATA_OPEN.length, end), markup: html.slice(0, start) + html.slice(end) };
}

function reconstruct(text: string, ops: number[], side: -1 | 1): { own: string; common: string[] } {
  let own = "";
  const common: string[] = [];
  let position = 0;
  for (let index = 0; index + 1 < ops.length; index += 2) {
    const op = ops[index];
    const length = ops[index + 1] ?? 0;
    if (op === 0 || op === side) {
      const piece = text.slice(position, position + length);
      own += piece;
      if (op === 0) common.push(piece);
      position += length;
    }
  }
  return { own, common };
}

const XSS_OUTPUT =
  '<script>alert(1)</script> "><img src=x onerror=window.__xss=1> </script><script>window.__xss=2</script> ' +
  '<img src="https://evil.example/pixel.png"> <link rel=stylesheet href="http://evil.example/x.css"> \u2028\u2029 <!-- -->';

function hostileReport() {
  return makeReport({
    run: { warnings: ['<img src=x onerror="window.__xss=3">'], id: "<script>alert('id')</script>" },
    cases: [
      makeCaseReport({
        id: '"><img src=x onerror=window.__xss=4>',
        tags: ["<script>alert(1)</script>", "https://evil.example/tag"],
        outcome: "regression",
        candidate: [
          makeCaseRun({ output: XSS_OUTPUT, tool_calls: [{ name: "<b>tool</b>", arguments: { html: "</script><script>alert(5)</script>" } }] }),
        ],
      }),
    ],
  });
}

describe("renderHtml", () => {
  const small = renderHtml(loadSmallReport());

  test("is one document with the CSP meta first in <head>", () => {
    expect(small.startsWith("<!doctype html>")).toBe(true);
    const head = small.slice(0, small.indexOf("</head>"));
    expect(head).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP.replace(/'/g, "&#39;")}">`);
    expect(HTML_CSP).toContain("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:");
    expect(head.indexOf("Content-Security-Policy")).toBeLessThan(head.indexOf("<style>"));
  });

  test("references nothing remote and loads nothing external", () => {
    for (const html of [small, renderHtml(hostileReport())]) {
      const { markup } = split(html);
      expect(markup).not.toMatch(/<[^>]*https?:\/\//i);
      expect(markup).not.toMatch(/<[^>]*\s(?:src|href|action|poster|srcset|xlink:href|formaction)\s*=/i);
      expect(markup).not.toMatch(/@import|url\(/i);
      expect(markup.match(/<script\b/g)).toHaveLength(1); // the inline client; the data blob is cut out
      expect(markup).not.toMatch(/<(link|iframe|img|object|embed|base)\b/i);
    }
  });

  test("untrusted strings never appear as markup", () => {
    const html = renderHtml(hostileReport());
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>tool");
    expect(html).not.toContain("<link");
    expect(html).not.toContain("<!--");
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    // the small fixture's case id with <b> and its XSS tag
    expect(small).not.toContain("<b>shipping");
    expect(small).not.toContain("<img src=x");
  });

  test("the data blob escapes <, >, &, U+2028 and U+2029 and round-trips", () => {
    const report = hostileReport();
    const { blob } = split(renderHtml(report));
    expect(blob).not.toMatch(/[<>&\u2028\u2029]/);
    const data = JSON.parse(blob) as HtmlData;
    expect(data.cases[0]?.candidate[0]?.output).toBe(XSS_OUTPUT);
    expect(data.cases[0]?.id).toBe(report.cases[0]?.id);
  });

  test("puts regressing cases first", () => {
    const { blob } = split(small);
    const data = JSON.parse(blob) as HtmlData;
    expect(data.cases.map((c) => c.outcome)).toEqual(["regression", "regression", "error", "fail", "improvement", "pass"]);
  });

  test("has stable hooks for automation", () => {
    for (const hook of [
      'id="verdict"',
      'data-verdict="fail"',
      'id="gate-table"',
      'data-filter="regressions"',
      'data-filter="improvements"',
      'data-filter="errors"',
      'data-filter="all"',
      'id="search"',
      'id="tag-filter"',
      'id="check-filter"',
      'id="case-rows"',
    ]) {
      expect(small).toContain(hook);
    }
    expect(small.match(/<tr class="rule rule-fail/g)).toHaveLength(2);
    expect(small).toContain('class="rule rule-pass rule-inconclusive"');
  });

  test("draws the three charts as inline SVG", () => {
    for (const id of ["chart-metrics", "chart-latency", "chart-checks"]) {
      const start = small.indexOf(`id="${id}"`);
      expect(start).toBeGreaterThan(0);
      expect(small.slice(start, small.indexOf("</figure>", start))).toContain("<svg");
    }
  });

  test("the client never writes HTML from data", () => {
    for (const source of [HTML_CLIENT_SCRIPT, DIFF_OPS_SOURCE]) {
      expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
  });

  test("inlines jsdiff's browser build with its notice, safely", () => {
    const library = loadDiffLibrary();
    expect(library).toMatch(/^\/\*! jsdiff \d+\.\d+\.\d+ \| BSD-3-Clause/);
    expect(library).not.toMatch(/<\/script|<!--|<script/i);
    expect(small).toContain(library);
  });

  test("5,000 cases render quickly into a reasonably sized page", () => {
    const report = makeLargeReport(5_000);
    const started = performance.now();
    const html = renderHtml(report);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(10_000);
    expect(html.length).toBeLessThan(20 * 1024 * 1024);
    // nothing per case is in the markup: rows are built by the client, a page at a time
    expect(split(html).markup.length).toBeLessThan(200 * 1024);
  });
});

describe("word diff", () => {
  test.each([
    { baseline: "The refund was issued.", candidate: "The refund was issued today." },
    { baseline: "a  b\tc", candidate: "a b c" },
    { baseline: "", candidate: "new" },
    { baseline: "same", candidate: "same" },
    { baseline: "emoji 😀 here", candidate: "emoji 😃 there" },
  ])("reproduces both sides exactly: $baseline → $candidate", ({ baseline, candidate }) => {
    const ops = diffOutputs(baseline, candidate);
    expect(ops).not.toBeNull();
    expect(reconstruct(baseline, ops ?? [], -1).own).toBe(baseline);
    expect(reconstruct(candidate, ops ?? [], 1).own).toBe(candidate);
  });

  const words = fc
    .array(fc.constantFrom("a", "b", "cc", " ", "  ", "\n", "\t", ".", "😀", "\uD800"), { maxLength: 30 })
    .map((parts) => parts.join(""));

  test.each([
    { name: "any text", text: fc.string({ unit: "binary", maxLength: 60 }) },
    { name: "whitespace-heavy words", text: words },
  ])("reproduces both sides for $name, common parts identical", ({ text }) => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const ops = diffOutputs(a, b);
        if (ops === null) return;
        const left = reconstruct(a, ops, -1);
        const right = reconstruct(b, ops, 1);
        expect(left.own).toBe(a);
        expect(right.own).toBe(b);
        expect(left.common).toEqual(right.common);
      }),
      { numRuns: 300 },
    );
  });

  test("gives up on outputs too large to diff quickly", () => {
    expect(diffOutputs("a ".repeat(20_000), "b ".repeat(20_000))).toBeNull();
  });
});
