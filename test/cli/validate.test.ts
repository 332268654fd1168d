import { describe, expect, test } from "vitest";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { makeProject, runModelgate } from "../support/run-cli.js";

/*
 * Input validation through the real CLI entry point: every malformed dataset, rubric, config or flag is
 * exit 2 with `file:line: field: what was expected`, no stack trace, and nothing called.
 */

type Files = Record<string, string | object | object[]>;

interface Row {
  name: string;
  files: Files;
  /** default: validate --rubric rubric.yaml */
  args?: string[];
  env?: Record<string, string>;
  /** every one must match stderr */
  expect: RegExp[];
  /** none may appear anywhere in the output */
  secret?: string;
}

/** JSONL text: objects are serialised, strings are written verbatim (for broken lines), one per line. */
function jsonl(...lines: Array<object | string>): string {
  return `${lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n")}\n`;
}

const refundTool = {
  name: "issue_refund",
  description: "Refund an order",
  parameters: {
    type: "object",
    properties: { order_id: { type: "string" }, amount: { type: "number" } },
    required: ["order_id"],
  },
};

/** Line 1 of most datasets: a valid case. */
const good = { id: "c1", input: "How long is the return window?", expected: { output: "30 days" }, tags: ["faq"] };

/** A valid tool case with the given expected arguments. */
function toolCase(id: string, args: object): object {
  return { id, input: "Refund A-1", tools: [refundTool], expected: { tool_calls: [{ name: "issue_refund", arguments: args }] } };
}

/** Rubric whose line 4 is the first check and line 6 the first gate rule. */
function rubric(checks = "  - { id: answer, type: contains }", gate = "  - { metric: pass_rate, max_drop: 0.02 }"): string {
  return `name: t\ndataset: data.jsonl\nchecks:\n${checks}\ngate:\n${gate}\n`;
}

/** A project with a valid rubric and the given dataset lines. */
function withData(...lines: Array<object | string>): Files {
  return { "rubric.yaml": rubric(), "data.jsonl": jsonl(...lines) };
}

/** A project with a valid dataset and the given rubric text. */
function withRubric(text: string): Files {
  return { "rubric.yaml": text, "data.jsonl": jsonl(good) };
}

/** A project with the given config text (variants start on line 3) plus a valid rubric and dataset. */
function withConfig(text: string, extra: Files = {}): Files {
  return { "modelgate.config.yaml": text, "rubric.yaml": rubric(), "data.jsonl": jsonl(good), ...extra };
}

/** Shaped like a real key, so a leak would also be caught by anything that scans logs for keys. */
const secret = "sk-live-0123456789abcdefSECRET";

const validateConfig = ["validate", "--config", "modelgate.config.yaml"];
const evalInline = ["eval", "--baseline", "openai:gpt-4o-2024-08-06", "--candidate", "openai:gpt-4o-2024-11-20", "--rubric", "rubric.yaml"];

const datasetRows: Row[] = [
  {
    name: "invalid JSON line",
    files: withData(good, '{"id": "c2", "input": }'),
    expect: [/data\.jsonl:2: not valid JSON \(.+\); expected one JSON object per line/],
  },
  {
    name: "a line that is an array",
    files: withData(good, "[1, 2]"),
    expect: [/data\.jsonl:2: expected a JSON object, got an array \[1,2\]/],
  },
  {
    name: "missing id",
    files: withData(good, { input: "hi" }),
    expect: [/data\.jsonl:2: id: required; expected a non-empty string/],
  },
  {
    name: "duplicate id names the first line",
    files: withData(good, { id: "c2", input: "a" }, { id: "c1", input: "b" }),
    expect: [/data\.jsonl:3: id: duplicate id "c1" \(first used on line 1\)/],
  },
  {
    name: "both input and messages",
    files: withData(good, { id: "c2", input: "a", messages: [{ role: "user", content: "b" }] }),
    expect: [/data\.jsonl:2: input: give either input or messages, not both/],
  },
  {
    name: "neither input nor messages",
    files: withData(good, { id: "c2", expected: { output: "x" } }),
    expect: [/data\.jsonl:2: input: required: exactly one of input \(a string\) or messages \(a chat\)/],
  },
  {
    name: "messages with a bad role",
    files: withData(good, { id: "c2", messages: [{ role: "usr", content: "hi" }] }),
    expect: [/data\.jsonl:2: messages\[0\]\.role: expected one of system \| user \| assistant \| tool, got "usr" — did you mean "user"\?/],
  },
  {
    name: "messages not an array",
    files: withData(good, { id: "c2", messages: "hello" }),
    expect: [/data\.jsonl:2: messages: expected a non-empty array of \{role, content\} messages, got a string "hello"/],
  },
  {
    name: "tools not an array",
    files: withData(good, { id: "c2", input: "a", tools: refundTool }),
    expect: [/data\.jsonl:2: tools: expected an array of \{name, description, parameters\}, got an object/],
  },
  {
    name: "tool with an invalid name",
    files: withData(good, { id: "c2", input: "a", tools: [{ ...refundTool, name: "issue refund!" }] }),
    expect: [/data\.jsonl:2: tools\[0\]\.name: expected a tool name of letters, digits, _ or - \(at most 64\), got a string "issue refund!"/],
  },
  {
    name: "tool parameters an invalid JSON Schema",
    files: withData(good, { id: "c2", input: "a", tools: [{ name: "t", parameters: { type: "object", properties: { a: { type: "strin" } } } }] }),
    expect: [/data\.jsonl:2: tools\[0\]\.parameters: invalid JSON Schema: .*\/properties\/a\/type.*must be equal to one of the allowed values/],
  },
  {
    name: "tool_choice naming an unknown tool",
    files: withData(good, { id: "c2", input: "a", tools: [refundTool], tool_choice: "issue_refnd" }),
    expect: [
      /data\.jsonl:2: tool_choice: names tool "issue_refnd", which is not in this case's tools \(issue_refund\) — did you mean "issue_refund"\?/,
    ],
  },
  {
    name: "expected.schema with a misspelt keyword (strict)",
    files: {
      "rubric.yaml": rubric("  - { id: format, type: json-schema }"),
      "data.jsonl": jsonl(good, { id: "c2", input: "a", expected: { schema: { type: "object", propertes: {} } } }),
    },
    expect: [
      /data\.jsonl:2: check format: expected\.schema: invalid JSON Schema: unknown keyword "propertes" — did you mean "properties"\? \(strict_schema: false/,
    ],
  },
  {
    name: "expected.schema that is not valid for its dialect (whatever strict_schema says)",
    files: {
      "rubric.yaml": rubric("  - { id: format, type: json-schema, strict_schema: false }"),
      "data.jsonl": jsonl(good, { id: "c2", input: "a", expected: { schema: { type: "strin" } } }),
    },
    expect: [/data\.jsonl:2: expected\.schema: invalid JSON Schema: schema is invalid: \/type: must be equal to one of the allowed values/],
  },
  {
    name: "expected.schema_ref to a missing file",
    files: withData(good, { id: "c2", input: "a", expected: { schema_ref: "schemas/missing.json" } }),
    expect: [/data\.jsonl:2: expected\.schema_ref: \S*schemas\/missing\.json: file not found/],
  },
  {
    name: "expected.schema_ref to a non-JSON file",
    files: { ...withData(good, { id: "c2", input: "a", expected: { schema_ref: "ticket.yaml" } }), "ticket.yaml": "type: object\n" },
    expect: [/data\.jsonl:2: expected\.schema_ref: \S*ticket\.yaml: not valid JSON \(.+\); expected a JSON Schema file/],
  },
  {
    name: "expected.tool_calls not an array",
    files: withData(good, { id: "c2", input: "a", tools: [refundTool], expected: { tool_calls: { name: "issue_refund" } } }),
    expect: [/data\.jsonl:2: expected\.tool_calls: expected an array of \{name, arguments\} \(\[\] = no tool call\), got an object/],
  },
  {
    name: "unknown matcher with did-you-mean",
    files: withData(good, { id: "c2", input: "b" }, toolCase("c3", { order_id: "A-1", amount: { $aprox: 3.5 } })),
    expect: [/data\.jsonl:3: expected\.tool_calls\[0\]\.arguments\.amount: unknown matcher "\$aprox" — did you mean "\$approx"\?/],
  },
  {
    name: "bad $regex",
    files: withData(good, toolCase("c2", { order_id: { $regex: "^A-(\\d+$" } })),
    expect: [/data\.jsonl:2: expected\.tool_calls\[0\]\.arguments\.order_id: \$regex "\^A-\(\\\\d\+\$": not a valid RE2 pattern: missing closing \)/],
  },
  {
    name: "$regex with a lookahead (not RE2)",
    files: withData(good, toolCase("c2", { order_id: { $regex: "^(?=A)A-\\d+$" } })),
    expect: [
      /data\.jsonl:2: expected\.tool_calls\[0\]\.arguments\.order_id: \$regex .*: lookahead and lookbehind assertions are not supported: patterns use RE2 syntax/,
    ],
  },
  {
    name: "$approx not a number",
    files: withData(good, toolCase("c2", { order_id: "A-1", amount: { $approx: "3.5" } })),
    expect: [/data\.jsonl:2: expected\.tool_calls\[0\]\.arguments\.amount: \$approx needs a number, got "3\.5"/],
  },
  {
    name: "tags not an array",
    files: withData(good, { id: "c2", input: "a", tags: "faq" }),
    expect: [/data\.jsonl:2: tags: expected an array of strings, got a string "faq"/],
  },
  {
    name: "tags with a non-string",
    files: withData(good, { id: "c2", input: "a", tags: ["faq", 3] }),
    expect: [/data\.jsonl:2: tags\[1\]: expected a string, got a number 3/],
  },
  {
    name: 'typo\'d top-level field "expectd"',
    files: withData(good, { id: "c2", input: "a", expectd: { output: "x" } }),
    expect: [/data\.jsonl:2: expectd: unknown field — did you mean "expected"\?/],
  },
  {
    name: "vars not an object",
    files: withData(good, { id: "c2", input: "a", vars: ["gold"] }),
    expect: [/data\.jsonl:2: vars: expected an object of values, got an array \["gold"\]/],
  },
  {
    name: "a line that is a JSON string",
    files: withData(good, '"hello"'),
    expect: [/data\.jsonl:2: expected a JSON object, got a string "hello"/],
  },
  {
    name: "a message without content",
    files: withData(good, { id: "c2", messages: [{ role: "user" }] }),
    expect: [/data\.jsonl:2: messages\[0\]\.content: required: a string/],
  },
  {
    name: "expected.tool_calls naming a tool the case does not offer",
    files: withData(good, { id: "c2", input: "a", tools: [refundTool], expected: { tool_calls: [{ name: "issue_refunds" }] } }),
    expect: [/data\.jsonl:2: expected\.tool_calls\[0\]\.name: "issue_refunds" is not one of this case's tools — did you mean "issue_refund"\?/],
  },
  {
    name: "expected.schema_ref to a folder",
    files: { ...withData(good, { id: "c2", input: "a", expected: { schema_ref: "." } }) },
    expect: [/data\.jsonl:2: expected\.schema_ref: \S+: is a folder, expected a file/],
  },
  {
    name: "a broken line holding a key is reported without echoing it",
    files: withData(good, `{"id": "c2", "input": "a", "metadata": {"token": ${secret}}}`),
    expect: [/data\.jsonl:2: not valid JSON \(.+\); expected one JSON object per line/],
    secret,
  },
  {
    name: "a line nested too deeply",
    files: withData(good, `{"id": "c2", "input": "a", "metadata": ${"[".repeat(300)}${"]".repeat(300)}}`),
    expect: [/data\.jsonl:2: cannot take in this line: nesting deeper than 200 levels/],
  },
  {
    name: "empty dataset",
    files: withData("// nothing yet", ""),
    expect: [/data\.jsonl: the dataset has no cases/],
  },
  {
    name: "dataset file missing",
    files: { "rubric.yaml": rubric() },
    expect: [/\S*data\.jsonl: cannot read dataset: file not found/],
  },
  {
    name: "all problems in a file at once (3 bad lines → 3 messages)",
    files: withData({ id: "c0", input: "a", expectd: {} }, good, "not json", { id: "c3", input: "b", tags: "x" }),
    expect: [
      /invalid dataset: 3 problems/,
      /data\.jsonl:1: expectd: unknown field — did you mean "expected"\?/,
      /data\.jsonl:3: not valid JSON/,
      /data\.jsonl:4: tags: expected an array of strings/,
    ],
  },
];

const rubricRows: Row[] = [
  {
    name: "unknown check type with a suggestion",
    files: withRubric(rubric("  - { id: answer, type: contain }")),
    expect: [/rubric\.yaml:4: checks\[0\]\.type: unknown check type "contain" — did you mean "contains"\? \(known: json-schema, .*\)/],
  },
  {
    name: "duplicate check id",
    files: withRubric(rubric("  - { id: answer, type: contains }\n  - { id: answer, type: not-refusal }", "  - { metric: pass_rate, max_drop: 0 }")),
    expect: [/rubric\.yaml:5: checks\[1\]\.id: duplicate check id "answer"/],
  },
  {
    name: "bad regex in a regex check",
    files: withRubric(rubric("  - id: shape\n    type: regex\n    pattern: '^(A-\\d+'")),
    expect: [/rubric\.yaml:6: checks\[0\]\.pattern: not a valid RE2 pattern: missing closing \): .*\^\(A-\\d\+/],
  },
  {
    name: "a backreference in a regex check (not RE2)",
    files: withRubric(rubric("  - { id: twice, type: regex, pattern: '(a+)\\1' }")),
    expect: [/rubric\.yaml:4: checks\[0\]\.pattern: backreferences are not supported: patterns use RE2 syntax/],
  },
  {
    name: "a {{var}} that makes a regex check's pattern invalid, blamed on the case",
    files: {
      "rubric.yaml": rubric("  - { id: shape, type: regex, pattern: '^{{prefix}}-\\d+$' }"),
      "data.jsonl": jsonl({ ...good, vars: { prefix: "A" } }, { id: "c2", input: "a", vars: { prefix: "(" } }),
    },
    expect: [/data\.jsonl:2: check shape: pattern "\^\(-\\\\d\+\$" \(after \{\{var\}\} substitution\): not a valid RE2 pattern/],
  },
  {
    name: "the sticky flag in a regex check",
    files: withRubric(rubric("  - { id: shape, type: regex, pattern: 'A', flags: y }")),
    expect: [/rubric\.yaml:4: checks\[0\]\.flags: the "y" \(sticky\) flag is not supported: anchor the pattern with \^ instead/],
  },
  {
    name: "bad flags in a regex check are blamed on flags, not the pattern",
    files: withRubric(rubric("  - { id: shape, type: regex, pattern: '^A-\\d+$', flags: q }")),
    expect: [/rubric\.yaml:4: checks\[0\]\.flags: expected flags from "imsgu" \(i: ignore case, .*\), each at most once, got "q"/],
  },
  {
    name: "contains check with an unknown option (did-you-mean)",
    files: withRubric(rubric("  - { id: answer, type: contains, ignorecase: true }")),
    expect: [/rubric\.yaml:4: checks\[0\]\.ignorecase: unknown option for a contains check — did you mean "ignore_case"\?/],
  },
  {
    name: "json-schema check with an invalid inline schema",
    files: withRubric(rubric("  - id: format\n    type: json-schema\n    schema:\n      type: object\n      requird: [a]")),
    expect: [/rubric\.yaml:7: checks\[0\]\.schema: invalid JSON Schema: unknown keyword "requird" — did you mean "required"\?/],
  },
  {
    name: "json-schema check naming a schema file that is not JSON",
    files: { ...withRubric(rubric("  - { id: format, type: json-schema, schema: ticket.schema.yaml }")), "ticket.schema.yaml": "type: object\n" },
    expect: [/rubric\.yaml:4: checks\[0\]\.schema: \S*ticket\.schema\.yaml: not valid JSON \(.+\); expected a JSON Schema file/],
  },
  {
    name: 'gate metric unknown ("pass-rate") with a suggestion',
    files: withRubric(rubric(undefined, "  - { metric: pass-rate, max_drop: 0 }")),
    expect: [/rubric\.yaml:6: gate\[0\]\.metric: unknown metric "pass-rate" — did you mean "pass_rate"\?/],
  },
  {
    name: "gate rule with two bounds",
    files: withRubric(rubric(undefined, "  - { metric: pass_rate, max: 1, max_drop: 0 }")),
    expect: [/rubric\.yaml:6: gate\[0\]: give one bound per rule, got max and max_drop/],
  },
  {
    name: "gate rule with no bound",
    files: withRubric(rubric(undefined, "  - { metric: pass_rate }")),
    expect: [/rubric\.yaml:6: gate\[0\]: needs one bound: max, min, max_drop or max_increase/],
  },
  {
    name: "gate mode invalid",
    files: withRubric(rubric(undefined, "  - { metric: pass_rate, max_drop: 0, mode: signifcant }")),
    expect: [
      /rubric\.yaml:6: gate\[0\]\.mode: expected one of point \| significant \| non-inferior \| evidence, got "signifcant" — did you mean "significant"\?/,
    ],
  },
  {
    name: 'max_drop: "ten%"',
    files: withRubric(rubric(undefined, '  - { metric: pass_rate, max_drop: "ten%" }')),
    expect: [/rubric\.yaml:6: gate\[0\]\.max_drop: expected a number, or a percentage like "10%", got "ten%"/],
  },
  {
    name: "gate referencing check.nope.pass_rate",
    files: withRubric(rubric(undefined, "  - { metric: check.nope.pass_rate, max_drop: 0 }")),
    expect: [/rubric\.yaml:6: gate\[0\]\.metric: unknown metric "check\.nope\.pass_rate": no check with id "nope" \(checks: answer\)/],
  },
  {
    name: "YAML syntax error names the line",
    files: withRubric("name: t\ndataset: data.jsonl\nchecks:\n  - { id: answer, type: contains\ngate: []\n"),
    expect: [/invalid rubric: cannot parse \S*rubric\.yaml\n {2}\S*rubric\.yaml:[45]: /],
  },
  {
    name: "rubric top level not a mapping",
    files: withRubric("- id: answer\n  type: contains\n"),
    expect: [/\S*rubric\.yaml: expected a mapping of fields at the top level, got an array/],
  },
  {
    name: "JSON rubric errors carry line numbers too",
    files: {
      "rubric.json": JSON.stringify({ dataset: "data.jsonl", checks: [{ id: "answer", type: "contains", ignore_cas: true }] }, null, 2),
      "data.jsonl": jsonl(good),
    },
    args: ["validate", "--rubric", "rubric.json"],
    expect: [/rubric\.json:7: checks\[0\]\.ignore_cas: unknown option for a contains check — did you mean "ignore_case"\?/],
  },
  {
    name: "gate rules in the config are located in the config",
    files: withConfig("rubric: rubric.yaml\ngate:\n  - { metric: pass_rate, max_drop: 0, mode: strict }\n", {
      "rubric.yaml": "name: t\ndataset: data.jsonl\nchecks:\n  - { id: answer, type: contains }\n",
    }),
    args: validateConfig,
    expect: [/modelgate\.config\.yaml:3: gate\[0\]\.mode: expected one of point \| significant \| non-inferior \| evidence, got "strict"/],
  },
  {
    name: "no rubric anywhere",
    files: { "data.jsonl": jsonl(good) },
    args: ["validate"],
    expect: [/no rubric: pass --rubric FILE, or set `rubric:` in modelgate\.config\.yaml/],
  },
  {
    name: "rubric file missing",
    files: { "data.jsonl": jsonl(good) },
    expect: [/\S*rubric\.yaml: cannot read rubric: file not found/],
  },
];

const configRows: Row[] = [
  {
    name: "unknown provider",
    files: withConfig("rubric: rubric.yaml\nvariants:\n  stable:\n    provider: openia\n    model: gpt-4o-2024-08-06\n"),
    args: validateConfig,
    expect: [
      /modelgate\.config\.yaml:4: variants\.stable\.provider: expected one of openai \| anthropic \| openai-compatible \| openai-responses \| azure, got "openia" — did you mean "openai"\?/,
    ],
  },
  {
    name: "missing model",
    files: withConfig("rubric: rubric.yaml\nvariants:\n  stable:\n    provider: openai\n"),
    args: validateConfig,
    expect: [/modelgate\.config\.yaml:4: variants\.stable\.model: required: a model id \(e\.g\. gpt-4o-2024-08-06\)/],
  },
  {
    name: "api_key in the file is rejected and never echoed",
    files: withConfig(`rubric: rubric.yaml\nvariants:\n  stable:\n    provider: openai\n    model: gpt-4o-2024-08-06\n    api_key: ${secret}\n`),
    args: validateConfig,
    expect: [
      /modelgate\.config\.yaml:6: variants\.stable\.api_key: unknown field: API keys never go in files; set OPENAI_API_KEY .*or name another variable with api_key_env: <NAME>/,
    ],
    secret,
  },
  {
    name: "api_key at the top level of the config is rejected and never echoed",
    files: withConfig(`rubric: rubric.yaml\napi_key: ${secret}\n`),
    args: validateConfig,
    expect: [/modelgate\.config\.yaml:2: api_key: unknown field: API keys never go in files/],
    secret,
  },
  {
    name: "a key pasted into api_key_env is rejected and never echoed",
    files: withConfig(`rubric: rubric.yaml\nvariants:\n  stable:\n    provider: openai\n    model: gpt-4o-2024-08-06\n    api_key_env: ${secret}\n`),
    args: validateConfig,
    expect: [/modelgate\.config\.yaml:6: variants\.stable\.api_key_env: expected the NAME of an environment variable holding the key/],
    secret,
  },
  {
    name: "a duplicated api_key line (YAML error) is reported without echoing it",
    files: withConfig(`rubric: rubric.yaml\napi_key: ${secret}\napi_key: ${secret}\n`),
    args: validateConfig,
    expect: [/invalid config: cannot parse \S*modelgate\.config\.yaml\n {2}\S*modelgate\.config\.yaml:3: Map keys must be unique/],
    secret,
  },
  {
    name: "judge with an unknown provider",
    files: withConfig("rubric: rubric.yaml\njudge: { provider: antropic, model: claude-3-5-sonnet-20241022 }\n"),
    args: validateConfig,
    expect: [
      /modelgate\.config\.yaml:2: judge\.provider: expected one of openai \| anthropic \| openai-compatible \| openai-responses \| azure, got "antropic" — did you mean "anthropic"\?/,
    ],
  },
  {
    name: "config problems are listed in line order",
    files: withConfig("rubric: rubric.yaml\nvariants: [a, b]\nparams: { temperature: 0 }\n"),
    args: validateConfig,
    expect: [
      /invalid config: 2 problems\n {2}\S*modelgate\.config\.yaml:2: variants: expected a mapping of variant names to \{provider, model, \.\.\.\}, got an array \["a","b"\]\n {2}\S*modelgate\.config\.yaml:3: params: unknown field/,
    ],
  },
  {
    name: "base_url not a URL",
    files: withConfig(
      "rubric: rubric.yaml\nvariants:\n  canary:\n    provider: openai-compatible\n    model: m-2024-01-01\n    base_url: localhost:4000/v1\n",
    ),
    args: validateConfig,
    expect: [
      /modelgate\.config\.yaml:6: variants\.canary\.base_url: expected an http\(s\) URL like http:\/\/localhost:8000\/v1, got "localhost:4000\/v1"/,
    ],
  },
  {
    name: "unknown variant name on --baseline lists the known ones",
    files: withConfig("rubric: rubric.yaml\nvariants:\n  stable: openai:gpt-4o-2024-08-06\n  canary: openai:gpt-4o-2024-11-20\n"),
    args: ["eval", "--baseline", "stabel", "--candidate", "canary"],
    env: {},
    expect: [/--baseline "stabel": not a variant in \S*modelgate\.config\.yaml .*known variants: stable, canary/],
  },
  {
    name: "a prompt placeholder the case does not set",
    files: withConfig(
      "rubric: rubric.yaml\nvariants:\n  stable:\n    provider: openai\n    model: gpt-4o-2024-08-06\n    prompt: prompt.md\n  canary: openai:gpt-4o-2024-11-20\n",
      { "prompt.md": "You help {{customer_tier}} customers.\n" },
    ),
    args: ["eval", "--baseline", "stable", "--candidate", "canary"],
    env: {},
    expect: [/data\.jsonl:1: vars: stable's prompt \S*prompt\.md uses \{\{customer_tier\}\}, which this case does not set/],
  },
];

const usageRows: Row[] = [
  {
    name: "--concurrency 0",
    files: withData(good),
    args: [...evalInline, "--concurrency", "0"],
    env: {},
    expect: [/--concurrency expects an integer from 1 to 1024, got "0"/],
  },
  {
    name: "--format pdf",
    files: withData(good),
    args: [...evalInline, "--format", "table,pdf"],
    env: {},
    expect: [/unknown format "pdf"; expected any of table,json,md,html,junit/],
  },
];

usageRows.push(
  {
    name: "unknown flag with a suggestion",
    files: withData(good),
    args: [...evalInline, "--concurency", "4"],
    env: {},
    expect: [/unknown option '--concurency'\n\(Did you mean --concurrency\?\)/],
  },
  {
    name: "missing --candidate",
    files: withData(good),
    args: ["eval", "--baseline", "openai:gpt-4o-2024-08-06", "--rubric", "rubric.yaml"],
    env: {},
    expect: [/required option '--candidate <variant>' not specified/],
  },
  {
    name: "--repeat not a number",
    files: withData(good),
    args: [...evalInline, "--repeat", "two"],
    env: {},
    expect: [/--repeat expects an integer from 1 to 1000, got "two"/],
  },
);

/** eval with no API key in the environment: input errors must come first. */
const evalRows: Row[] = [
  {
    name: "eval: unknown matcher is exit 2 before the key check",
    files: withData(good, toolCase("c2", { amount: { $aprox: 1 } })),
    args: evalInline,
    env: {},
    expect: [/data\.jsonl:2: expected\.tool_calls\[0\]\.arguments\.amount: unknown matcher "\$aprox" — did you mean "\$approx"\?/],
  },
  {
    name: "eval: unknown check type is exit 2 before the key check",
    files: withRubric(rubric("  - { id: answer, type: contians }")),
    args: evalInline,
    env: {},
    expect: [/rubric\.yaml:4: checks\[0\]\.type: unknown check type "contians" — did you mean "contains"\?/],
  },
  {
    name: "eval: bad gate rule is exit 2 before the key check",
    files: withRubric(rubric(undefined, "  - { metric: latency.p95, max: 3000 }")),
    args: evalInline,
    env: {},
    expect: [/rubric\.yaml:6: gate\[0\]\.metric: unknown metric "latency\.p95" — did you mean "latency\.p95_ms"\?/],
  },
];

describe("modelgate validate / eval reject malformed input with exit 2 and a located message", () => {
  test.each([...datasetRows, ...rubricRows, ...configRows, ...usageRows, ...evalRows])("$name", async (row) => {
    const dir = makeProject(row.files);
    const result = await runModelgate(row.args ?? ["validate", "--rubric", "rubric.yaml"], { cwd: dir, env: row.env ?? {} });
    expect(result.stderr).not.toContain("    at ");
    expect(result.stderr).not.toContain("crashed");
    for (const pattern of row.expect) expect(result.stderr).toMatch(pattern);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toMatch(/API_KEY is not set|missing API key/i);
    if (row.secret !== undefined) {
      // not even a prefix of it: a truncated echo still leaks most of a key
      const prefix = row.secret.slice(0, 10);
      expect(result.stderr).not.toContain(prefix);
      expect(result.stdout).not.toContain(prefix);
    }
  });
});

describe("eval validates before it calls anything", () => {
  test("a bad dataset reaches no endpoint, even one that needs no key", async () => {
    const server = await fakeServerForTest();
    const dir = makeProject(withData(good, { id: "c2", input: "a", expectd: {} }));
    const result = await runModelgate(
      [
        "eval",
        "--baseline",
        "openai-compatible:a-2024-01-01",
        "--candidate",
        "openai-compatible:b-2024-01-01",
        "--rubric",
        "rubric.yaml",
        "--no-cache",
      ],
      { cwd: dir, env: { OPENAI_BASE_URL: server.openaiBaseUrl } },
    );
    expect(result.stderr).toMatch(/data\.jsonl:2: expectd: unknown field — did you mean "expected"\?/);
    expect(result.exitCode).toBe(2);
    expect(server.stats.requests).toBe(0);
  });
});

describe("a valid project", () => {
  test("validate exits 0 with an ok: summary", async () => {
    const dir = makeProject({
      "modelgate.config.yaml":
        "rubric: rubric.yaml\nvariants:\n  stable: openai:gpt-4o-2024-08-06\n  canary:\n    provider: openai\n    model: gpt-4o-2024-11-20\n",
      "rubric.yaml": rubric(
        "  - { id: answer, type: contains }\n  - { id: tools, type: tool-calls }",
        "  - { metric: pass_rate, max_drop: 0.02 }\n  - { metric: check.tools.pass_rate, max_drop: 0 }",
      ),
      "data.jsonl": jsonl(good, toolCase("c2", { order_id: { $regex: "^A-\\d+$" }, amount: { $approx: 3.5, $tol: 0.01 } })),
    });
    const result = await runModelgate(["validate"], { cwd: dir, env: {} });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ok: \S*modelgate\.config\.yaml: 2 variants$/m);
    expect(result.stdout).toMatch(/^ok: \S*data\.jsonl: 2 cases$/m);
    expect(result.stdout).toMatch(/^ok: \S*rubric\.yaml: 2 checks, 2 gate rules$/m);
  });
});
