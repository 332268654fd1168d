/** The HTML report's stylesheet: system fonts only (no web fonts), light by default, dark via prefers-color-scheme. */
export const HTML_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa; --hover: #eef2f6;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5;
  --error: #bc4c00; --error-bg: #fff1e5; --skip: #8c959f;
  --base: #8c959f; --cand: #0969da; --ins-bg: #aceebb; --del-bg: #ffcecb; --accent: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23; --hover: #1c2330;
    --pass: #3fb950; --pass-bg: #12261e; --fail: #f85149; --fail-bg: #2d1214; --warn: #d29922; --warn-bg: #2b2111;
    --error: #db6d28; --error-bg: #2b1a10; --skip: #6e7681;
    --base: #6e7681; --cand: #4493f8; --ins-bg: #1b4721; --del-bg: #5a1e1e; --accent: #4493f8;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 0 24px 48px; }
h1, h2, h3, h4, h5 { line-height: 1.25; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
h4 { margin: 14px 0 6px; font-size: 14px; }
h5 { margin: 10px 0 4px; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }

.verdict { display: flex; gap: 20px; align-items: center; flex-wrap: wrap; padding: 22px 32px; border-bottom: 1px solid var(--border); }
.verdict.verdict-pass { background: var(--pass-bg); border-top: 6px solid var(--pass); }
.verdict.verdict-fail { background: var(--fail-bg); border-top: 6px solid var(--fail); }
.verdict.verdict-inconclusive { background: var(--warn-bg); border-top: 6px solid var(--warn); }
.verdict.verdict-error, .verdict.verdict-unknown { background: var(--error-bg); border-top: 6px solid var(--error); }
.verdict.verdict-inconclusive .verdict-icon { background: var(--warn); }
.verdict.verdict-error .verdict-icon, .verdict.verdict-unknown .verdict-icon { background: var(--error); }
.verdict.verdict-inconclusive h1 { color: var(--warn); }
.verdict.verdict-error h1, .verdict.verdict-unknown h1 { color: var(--error); }
.verdict-icon { width: 52px; height: 52px; border-radius: 50%; display: grid; place-items: center; font-size: 30px; font-weight: 700; color: #fff; flex: none; }
.verdict.verdict-pass .verdict-icon { background: var(--pass); }
.verdict.verdict-fail .verdict-icon { background: var(--fail); }
.verdict h1 { margin: 0; font-size: 26px; }
.verdict.verdict-pass h1 { color: var(--pass); }
.verdict.verdict-fail h1 { color: var(--fail); }
.verdict p { margin: 4px 0 0; }
.verdict .stats { display: flex; gap: 22px; margin: 0 0 0 auto; }
.verdict .stats div { text-align: center; }
.verdict .stats dt { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.verdict .stats dd { margin: 0; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.banner-warn { margin: 12px 0 0; padding: 8px 12px; background: var(--warn-bg); color: var(--warn); border-radius: 6px; }

.pill { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid var(--border); background: var(--bg); }
.pill.base { color: var(--muted); }
.pill.cand { color: var(--cand); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.pass, .outcome-pass .badge.outcome, .badge.outcome-pass { background: var(--pass-bg); color: var(--pass); }
.badge.fail, .badge.outcome-fail { background: var(--fail-bg); color: var(--fail); }
.badge.outcome-regression { background: var(--fail); color: #fff; }
.badge.outcome-improvement { background: var(--pass); color: #fff; }
.badge.outcome-error, .badge.error { background: var(--error-bg); color: var(--error); }
.badge.warn, .badge.inconclusive { background: var(--warn-bg); color: var(--warn); }
.badge.skipped, .badge.missing { background: var(--panel); color: var(--muted); }
.tag { display: inline-block; margin: 1px 3px 1px 0; padding: 0 6px; border-radius: 4px; background: var(--panel); border: 1px solid var(--border); font-size: 12px; max-width: 220px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: middle; }

table { border-collapse: collapse; width: 100%; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--panel); }
#gate-table tr.rule-fail td { background: var(--fail-bg); }
#gate-table tr.rule-skipped td { color: var(--muted); }
#gate-table td.reason { color: var(--muted); min-width: 200px; font-size: 13px; }
#gate-table th, #gate-table td { padding: 6px 8px; }
#gate-table td code { white-space: nowrap; }
#gate-table .mode { font-size: 12px; }
.table-scroll { overflow-x: auto; }

figure { margin: 0 0 24px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figcaption span { font-weight: 400; color: var(--muted); }
.chart { width: 100%; height: auto; display: block; }
.chart text { fill: var(--fg); font-size: 12px; }
.chart .label { font-size: 12px; }
.chart .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.chart .sub { fill: var(--muted); font-size: 11px; }
.chart .tick { fill: var(--muted); font-size: 10px; }
.chart .head { font-weight: 600; }
.chart .group { font-weight: 600; font-size: 12px; }
.chart .warn { fill: var(--warn); }
.chart .axis { stroke: var(--border); }
.chart .grid { stroke: var(--border); stroke-dasharray: 2 3; }
.chart .zero { stroke: var(--muted); }
.chart .bound { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 4 3; }
.chart .link { stroke: var(--muted); stroke-width: 1.5; }
.chart .row-bg { fill: transparent; }
.chart g:hover > .row-bg { fill: var(--hover); }
.chart .pt-base { fill: var(--bg); stroke: var(--base); stroke-width: 2; }
.chart .pt-cand { fill: var(--cand); }
.chart .pt-delta { fill: var(--muted); }
.chart .whisker { stroke: var(--fg); stroke-width: 1.5; }
.chart .metric-row.pass .pt-delta { fill: var(--pass); }
.chart .metric-row.pass .whisker { stroke: var(--pass); }
.chart .metric-row.fail .pt-delta { fill: var(--fail); }
.chart .metric-row.fail .whisker { stroke: var(--fail); }
.chart .metric-row.inconclusive .whisker { stroke-dasharray: 3 2; }
.chart .metric-row.pass .verdict-text { fill: var(--pass); font-weight: 600; }
.chart .metric-row.fail .verdict-text { fill: var(--fail); font-weight: 600; }
.chart .fill-baseline { fill: var(--base); opacity: .85; }
.chart .fill-candidate { fill: var(--cand); opacity: .85; }
.chart .box .whisker { stroke: var(--muted); }
.chart .median { stroke: var(--fg); stroke-width: 2; }
.chart .st-pass { fill: var(--pass); }
.chart .st-fail { fill: var(--fail); }
.chart .st-error { fill: var(--error); }
.chart .st-skipped { fill: var(--skip); opacity: .45; }
.charts-grid { display: grid; grid-template-columns: 1fr; gap: 8px; }
.empty { color: var(--muted); font-style: italic; }

.toolbar { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: center; margin-bottom: 10px; position: sticky; top: 0; background: var(--bg); padding: 8px 0; z-index: 2; }
.filters { display: inline-flex; border: 1px solid var(--border); border-radius: 6px; overflow: hidden; }
.filters button { border: 0; border-right: 1px solid var(--border); background: var(--bg); color: var(--fg); padding: 6px 12px; font: inherit; cursor: pointer; }
.filters button:last-child { border-right: 0; }
.filters button:hover { background: var(--hover); }
.filters button[aria-pressed="true"] { background: var(--accent); color: #fff; }
.filters .count { font-variant-numeric: tabular-nums; opacity: .8; margin-left: 4px; }
select, input[type="search"], .pager button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 5px 8px; }
input[type="search"] { min-width: 260px; flex: 1; }
label.select { color: var(--muted); font-size: 13px; }
.pager { display: flex; gap: 12px; align-items: center; justify-content: flex-end; margin-top: 10px; }
.pager button:disabled { opacity: .4; }

#case-table td.case-id code { word-break: break-all; }
tr.case-row { cursor: pointer; }
tr.case-row:hover td { background: var(--hover); }
tr.case-row:focus { outline: 2px solid var(--accent); outline-offset: -2px; }
tr.case-row .caret { display: inline-block; width: 14px; color: var(--muted); transition: transform .1s; }
tr.case-row[aria-expanded="true"] .caret { transform: rotate(90deg); }
tr.case-row[aria-expanded="true"] td { background: var(--panel); border-bottom-color: transparent; }
tr.case-row.outcome-regression td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
tr.case-row.outcome-improvement td:first-child { box-shadow: inset 3px 0 0 var(--pass); }
tr.case-row.outcome-error td:first-child { box-shadow: inset 3px 0 0 var(--error); }
.chip { display: inline-block; margin: 1px 3px 1px 0; padding: 0 6px; border-radius: 4px; font-size: 11.5px; border: 1px solid transparent; }
.chip.st-pass { background: var(--pass-bg); color: var(--pass); }
.chip.st-fail { background: var(--fail-bg); color: var(--fail); }
.chip.st-error { background: var(--error-bg); color: var(--error); }
.chip.st-skipped, .chip.st-missing { background: var(--panel); color: var(--muted); }
.chip.changed { border-color: currentColor; font-weight: 600; }
tr.detail-row > td { background: var(--panel); padding: 0 10px 16px; }
.case-detail { background: var(--bg); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; }
.case-detail h3 { margin: 0 0 8px; font-size: 15px; }
.msg { margin: 6px 0; padding: 6px 10px; border-left: 3px solid var(--border); }
.msg .role { font-size: 11px; font-weight: 600; text-transform: uppercase; color: var(--muted); }
.msg.role-user { border-left-color: var(--cand); }
.msg.role-system { border-left-color: var(--warn); }
.msg.role-tool { border-left-color: var(--pass); }
pre { margin: 4px 0; white-space: pre-wrap; word-break: break-word; }
pre.output, pre.json, .msg pre { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; max-height: 420px; overflow: auto; }
.sbs { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
@media (max-width: 820px) { .sbs { grid-template-columns: 1fr; } .verdict .stats { margin-left: 0; } }
.side h4 { margin-top: 4px; }
.side .run-meta { font-size: 12px; color: var(--muted); }
.side .req-error { padding: 6px 10px; border-radius: 6px; background: var(--error-bg); color: var(--error); }
ins { background: var(--ins-bg); text-decoration: none; border-radius: 2px; }
del { background: var(--del-bg); text-decoration: line-through; border-radius: 2px; }
.diff-note { font-size: 12px; color: var(--muted); }
table.checks td { font-size: 13px; }
table.checks tr.changed td { background: var(--warn-bg); }
table.checks .reason { display: block; color: var(--muted); white-space: pre-wrap; word-break: break-word; }
details.expected summary { cursor: pointer; color: var(--muted); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; word-break: break-all; }
ul.warnings li { color: var(--warn); }
#segment-table tr.seg-failed td { background: var(--fail-bg); }
#segment-table td.worse { color: var(--fail); font-weight: 600; }
#segment-table tr.selected td { outline: 2px solid var(--accent); outline-offset: -2px; }
.seg-link { border: 0; background: none; padding: 0; cursor: pointer; font: inherit; color: inherit; }
.seg-rule { white-space: nowrap; font-size: 12.5px; }
.changes { margin: 8px 0; padding: 8px 12px; border: 1px solid var(--border); border-radius: 6px; background: var(--panel); }
.changes h5 { margin-top: 0; }
.changes ul { margin: 0; padding-left: 18px; }
.changes li { margin: 2px 0; overflow-wrap: anywhere; }
.changes .path { font-weight: 600; }
.changes .same { color: var(--muted); }
@media (max-width: 600px) {
  main { padding: 0 12px 32px; }
  .verdict { padding: 16px; }
  input[type="search"] { min-width: 0; width: 100%; }
  dl.meta { grid-template-columns: 1fr; }
}
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;
