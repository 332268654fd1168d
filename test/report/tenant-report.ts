/**
 * A multi-tenant run as the reports see it: a tenant-scoped gate rule that fails, a tool call whose
 * `amount` changed (with fresh random call ids on each side), a JSON answer that only changed format
 * (compact → pretty-printed), one whose `priority` changed, and a rephrased text answer.
 */
import type { CaseReport, Comparison, GateRuleResult, RunReport } from "../../src/types.js";
import { makeCaseReport, makeCaseRun, makeCheckResult, makeGateRule, makeReport } from "../support/make-report.js";

const pass = makeCheckResult();
const fail = (reason: string) => makeCheckResult({ status: "fail", score: 0, reason });

export const tenantCases: CaseReport[] = [
  makeCaseReport({
    id: "refund-acme",
    tags: ["tenant:acme", "tools"],
    input: "Refund order A-1001, it arrived damaged.",
    // a production request (eval --traffic): the case view says where and when it was captured
    traffic: { ts: "2026-06-12T10:00:03.000Z", source: "litellm" },
    outcome: "regression",
    baseline: [
      makeCaseRun({
        output: "",
        tool_calls: [{ id: "call_Qx81mZ", name: "issue_refund", arguments: { order_id: "A-1001", amount: 20, reason: "damaged" } }],
        checks: { tools: pass },
      }),
    ],
    candidate: [
      makeCaseRun({
        output: "",
        tool_calls: [{ id: "call_7Hk2Pa", name: "issue_refund", arguments: { order_id: "A-1001", amount: 25, reason: "damaged" } }],
        checks: { tools: fail("issue_refund: arguments.amount: expected 20, got 25") },
      }),
    ],
  }),
  makeCaseReport({
    id: "triage-acme",
    tags: ["tenant:acme", "json"],
    input: "My card was charged twice!",
    outcome: "regression",
    baseline: [makeCaseRun({ output: '{"category":"billing","priority":"urgent","order_id":null}', checks: { format: pass } })],
    candidate: [
      makeCaseRun({
        output: '{\n  "category": "billing",\n  "priority": "high",\n  "order_id": null\n}',
        checks: { format: fail("/priority: must be equal to one of the allowed values (urgent)") },
      }),
    ],
  }),
  makeCaseReport({
    id: "triage-globex",
    tags: ["tenant:globex", "json"],
    input: "Where is my parcel?",
    outcome: "pass",
    baseline: [makeCaseRun({ output: '{"category":"shipping","priority":"low","order_id":"G-77"}', checks: { format: pass } })],
    candidate: [makeCaseRun({ output: '{\n  "category": "shipping",\n  "priority": "low",\n  "order_id": "G-77"\n}', checks: { format: pass } })],
  }),
  makeCaseReport({
    id: "faq-initech",
    tags: ["tenant:initech", "faq"],
    input: "Do you ship to Canada?",
    outcome: "pass",
    baseline: [makeCaseRun({ output: "Yes, we ship to Canada in 7-14 business days.", checks: { helpful: pass } })],
    candidate: [makeCaseRun({ output: "Yes: Canadian orders arrive in 7-14 business days.", checks: { helpful: pass } })],
  }),
];

function comparison(metric: string, baseline: number, candidate: number, ci: [number, number], n: number): Comparison {
  return { metric, baseline, candidate, delta: candidate - baseline, ci, p_value: 0.5, method: "exact McNemar; Newcombe paired interval", n };
}

const segmentComparisons = [
  comparison("segment.tenant:acme.pass_rate", 1, 0, [-1, -0.34], 2),
  comparison("segment.tenant:globex.pass_rate", 1, 1, [-0.79, 0.79], 1),
  comparison("segment.tenant:initech.pass_rate", 1, 1, [-0.79, 0.79], 1),
  comparison("segment.tools.pass_rate", 1, 0, [-1, 0.2], 1),
  comparison("segment.json.pass_rate", 1, 0.5, [-0.9, 0.4], 2),
  comparison("segment.faq.pass_rate", 1, 1, [-0.79, 0.79], 1),
];

const rules: GateRuleResult[] = [
  makeGateRule({ metric: "pass_rate", baseline: 1, candidate: 0.5, delta: -0.5, ci: [-0.85, 0.1], n: 4, verdict: "fail", reason: "dropped 50.0 pp" }),
  makeGateRule({
    metric: "segment.tenant:acme.pass_rate",
    baseline: 1,
    candidate: 0,
    delta: -1,
    ci: [-1, -0.34],
    n: 2,
    bound: { max_drop: 0.05 },
    bound_text: "0.05",
    verdict: "fail",
    reason: "tenant acme dropped 100.0 pp; the bound allows 5.0 pp",
  }),
  makeGateRule({
    metric: "segment.tenant:globex.pass_rate",
    baseline: 1,
    candidate: 1,
    delta: 0,
    ci: [-0.79, 0.79],
    n: 1,
    bound: { max_drop: 0.05 },
    bound_text: "0.05",
    verdict: "pass",
    reason: "no change",
  }),
];

/** The multi-tenant report; `segment.*` comparisons and rules as aggregate and the gate write them. */
export function makeTenantReport(): RunReport {
  // A fresh copy each time: tests change fields of it.
  const report = structuredClone(makeReport({ cases: tenantCases, gate: { verdict: "fail", rules } }));
  report.checks = [
    { id: "tools", type: "tool-calls", category: "tools" },
    { id: "format", type: "json-schema", category: "format" },
    { id: "helpful", type: "judge", category: "quality" },
  ];
  report.comparison = [...report.comparison, ...segmentComparisons];
  return report;
}
