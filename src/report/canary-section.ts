/**
 * A canary window's report (SPEC §11) opens with what was decided on the window: the plan, the stage,
 * n per arm, the verdict and the rule behind it, the decision and its counters, the sequential method.
 * Everything here came from a saved report: escaped as untrusted text.
 */
import type { CanaryReportSection, RunSummary } from "../types.js";
import { escapeHtml } from "./escape.js";
import { mdCode, mdText } from "./markdown-escape.js";

function facts(canary: CanaryReportSection): Array<[string, string]> {
  const { counters } = canary;
  return [
    ["window", `${canary.window.start} → ${canary.window.end}`],
    ["stage", canary.next_stage === canary.stage ? canary.stage : `${canary.stage} → ${canary.next_stage}`],
    [
      "n (candidate / baseline)",
      `${canary.n.candidate} / ${canary.n.baseline} (${canary.pairing}${canary.compare_within.length > 0 ? `, within ${canary.compare_within.join(", ")}` : ""})`,
    ],
    ["verdict", `${canary.verdict}${canary.deciding_rule ? ` (${canary.deciding_rule})` : ""}: ${canary.reason}`],
    ["decision", `${canary.decision}: ${canary.decision_reason}`],
    [
      "counters",
      `passing ${counters.pass_streak}/${counters.needed_to_promote} to promote, failing ${counters.fail_streak}/${counters.needed_to_rollback} to roll back`,
    ],
    [
      "repeated looks",
      `${canary.method}; per-window α rollback ${canary.alpha.rollback.toPrecision(3)}, promote ${canary.alpha.promote.toPrecision(3)}`,
    ],
    ["plan", `${canary.plan.path} (sha256 ${canary.plan.sha256.slice(0, 12)})`],
  ];
}

export function canaryMarkdown(report: Pick<RunSummary, "canary">): string[] {
  const canary = report.canary;
  if (!canary) return [];
  return [`### Canary ${mdCode(canary.name)}: ${mdText(canary.decision)}`, "", ...facts(canary).map(([k, v]) => `- **${k}**: ${mdText(v)}`)];
}

export function canaryHtml(report: Pick<RunSummary, "canary">): string {
  const canary = report.canary;
  if (!canary) return "";
  const rows = facts(canary)
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  return `<section id="canary"><h2>Canary ${escapeHtml(canary.name)}: ${escapeHtml(canary.decision)}</h2><table>${rows}</table></section>`;
}
