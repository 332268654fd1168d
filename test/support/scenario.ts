import type { FakeReply, FakeRequest } from "./fake-llm-server.js";

/**
 * A small support-bot scenario: cases of every check kind, and a scripted model whose answers depend
 * on the model id, so a "candidate" can regress on chosen cases.
 */
export const refundTool = {
  name: "issue_refund",
  description: "Refund an order",
  parameters: {
    type: "object",
    properties: { order_id: { type: "string" }, reason: { type: "string" }, amount: { type: "number" } },
    required: ["order_id"],
  },
};
export const trackTool = {
  name: "track_order",
  description: "Where is my order",
  parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
};
const ticketSchema = {
  type: "object",
  properties: { category: { enum: ["billing", "shipping", "other"] }, priority: { enum: ["low", "high"] } },
  required: ["category", "priority"],
  additionalProperties: false,
};

/** `count` cases cycling through tool, JSON and FAQ kinds; ids `<kind>-<n>`. */
export function scenarioCases(count: number): object[] {
  const cases: object[] = [];
  for (let i = 0; i < count; i++) {
    const kind = ["tool", "json", "faq"][i % 3];
    const id = `${kind}-${String(i).padStart(3, "0")}`;
    if (kind === "tool") {
      cases.push({
        id,
        input: `[${id}] Please refund order A-${1000 + i}, it arrived broken.`,
        tools: [refundTool, trackTool],
        expected: { tool_calls: [{ name: "issue_refund", arguments: { order_id: `A-${1000 + i}`, reason: { $any: true } } }] },
        tags: ["tools", i % 2 ? "tenant:acme" : "tenant:globex"],
      });
    } else if (kind === "json") {
      cases.push({
        id,
        input: `[${id}] Triage: my invoice is wrong. Reply with JSON.`,
        expected: { schema: ticketSchema },
        tags: ["json", "tenant:acme"],
      });
    } else {
      cases.push({ id, input: `[${id}] How long is the return window?`, expected: { output: "30 days" }, tags: ["faq", "tenant:globex"] });
    }
  }
  return cases;
}

export const scenarioRubric = `
name: scenario
dataset: data.jsonl
checks:
  - { id: tools, type: tool-calls, category: tools, when: { tags: [tools] } }
  - { id: format, type: json-schema, category: format }
  - { id: answer, type: contains, category: quality }
  - { id: polite, type: not-refusal, category: quality }
gate:
  - { metric: pass_rate, max_drop: 0.02 }
  - { metric: tools.pass_rate, max_drop: 0 }
  - { metric: error_rate, max: 0.05 }
  - { metric: regressions, max: 0 }
`;

/** `modelgate eval` on a project made of `scenarioCases` + `scenarioRubric` (as rubric.yaml), two loopback variants. */
export const scenarioEvalArgs = [
  "eval",
  "--rubric",
  "rubric.yaml",
  "--baseline",
  "openai-compatible:a-2024-01-01",
  "--candidate",
  "openai-compatible:b-2024-01-01",
];

/** The case id a request is about, from the `[id]` marker every scenario input carries. */
export function caseIdOf(request: FakeRequest): string {
  return /\[([\w-]+)\]/.exec(request.lastUser)?.[1] ?? "";
}

/**
 * A scripted model: right on every case, except cases in `breaks` when the model id contains
 * "candidate" — where it fails in the way that case's kind can fail.
 */
export function scriptedModel(breaks: ReadonlySet<string> = new Set()) {
  return (request: FakeRequest): FakeReply => {
    const id = caseIdOf(request);
    const broken = request.model.includes("candidate") && breaks.has(id);
    const n = Number(id.split("-")[1]);
    if (id.startsWith("tool")) {
      if (broken && n % 2) return { tool_calls: [{ name: "track_order", arguments: { order_id: `A-${1000 + n}` } }] };
      if (broken) return { tool_calls: [{ name: "issue_refund", arguments: { order_id: `B-${1000 + n}`, reason: "broken" } }] };
      return { tool_calls: [{ name: "issue_refund", arguments: { order_id: `A-${1000 + n}`, reason: "broken" } }] };
    }
    if (id.startsWith("json")) {
      return { text: broken ? 'Sure! {"category": "billing", "priority": "urgent"}' : '{"category": "billing", "priority": "high"}' };
    }
    return { text: broken ? "I'm sorry, but I can't help with that." : "You can return items within 30 days of delivery." };
  };
}
