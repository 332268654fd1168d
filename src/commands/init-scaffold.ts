/**
 * What `modelgate init` writes: a small, commented project (config, prompt, rubric, dataset) and the
 * canned answers of both variants that its cassette is built from. Data only; `init.ts` writes it.
 *
 * The example gates a model swap for a bookshop's support assistant. The rubric is judge-free on
 * purpose (json-schema, tool-calls, contains, not-refusal), so the cassette needs model answers only.
 */
import type { JsonObject, ToolCall, Usage } from "../types.js";

/** The variant names the scaffold's config defines, as `--baseline` / `--candidate` take them. */
export const exampleVariants = { baseline: "current", candidate: "next" } as const;

/** Where the cassette goes, relative to the project folder. */
export const exampleCassette = "datasets/example.cassette.jsonl";

/** A canned model answer: what a recorded response of the cassette holds. */
export interface CannedAnswer {
  text: string;
  tool_calls?: Array<Omit<ToolCall, "id">>;
  usage: Usage;
  latency_ms: number;
}

export interface ExampleCase {
  /** `//` lines written above the case in the dataset */
  comment: string[];
  case: JsonObject & { id: string };
  baseline: CannedAnswer;
  candidate: CannedAnswer;
}

const trackOrder = {
  name: "track_order",
  description: "Look up the shipping status of an order",
  parameters: {
    type: "object",
    properties: { order_id: { type: "string", pattern: "^B-\\d{4}$" } },
    required: ["order_id"],
    additionalProperties: false,
  },
};

const issueRefund = {
  name: "issue_refund",
  description: "Refund an order. Omit amount for a full refund.",
  parameters: {
    type: "object",
    properties: {
      order_id: { type: "string", pattern: "^B-\\d{4}$" },
      reason: { type: "string", enum: ["damaged", "not_received", "wrong_item"] },
      amount: { type: "number", exclusiveMinimum: 0 },
    },
    required: ["order_id", "reason"],
    additionalProperties: false,
  },
};

/** The JSON a triage answer must be; each case narrows it to the right answer with `enum`. */
function triageSchema(category: string, urgency: string[], orderId: JsonObject): JsonObject {
  return {
    type: "object",
    properties: {
      category: { enum: [category] },
      urgency: { enum: urgency },
      order_id: orderId,
    },
    required: ["category", "urgency", "order_id"],
    additionalProperties: false,
  };
}

/** The id of the case the candidate was planted to regress on (the first run shows a failing gate). */
export const plantedRegression = "refund-001";

/** The golden cases, in dataset order, each with what both variants answered. */
export const exampleCases: ExampleCase[] = [
  {
    comment: [
      "// Tool use. `tools` are offered to the model (JSON Schema parameters); `expected.tool_calls` lists the",
      "// calls it should make. Plain values must be equal.",
    ],
    case: {
      id: "track-001",
      input: "Hi! Where is my order B-1042? It was supposed to arrive yesterday.",
      tools: [trackOrder, issueRefund],
      expected: { tool_calls: [{ name: "track_order", arguments: { order_id: "B-1042" } }] },
      tags: ["tools", "kind:orders"],
    },
    baseline: {
      text: "",
      tool_calls: [{ name: "track_order", arguments: { order_id: "B-1042" } }],
      usage: { input_tokens: 412, output_tokens: 18 },
      latency_ms: 1180,
    },
    candidate: {
      text: "Let me look that up for you.",
      tool_calls: [{ name: "track_order", arguments: { order_id: "B-1042" } }],
      usage: { input_tokens: 412, output_tokens: 27 },
      latency_ms: 640,
    },
  },
  {
    comment: [
      "// Argument matchers: an object whose keys all start with `$` matches instead of comparing.",
      '// {"$oneOf": [...]}, {"$regex": "..."}, {"$approx": 3.5, "$tol": 0.01}, {"$any": true}, {"$absent": true} ...',
      "// Here: a FULL refund, so `amount` must not be passed.",
      "// `metadata` is anything you like; it is carried into the report as is.",
    ],
    case: {
      id: plantedRegression,
      input: "My copy of The Overstory (order B-2210) arrived soaked, the pages are stuck together. I'd like my money back please.",
      tools: [trackOrder, issueRefund],
      expected: {
        tool_calls: [{ name: "issue_refund", arguments: { order_id: "B-2210", reason: "damaged", amount: { $absent: true } } }],
      },
      tags: ["tools", "kind:refund"],
      metadata: { source: "support inbox", ticket: 5120 },
    },
    baseline: {
      text: "I'm sorry your book arrived damaged. I've started a full refund for order B-2210.",
      tool_calls: [{ name: "issue_refund", arguments: { order_id: "B-2210", reason: "damaged" } }],
      usage: { input_tokens: 431, output_tokens: 46 },
      latency_ms: 1420,
    },
    // The planted regression: the candidate checks tracking instead of refunding.
    candidate: {
      text: "I'm sorry to hear that! Let me check the delivery status of order B-2210 first.",
      tool_calls: [{ name: "track_order", arguments: { order_id: "B-2210" } }],
      usage: { input_tokens: 431, output_tokens: 41 },
      latency_ms: 710,
    },
  },
  {
    comment: [
      "// `expected.tool_calls: []` means the model must call NO tool. `vars` fill {{placeholders}}: the rubric's",
      "// `contains` check looks for {{key_fact}} in the answer.",
    ],
    case: {
      id: "shipping-001",
      input: "Do you ship to Canada, and how long does it take?",
      vars: { key_fact: "7-14 business days" },
      tools: [trackOrder, issueRefund],
      expected: { tool_calls: [] },
      tags: ["tools", "faq"],
    },
    baseline: {
      text: "Yes, we ship to Canada! Delivery there usually takes 7-14 business days.",
      usage: { input_tokens: 405, output_tokens: 19 },
      latency_ms: 960,
    },
    candidate: {
      text: "We do ship to Canada. Orders usually arrive within 7-14 business days.",
      usage: { input_tokens: 405, output_tokens: 17 },
      latency_ms: 520,
    },
  },
  {
    comment: ["// Policy questions: plain `input` strings, checked by `contains` and `not-refusal`."],
    case: {
      id: "returns-001",
      input: "Can I return a book I've already started reading?",
      vars: { key_fact: "30 days" },
      tags: ["faq"],
    },
    baseline: {
      text: "Yes. You can return any book within 30 days of delivery, read or not; read books are refunded as store credit.",
      usage: { input_tokens: 268, output_tokens: 27 },
      latency_ms: 1050,
    },
    candidate: {
      text: "You can! Any book can come back within 30 days of delivery. Since it has been read, you'd get store credit rather than a refund.",
      usage: { input_tokens: 268, output_tokens: 31 },
      latency_ms: 590,
    },
  },
  {
    comment: ["// `messages` instead of `input`: a whole conversation (system / user / assistant / tool roles)."],
    case: {
      id: "address-001",
      messages: [
        { role: "user", content: "I just placed order B-3391." },
        { role: "assistant", content: "Thanks! How can I help with order B-3391?" },
        { role: "user", content: "I typed the wrong street. Can I still change the delivery address?" },
      ],
      vars: { key_fact: "until the order ships" },
      tags: ["faq"],
    },
    baseline: {
      text: "Yes, you can change the address until the order ships: reply with the correct address and I'll update it.",
      usage: { input_tokens: 301, output_tokens: 24 },
      latency_ms: 990,
    },
    candidate: {
      text: "No problem. Addresses can be changed until the order ships, so send me the correct street and I'll fix it.",
      usage: { input_tokens: 301, output_tokens: 25 },
      latency_ms: 560,
    },
  },
  {
    comment: [
      "// Structured output. `expected.schema` is the JSON Schema the answer must satisfy (or `schema_ref`: a",
      "// file relative to this dataset). A single ```json fenced block is accepted unless the check says strict.",
    ],
    case: {
      id: "triage-001",
      input:
        'Classify this customer message. Reply with JSON only.\n\n"Order B-3307 never arrived and tracking says delivered. This is the second time this happens!"',
      expected: { schema: triageSchema("delivery", ["high"], { const: "B-3307" }) },
      tags: ["json", "kind:triage"],
    },
    baseline: {
      text: '{"category": "delivery", "urgency": "high", "order_id": "B-3307"}',
      usage: { input_tokens: 296, output_tokens: 21 },
      latency_ms: 870,
    },
    candidate: {
      text: '```json\n{"category": "delivery", "urgency": "high", "order_id": "B-3307"}\n```',
      usage: { input_tokens: 296, output_tokens: 25 },
      latency_ms: 480,
    },
  },
  {
    comment: ["// `tags` pick which checks apply (`when:` in the rubric) and give per-segment metrics (segment.<tag>.*)."],
    case: {
      id: "triage-002",
      input: 'Classify this customer message. Reply with JSON only.\n\n"Hi, do you have the new Murakami in hardcover?"',
      expected: { schema: triageSchema("question", ["low", "normal"], { type: "null" }) },
      tags: ["json", "kind:triage"],
    },
    baseline: {
      text: '{"category": "question", "urgency": "low", "order_id": null}',
      usage: { input_tokens: 281, output_tokens: 19 },
      latency_ms: 820,
    },
    candidate: {
      text: '{"category": "question", "urgency": "low", "order_id": null}',
      usage: { input_tokens: 281, output_tokens: 19 },
      latency_ms: 450,
    },
  },
];

const configText = `# modelgate configuration, created by \`modelgate init\`.
#
# First run, offline (no API key, no network: every answer comes from the recorded cassette, which is
# keyed for the default endpoint, so leave OPENAI_BASE_URL unset for it). \`modelgate\` below is the
# command \`modelgate init\` printed (./node_modules/.bin/modelgate where the tarball is installed):
#   modelgate eval --baseline ${exampleVariants.baseline} --candidate ${exampleVariants.candidate} --replay ${exampleCassette}
# Then against the real models (keys only ever come from the environment, never from this file):
#   export OPENAI_API_KEY=sk-...
#   modelgate eval --baseline ${exampleVariants.baseline} --candidate ${exampleVariants.candidate} --format table,json,md,html
# Check the files without calling anything:
#   modelgate validate

# The rubric (checks + gate rules) used when --rubric is not given. Paths are relative to this file.
rubric: evals/example.yaml

# A variant is everything that shapes an output: provider, model, prompt and params. Name them here and
# pass the names to --baseline / --candidate (or use inline provider:model, e.g. openai:gpt-4o-2024-08-06).
variants:
  # What production runs today.
  ${exampleVariants.baseline}:
    provider: openai                  # openai | anthropic | openai-compatible (vLLM, Ollama, a LiteLLM proxy ...)
    model: gpt-4o-2024-08-06          # pin a dated version; a floating alias like \`gpt-4o\` changes under you
    prompt: prompts/example.md        # the system prompt; {{name}} placeholders are filled from each case's vars
    params: { temperature: 0, max_tokens: 400 }

  # The proposed upgrade. Change ONE thing at a time: same prompt, same params, only the model differs,
  # so a regression can be attributed to it.
  ${exampleVariants.candidate}:
    provider: openai
    model: gpt-4.1-mini-2025-04-14
    prompt: prompts/example.md
    params: { temperature: 0, max_tokens: 400 }
    # Built-in prices cover common models; this overrides them (USD per million tokens):
    # pricing: { input_per_mtok: 0.40, output_per_mtok: 1.60 }

  # Any server speaking the OpenAI chat API:
  # local:
  #   provider: openai-compatible
  #   base_url: http://localhost:11434/v1
  #   model: llama3.1:8b-instruct-q8_0
  #   api_key_env: LOCAL_LLM_KEY      # the NAME of the variable holding the key, if the server needs one

# The LLM judge for \`type: judge\` checks (and \`not-refusal\` with \`by: judge\`). Pick another model family
# than both variants: judges favour their own outputs. This example's rubric needs no judge.
# judge: { provider: anthropic, model: claude-3-5-sonnet-20241022 }

# Defaults for eval options (the command line wins):
# concurrency: 8        # requests in flight at once, across both variants
# repeat: 1             # draws per case; > 1 measures nondeterminism
# timeout: 60000        # per request, in ms
# max_retries: 4        # on 429 / 5xx / timeouts, honouring Retry-After
`;

const promptText = `You are the customer-support assistant of Paperleaf Books, an online bookshop.

- Be friendly and brief: one to three sentences.
- For anything about a specific order, use the tools: \`track_order\` for "where is my order" questions,
  \`issue_refund\` when a book arrived damaged, never arrived, or is the wrong one. Omit \`amount\` for a
  full refund. Never invent an order number; ask for it if the customer has not given one.
- When asked to classify a customer message, reply with one JSON object and nothing else:
  {"category": "delivery" | "billing" | "damaged" | "question", "urgency": "low" | "normal" | "high",
   "order_id": the order number like "B-1234", or null}

Policy:
- Returns: any book within 30 days of delivery. Unread books are refunded; read books get store credit.
- Shipping: to the US (2-5 business days) and Canada (7-14 business days).
- Delivery addresses can be changed until the order ships; after that the carrier can redirect it.
`;

const rubricText = `# modelgate rubric, created by \`modelgate init\`.
#
# A rubric says how every output is scored (checks) and, written down BEFORE you look at results, what
# the candidate must achieve to ship (gate). Both variants are scored the same way.
#
#   modelgate validate                  # checks this file, the config and the dataset; calls nothing

name: paperleaf-support

# The golden dataset, relative to this file (\`--dataset\` overrides it).
dataset: ../datasets/example.jsonl

# Every check yields per case: pass/fail, a score in 0..1 and a reason. A check that does not apply to a
# case is "skipped" there, never a pass. \`category\` groups checks into the metrics <category>.pass_rate /
# <category>.score; \`id\` names the metrics check.<id>.pass_rate / check.<id>.score.
checks:
  # The answer must be JSON valid against the case's expected.schema.
  - id: format
    type: json-schema
    category: format
    when: { tags: [json] }            # only cases tagged \`json\` (any of the listed tags)
    # strict: true                    # refuse a \`\`\`json fenced block; only bare JSON passes

  # The model's tool calls must match the case's expected.tool_calls (applies to cases that have them).
  - id: tools
    type: tool-calls
    category: tools
    order: any                        # any | strict
    extra_calls: forbid               # forbid | allow: an unexpected call fails the case
    extra_arguments: allow            # allow | forbid: arguments the case does not mention

  # The answer must state the case's key fact; {{key_fact}} comes from each case's vars.
  - id: answers-question
    type: contains
    category: quality
    value: "{{key_fact}}"
    ignore_case: true
    when: { tags: [faq] }

  # A support bot that declines a routine question has regressed (phrase patterns; \`by: judge\` asks the judge).
  - id: no-refusal
    type: not-refusal
    category: quality

  # More check types: equals, not-contains, regex, is-json, max-tokens, max-latency-ms, and an LLM judge
  # (needs \`judge:\` in the config; record a new cassette with --record to replay it):
  # - id: helpful
  #   type: judge
  #   category: quality
  #   criteria: "Answers the customer's actual question under Paperleaf policy and says what happens next."
  #   scale: [1, 5]                   # normalised to 0..1
  #   pass_at: 4

# Each rule bounds one metric: \`max\` / \`min\` on the candidate, or \`max_drop\` / \`max_increase\` relative to
# the baseline (absolute, or "N%"). \`mode: point\` (default) judges the estimate alone, so noise fails an
# unchanged model: at n = 50 a 2-point \`max_drop\` in point mode fails an identical candidate ~1 run in 4.
# The rate rules here use \`significant\` (fail only when the violation is statistically significant, Holm-
# adjusted across the gate's rules), so an unchanged model is not failed by noise; \`evidence\` also passes
# only on evidence and is otherwise "inconclusive" (exit 4); \`non-inferior\` needs the whole 95% interval
# inside the bound. Every report states the gate's false-fail rate; \`modelgate plan\` says how many cases
# a rule needs. Any failed rule: exit code 1.
on_inconclusive: hold                                    # an undecided gate exits 4 (or: fail | pass)
gate:
  - { metric: pass_rate,            max_drop: 0.05, mode: significant }   # share of cases passing every applicable check
  - { metric: format.pass_rate,     max_drop: 0.02, mode: significant }
  - { metric: tools.pass_rate,      max_drop: 0.02, mode: significant }
  - { metric: quality.pass_rate,    max_drop: 0.05, mode: significant }
  - { metric: error_rate,           max: 0.01, mode: significant }        # requests that failed after all retries (exact interval)
  - { metric: latency.p95_ms,       max: 5000 }
  - { metric: cost.per_request_usd, max_increase: "10%" }                # deterministic for a fixed prompt: point mode is fine
  # Point mode on purpose, and only because this example's answers are recorded (temperature 0, one
  # draw): every case that passed on the baseline and fails on the candidate blocks the rollout and is
  # listed. With sampled or judged outputs use \`mode: significant\` (fails only when regressions
  # significantly outnumber improvements), or noise alone will fail an unchanged model.
  - { metric: regressions,          max: 0, mode: point }   # cases passing on the baseline, failing on the candidate
`;

const datasetHeader = [
  "// Golden dataset, created by `modelgate init`: one JSON object per line.",
  "// Blank lines and lines starting with // are skipped, so comments like these are fine.",
  "// Every case needs a unique `id` and exactly one of `input` (a user message) or `messages` (a chat).",
  "// Optional: vars, tools, tool_choice, expected.{output, schema, schema_ref, tool_calls}, criteria, tags, metadata.",
  "// Seven cases show the formats; a real golden set needs dozens to hundreds before the gate's statistics",
  '// can tell a regression from noise (with few cases the report marks rules "inconclusive").',
];

function datasetText(): string {
  const blocks = exampleCases.map((example) => [...example.comment, JSON.stringify(example.case)].join("\n"));
  return `${datasetHeader.join("\n")}\n\n${blocks.join("\n\n")}\n`;
}

export interface ScaffoldFile {
  /** relative to the project folder */
  path: string;
  /** one line for the "created" list */
  purpose: string;
  text: string;
}

/** The text files of the scaffold, in the order they are listed (the cassette is built from them). */
export function scaffoldFiles(): ScaffoldFile[] {
  return [
    {
      path: "modelgate.config.yaml",
      purpose: `variants ${exampleVariants.baseline} (gpt-4o-2024-08-06) and ${exampleVariants.candidate} (gpt-4.1-mini-2025-04-14), same prompt`,
      text: configText,
    },
    { path: "prompts/example.md", purpose: "the system prompt both variants use", text: promptText },
    { path: "evals/example.yaml", purpose: "the checks every answer gets, and the gate rules", text: rubricText },
    { path: "datasets/example.jsonl", purpose: `${exampleCases.length} golden cases, commented field by field`, text: datasetText() },
  ];
}
