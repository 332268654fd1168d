/**
 * The canary's timeline (SPEC §11 `simulate`): each window's n, verdict, the rule that decided it and
 * the decision — as terminal text that fits 80 columns, and as one self-contained HTML page (windows ×
 * rules, the decision line, stage steps; a window's row links to its report with the failing requests).
 * Everything shown came from traffic or the plan: escaped, never trusted.
 */
import { escapeHtml } from "../report/escape.js";
import { plainText } from "../report/plain-text.js";
import type { CanaryState, WindowEntry } from "./state.js";
import { windowFolderName } from "./window-report.js";

const cut = (text: string, width: number) => (text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`);

/** `06-12 10:15` — the window's start in UTC, short. */
function shortStart(entry: WindowEntry): string {
  return entry.start.slice(5, 16).replace("T", " ");
}

/** One line per window, then the outcome. 80 columns wide at most. */
export function renderTimelineText(name: string, state: CanaryState): string {
  return `${renderTimelineRows(name, state.windows)}${decisionLine(state.windows.at(-1))}\n`;
}

/** The decision after the last window; its reason on a line of its own, so the decision fits 80 columns. */
export function decisionLine(last: WindowEntry | undefined): string {
  if (!last) return "decision: hold (no closed window yet)";
  return `decision: ${last.decision} at stage ${plainText(last.next_stage)}\n${wrap(plainText(last.decision_reason), 78, "  ")}`;
}

/** Words wrapped at `width`, each line indented. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}

/** A header and one line per window. */
export function renderTimelineRows(name: string, windows: WindowEntry[]): string {
  const lines = [
    `canary ${plainText(name)}: ${windows.length} window${windows.length === 1 ? "" : "s"} (UTC)`,
    `${"window".padEnd(12)}${"stage".padEnd(10)}${"n cand/base".padEnd(13)}${"verdict".padEnd(13)}${"rule".padEnd(20)}decision`,
  ];
  for (const entry of windows) {
    const n = `${entry.n.candidate}/${entry.n.baseline}`;
    const rule = entry.deciding_rule ?? (entry.verdict === "pass" ? "all passed" : entry.n.candidate === 0 ? "no traffic" : "-");
    const stage = entry.decision === "promote" ? `${entry.stage}→${entry.next_stage}` : entry.stage;
    lines.push(
      `${shortStart(entry).padEnd(12)}${cut(plainText(stage), 9)} ${n.padEnd(13)}${entry.verdict.padEnd(13)}${cut(plainText(rule), 19)} ${entry.decision}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

const verdictClass: Record<string, string> = { pass: "pass", fail: "fail", inconclusive: "inc", skipped: "inc" };

/** The HTML timeline. `reportLinks`: whether each window's report.html sits in `<window start>/`. */
export function renderTimelineHtml(
  name: string,
  planSha256: string,
  method: string,
  state: CanaryState,
  reportLinks: boolean,
  stageNames: string[],
): string {
  const rules: Array<{ family: string; metric: string; bound: string }> = [];
  for (const entry of state.windows)
    for (const rule of entry.rules)
      if (!rules.some((r) => r.family === rule.family && r.metric === rule.metric && r.bound === rule.bound))
        rules.push({ family: rule.family, metric: rule.metric, bound: rule.bound });
  const stages = [...stageNames, "complete"];
  const head = rules
    .map(
      (r) => `<th title="${escapeHtml(r.family)}">${escapeHtml(r.family)}<br>${escapeHtml(r.metric)}<br><small>${escapeHtml(r.bound)}</small></th>`,
    )
    .join("");
  const rows = state.windows
    .map((entry, index) => {
      const cells = rules
        .map((r) => {
          const found = entry.rules.find((x) => x.family === r.family && x.metric === r.metric && x.bound === r.bound);
          if (!found) return `<td class="none">–</td>`;
          const value = found.candidate === null ? "n/a" : Number(found.candidate.toPrecision(4)).toString();
          const ci = found.ci ? ` [${found.ci.map((v) => Number(v.toPrecision(3))).join(", ")}]` : "";
          return `<td class="${verdictClass[found.verdict] ?? "inc"}" title="${escapeHtml(`${found.verdict}: ${value}${ci}`)}">${escapeHtml(value)}</td>`;
        })
        .join("");
      const start = escapeHtml(entry.start.slice(0, 16).replace("T", " "));
      const link = reportLinks ? `<a href="${escapeHtml(windowFolderName(entry.start_ms))}/report.html">${start}</a>` : start;
      const step = entry.decision === "promote" || entry.decision === "rollback" || entry.decision === "complete" ? ` step` : "";
      return `<tr class="${step.trim()}" data-index="${index}"><td>${link}</td><td>${escapeHtml(entry.stage)}</td><td>${entry.n.candidate}/${entry.n.baseline}</td><td class="${verdictClass[entry.verdict] ?? "inc"}">${escapeHtml(entry.verdict)}</td>${cells}<td class="d-${escapeHtml(entry.decision)}" title="${escapeHtml(entry.decision_reason)}">${escapeHtml(entry.decision)}</td><td class="why">${escapeHtml(entry.reason)}</td></tr>`;
    })
    .join("\n");
  const last = state.windows.at(-1);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>canary ${escapeHtml(name)}: timeline</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}a{color:#58a6ff}}
.wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{border:1px solid #8884;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600;font-size:12px}.pass{background:#2da44e33}.fail{background:#cf222e44}.inc{background:#bf870033}.none{color:#888}
tr.step td:first-child{border-left:4px solid #0969da}.d-rollback{font-weight:700;color:#cf222e}.d-promote,.d-complete{font-weight:700;color:#1a7f37}
.why{font-size:12px;max-width:32rem}svg{display:block;margin:1rem 0;max-width:100%}
</style></head><body>
<h1>canary ${escapeHtml(name)}</h1>
<p>plan sha256 <code>${escapeHtml(planSha256.slice(0, 12))}</code> · ${state.windows.length} windows · repeated looks: ${escapeHtml(method)}</p>
<p><strong>decision: ${escapeHtml(last?.decision ?? "hold")}</strong>${last ? ` at stage ${escapeHtml(last.next_stage)} — ${escapeHtml(last.decision_reason)}` : ""}</p>
${stageLine(state, stages)}
<div class="wrap"><table><thead><tr><th>window (UTC)</th><th>stage</th><th>n cand/base</th><th>verdict</th>${head}<th>decision</th><th>why</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
</body></html>
`;
}

/** The stage the canary stood at after each window, as a step line; a rollback drops to the floor in red. */
function stageLine(state: CanaryState, stages: string[]): string {
  if (state.windows.length === 0) return "";
  const width = Math.max(300, state.windows.length * 12);
  const height = 80;
  const y = (entry: WindowEntry) =>
    entry.decision === "rollback" ? height - 4 : height - 8 - (stages.indexOf(entry.next_stage) / Math.max(1, stages.length - 1)) * (height - 16);
  const x = (i: number) => 4 + (i / Math.max(1, state.windows.length - 1)) * (width - 8);
  const points = state.windows.map((w, i) => `${x(i).toFixed(1)},${y(w).toFixed(1)}`).join(" ");
  const marks = state.windows
    .map((w, i) =>
      w.decision === "rollback" || w.decision === "promote" || w.decision === "complete"
        ? `<circle cx="${x(i).toFixed(1)}" cy="${y(w).toFixed(1)}" r="3.5" fill="${w.decision === "rollback" ? "#cf222e" : "#1a7f37"}"><title>${escapeHtml(`${w.start}: ${w.decision}`)}</title></circle>`
        : "",
    )
    .join("");
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="stage after each window"><polyline fill="none" stroke="#0969da" stroke-width="2" points="${points}"/>${marks}</svg>`;
}
