/**
 * The HTML report's segment section: every tag, worst first, with the gate rules written on that
 * segment beside it. A filter narrows the table to one kind of tag (`tenant:`, `kind:`) or one segment;
 * choosing a segment also filters the case table to it. Tags are untrusted: they appear as escaped text
 * only; attributes carry indexes into `segmentNames()`, which the client reads from the data blob.
 */
import type { RunReport } from "../types.js";
import { escapeHtml, knownToken } from "./escape.js";
import { describeBound, formatDelta, formatInterval, formatValue } from "./format.js";
import { segmentParser, segmentRows } from "./segments.js";

const esc = escapeHtml;
const RULE_VERDICTS = ["pass", "fail", "inconclusive", "skipped"] as const;

/** `tenant:acme` → `tenant`; a tag without a `key:` prefix has none. */
export function tagKey(tag: string): string | undefined {
  const colon = tag.indexOf(":");
  return colon > 0 ? tag.slice(0, colon) : undefined;
}

/** The segment table's tags in row order and the tag kinds its filter offers, as the client reads them. */
export function segmentNames(report: RunReport): { tags: string[]; keys: string[] } {
  const tags = segmentRows(report).map((row) => row.tag);
  return { tags, keys: [...new Set(tags.map(tagKey).filter((key): key is string => key !== undefined))].sort() };
}

export function renderSegments(report: RunReport): string {
  const rows = segmentRows(report);
  if (rows.length === 0) return "";
  const segmentOf = segmentParser(report);
  const { keys } = segmentNames(report);
  const options = [
    '<option value="">all segments</option>',
    ...keys.map((key, index) => `<option value="key:${index}">${esc(key)}:* (${rows.filter((row) => tagKey(row.tag) === key).length})</option>`),
    ...rows.map((row, index) => `<option value="tag:${index}">${esc(row.tag)} (n=${row.n})</option>`),
  ];
  const body = rows.map((row, index) => {
    const worse = row.delta !== null && row.delta < 0;
    const failed = row.rules.some((rule) => rule.verdict === "fail");
    const rules =
      row.rules.length === 0
        ? '<span class="muted">—</span>'
        : row.rules
            .map((rule) => {
              const verdict = knownToken(rule.verdict, RULE_VERDICTS);
              const metric = segmentOf(rule.metric)?.metric ?? rule.metric;
              return `<div class="seg-rule"><code>${esc(metric)} ${esc(describeBound(rule.bound, rule.bound_text))}</code> <span class="badge ${verdict}">${esc(verdict)}</span></div>`;
            })
            .join("");
    return [
      `<tr class="segment-row${failed ? " seg-failed" : ""}${worse ? " seg-worse" : ""}" data-segment="${index}" data-key="${keyIndex(keys, row.tag)}">`,
      `<td><button type="button" class="seg-link" data-segment="${index}" title="show this segment's cases"><span class="tag">${esc(row.tag)}</span></button></td>`,
      `<td class="num">${row.n}</td>`,
      `<td class="num">${esc(formatValue("pass_rate", row.baseline))}</td>`,
      `<td class="num">${esc(formatValue("pass_rate", row.candidate))}</td>`,
      `<td class="num${worse ? " worse" : ""}">${esc(formatDelta("pass_rate", row.delta))}</td>`,
      `<td class="num">${esc(formatInterval("pass_rate", row.ci))}</td>`,
      `<td class="num${row.regressions > 0 ? " worse" : ""}">${row.regressions}</td>`,
      `<td class="seg-rules">${rules}</td>`,
      "</tr>",
    ].join("");
  });
  return [
    '<section id="segments">',
    '<h2>Segments <span class="muted">— every tag, worst first; pass rate per side, the paired delta with its 95% interval</span></h2>',
    '<div class="toolbar">',
    `<label class="select">Segment <select id="segment-filter">${options.join("")}</select></label>`,
    "</div>",
    '<div class="table-scroll"><table id="segment-table">',
    "<thead><tr><th>segment</th><th>n</th><th>baseline</th><th>candidate</th><th>delta</th><th>95% CI</th><th>regressions</th><th>gate rules on it</th></tr></thead>",
    `<tbody>${body.join("\n")}</tbody>`,
    "</table></div>",
    "</section>",
  ].join("\n");
}

function keyIndex(keys: string[], tag: string): string {
  const key = tagKey(tag);
  return key === undefined ? "" : String(keys.indexOf(key));
}
