/**
 * The shape of report.json (SPEC §8), as a JSON Schema: what `modelgate report` checks a saved file
 * against before rendering any of it. A report is untrusted input (it may come from another machine,
 * or be edited by hand), so every field a renderer reads has its type here; fields may be added (SPEC:
 * "fields may be added, not renamed"), so unknown ones are allowed. Cases are checked one at a time
 * (`caseSchema`), as the command reads them, so a 100,000-case report is never one value in memory.
 */

const string = { type: "string" } as const;
const number = { type: "number" } as const;
const count = { type: "integer", minimum: 0 } as const;
const nullableNumber = { type: ["number", "null"] } as const;
const boolean = { type: "boolean" } as const;
const strings = { type: "array", items: string } as const;
const interval = { anyOf: [{ type: "null" }, { type: "array", items: number, minItems: 2, maxItems: 2 }] } as const;

const variant = {
  type: "object",
  required: ["name", "provider", "model", "prompt_sha256", "params"],
  properties: {
    name: string,
    provider: string,
    model: string,
    base_url_host: string,
    prompt_sha256: { type: ["string", "null"] },
    prompt_path: string,
    params: { type: "object" },
    prompt_templates: { type: "object", additionalProperties: string },
  },
} as const;

const bound = {
  type: "object",
  properties: { max: number, min: number, max_drop: number, max_increase: number, relative: boolean },
} as const;

const comparison = {
  type: "object",
  required: ["metric", "baseline", "candidate", "delta", "ci", "p_value", "method", "n"],
  properties: {
    metric: string,
    baseline: nullableNumber,
    candidate: nullableNumber,
    delta: nullableNumber,
    ci: interval,
    p_value: nullableNumber,
    method: string,
    n: count,
    candidate_ci: interval,
  },
} as const;

const rule = {
  type: "object",
  required: [...comparison.required, "bound", "bound_text", "mode", "verdict", "inconclusive", "reason"],
  properties: {
    ...comparison.properties,
    bound,
    bound_text: string,
    mode: string,
    verdict: { enum: ["pass", "fail", "inconclusive", "skipped"] },
    inconclusive: boolean,
    cases_needed: { type: ["integer", "null"] },
    reason: string,
  },
} as const;

const errorCounts = { type: "object", additionalProperties: count } as const;

/** Everything but the cases (which `caseSchema` checks one by one). */
export const reportHeadSchema = {
  $id: "https://modelgate.dev/schema/report-head.json",
  type: "object",
  required: ["schema_version", "run", "variants", "checks", "metrics", "comparison", "gate", "regressions", "improvements"],
  properties: {
    schema_version: { const: 1 },
    run: {
      type: "object",
      required: ["id", "started_at", "finished_at", "modelgate_version", "dataset", "rubric", "repeat", "interrupted", "warnings", "requests"],
      properties: {
        id: string,
        started_at: string,
        finished_at: string,
        modelgate_version: string,
        dataset: { type: "object", required: ["path", "sha256"], properties: { path: string, sha256: string } },
        rubric: { type: "object", required: ["path", "sha256"], properties: { path: string, sha256: string } },
        repeat: { type: "integer", minimum: 1 },
        interrupted: boolean,
        shard: { type: "object", required: ["index", "count"], properties: { index: count, count: count } },
        segments: strings,
        cached_latency: boolean,
        cached_latencies: count,
        warnings: strings,
        requests: { type: "object", required: ["total", "reused"], properties: { total: count, reused: count } },
        errors: { type: "object", properties: { baseline: errorCounts, candidate: errorCounts } },
        cost_usd: {
          type: "object",
          properties: { baseline: nullableNumber, candidate: nullableNumber, judge: nullableNumber, total: nullableNumber },
        },
      },
    },
    variants: {
      type: "object",
      required: ["baseline", "candidate"],
      properties: { baseline: variant, candidate: variant, judge: variant },
    },
    checks: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "type", "category"],
        properties: { id: string, type: string, category: string, pairwise: boolean, uses_judge: boolean },
      },
    },
    metrics: {
      type: "object",
      required: ["baseline", "candidate"],
      properties: {
        baseline: { type: "object", additionalProperties: nullableNumber },
        candidate: { type: "object", additionalProperties: nullableNumber },
      },
    },
    comparison: { type: "array", items: comparison },
    gate: {
      type: "object",
      required: ["verdict", "rules"],
      properties: {
        verdict: { enum: ["pass", "fail", "inconclusive", "error"] },
        reason: string,
        rules: { type: "array", items: rule },
      },
    },
    regressions: strings,
    improvements: strings,
    cases: { type: "array" },
  },
} as const;

const toolCall = {
  type: "object",
  required: ["name", "arguments"],
  properties: { id: string, name: string, arguments: true, raw_arguments: string, arguments_error: string },
} as const;

const draw = {
  type: "object",
  required: ["repeat", "usage", "latency_ms", "cost_usd", "attempts", "cached", "error", "checks", "output", "tool_calls"],
  properties: {
    repeat: count,
    usage: {
      anyOf: [
        { type: "null" },
        {
          type: "object",
          required: ["input_tokens", "output_tokens"],
          properties: {
            input_tokens: count,
            output_tokens: count,
            cached_input_tokens: count,
            cache_write_tokens: count,
            reasoning_tokens: count,
          },
        },
      ],
    },
    latency_ms: nullableNumber,
    cost_usd: nullableNumber,
    attempts: count,
    cached: boolean,
    error: {
      anyOf: [{ type: "null" }, { type: "object", required: ["kind", "message"], properties: { kind: string, message: string, status: number } }],
    },
    checks: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["status", "score", "reason"],
        properties: {
          status: { enum: ["pass", "fail", "skipped", "error"] },
          score: nullableNumber,
          reason: string,
          pairwise: { enum: ["win", "loss", "tie", "inconsistent"] },
        },
      },
    },
    output: { type: ["string", "null"] },
    tool_calls: { type: "array", items: toolCall },
    agreement: { type: "object", properties: { tool_calls: boolean, output_json: boolean } },
    served_model: string,
    system_fingerprint: string,
    refusal: string,
    ttft_ms: number,
    tokens_per_s: number,
  },
} as const;

const message = {
  type: "object",
  required: ["role", "content"],
  properties: { role: string, content: string, tool_calls: { type: "array", items: toolCall }, tool_call_id: string, name: string },
} as const;

/** One case of report.json. */
export const caseSchema = {
  $id: "https://modelgate.dev/schema/report-case.json",
  type: "object",
  required: ["id", "tags", "baseline", "candidate", "outcome"],
  properties: {
    id: string,
    line: { type: "integer", minimum: 1 },
    tags: strings,
    input: string,
    messages: { type: "array", items: message },
    expected: {
      type: "object",
      properties: {
        output: string,
        schema: { type: ["object", "boolean"] },
        schema_path: string,
        tool_calls: { type: "array", items: { type: "object", required: ["name"], properties: { name: string, arguments: { type: "object" } } } },
      },
    },
    baseline: { type: "array", items: draw },
    candidate: { type: "array", items: draw },
    outcome: { enum: ["regression", "improvement", "pass", "fail", "error"] },
    flaky: boolean,
    traffic: { type: "object", required: ["ts"], properties: { ts: string, source: string } },
  },
} as const;
