/**
 * Domain types shared by every stage of the pipeline:
 * load → expand → run → score → aggregate → compare → gate → report.
 * Stages meet only through these types; SDK types never leave a provider module.
 */
import type { SchemaCompiler } from "./checks/schema-compiler.js";

// ---------------------------------------------------------------- inputs

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `developer` is OpenAI's newer name for a system turn (logged production requests carry it). */
export type Role = "system" | "developer" | "user" | "assistant" | "tool";

/**
 * A content part of a message that has more than text (SPEC §3: OpenAI-style parts). Text parts keep
 * their place among images; `url` is an http(s) URL or a `data:` URL, exactly as logged.
 */
export type ContentPart = { type: "text"; text: string } | { type: "image"; url: string; detail?: string };

/** A chat message as the dataset writes it (and as providers receive it, after templating). */
export interface ChatMessage {
  role: Role;
  /** the message's text (its text parts joined), what checks and judges read */
  content: string;
  /** only when the message has non-text parts: every part in order, what providers send */
  parts?: ContentPart[];
  /** assistant turns that called tools */
  tool_calls?: ToolCall[];
  /** tool turns: which call this answers */
  tool_call_id?: string;
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: JsonObject;
}

/** `tool_choice` of SPEC §3: auto / required / none / a tool name. */
export type ToolChoice = "auto" | "required" | "none" | { name: string };

/** A tool call as a model made it, normalised across providers. */
export interface ToolCall {
  id?: string;
  name: string;
  /** Parsed arguments. When the model's JSON did not parse this is `null` and `arguments_error` says why. */
  arguments: JsonValue;
  /** The raw argument text, kept only when it did not parse. */
  raw_arguments?: string;
  arguments_error?: string;
}

export interface ExpectedToolCall {
  name: string;
  /** Plain JSON values and `$`-matchers (SPEC §3). */
  arguments?: JsonObject;
}

export interface Expected {
  output?: string;
  /** inline schema, or the schema loaded from `schema_ref` (a boolean schema is a schema too) */
  schema?: JsonObject | boolean;
  /** resolved absolute path of `schema_ref`, for messages */
  schema_path?: string;
  tool_calls?: ExpectedToolCall[];
}

/** One golden case, validated. */
export interface EvalCase {
  id: string;
  /** 1-based line in the dataset file, for messages */
  line: number;
  input?: string;
  messages?: ChatMessage[];
  vars: Record<string, JsonValue>;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  expected: Expected;
  criteria?: string;
  tags: string[];
  metadata?: JsonValue;
  /** a traffic line (SPEC §9): where and when it was captured, and what its arms answered */
  traffic?: TrafficOrigin;
}

/** What a case read from a traffic file keeps of its line beyond the dataset fields. */
export interface TrafficOrigin {
  ts: string;
  source?: string;
  /** the request's parameters as production sent them (`request.params`) */
  params?: JsonObject;
  /** the recorded arms, answered in production; `eval --traffic … recorded` scores them as they are */
  arms: Partial<Record<Side, RecordedArm>>;
}

/** One recorded arm (SPEC §9 `arms.*`), validated. Measurements the source lacks are absent. */
export interface RecordedArm {
  model: string;
  served?: boolean;
  output: string | null;
  tool_calls: ToolCall[];
  usage: Usage | null;
  latency_ms?: number;
  ttft_ms?: number;
  status?: number;
  error: RequestError | null;
}

export type ProviderName = "openai" | "anthropic" | "openai-compatible" | "openai-responses" | "azure";

/** USD per million tokens. Unset extra columns bill at the input (cached, cache write) or output (reasoning) price. */
export interface Pricing {
  input_per_mtok: number;
  output_per_mtok: number;
  /** input tokens read from the provider's prompt cache */
  cached_input_per_mtok?: number;
  /** input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`) */
  cache_write_per_mtok?: number;
  /** reasoning (thinking) tokens, a part of the output tokens */
  reasoning_per_mtok?: number;
}

/** OpenAI reasoning effort (Chat Completions `reasoning_effort`, Responses `reasoning.effort`). */
export type ReasoningEffort = "minimal" | "low" | "medium" | "high";

/** Variant fields that shape a request beyond `params`, mapped by each provider to its own wire format. */
export interface RequestOptions {
  reasoning?: { effort: ReasoningEffort };
  /** Anthropic extended thinking */
  thinking?: { budget_tokens: number };
  /** stream the response: time to first token and tokens per second are measured */
  stream?: boolean;
}

/** A model plus everything that shapes its output. */
export interface VariantSpec {
  /** config name, or the inline spec (`openai:gpt-4o-2024-08-06`) */
  name: string;
  provider: ProviderName;
  model: string;
  base_url?: string;
  /** name of the environment variable holding the key (never the key itself) */
  api_key_env?: string;
  prompt?: { path: string; text: string; sha256: string };
  params: JsonObject;
  pricing?: Pricing;
  /** extra HTTP headers (SPEC §2): a literal value, or `{ env: NAME }` read from the environment at run time */
  headers?: Record<string, string | { env: string }>;
  reasoning?: RequestOptions["reasoning"];
  thinking?: RequestOptions["thinking"];
  stream?: boolean;
  /** azure: the deployment name (default: the model id) */
  deployment?: string;
  /** azure: the `api-version` query parameter */
  api_version?: string;
  /** azure: the variable holding a Microsoft Entra bearer token, used when no API key is set */
  token_env?: string;
}

/** Where a location-bearing problem was found: `datasets/qa.jsonl:14: expected.schema: ...`. */
export interface Issue {
  file: string;
  line?: number;
  field?: string;
  message: string;
}

// ---------------------------------------------------------------- run

/**
 * Token usage, normalised across providers: `input_tokens` counts every input token (cached and
 * cache-written included; Anthropic reports those apart) and `output_tokens` every output token
 * (reasoning included). The optional counts are parts of those totals, present when reported and > 0.
 */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
}

/** What a provider returns, normalised. */
export interface ModelResponse {
  text: string;
  tool_calls: ToolCall[];
  usage: Usage | null;
  finish_reason?: string;
  /** the model that answered, as the API named it (`response.model`) */
  served_model?: string;
  /** OpenAI's `system_fingerprint`, where sent */
  system_fingerprint?: string;
  /** the API's own refusal (OpenAI `refusal`), when the model declined; `text` then carries it too */
  refusal?: string;
  /** streamed responses: ms from sending to the first output token */
  ttft_ms?: number;
  /** streamed responses: output tokens per second after the first token */
  tokens_per_s?: number;
}

/** A fully-templated request, ready for a provider (also what the request key hashes). */
export interface ModelRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  params: JsonObject;
  /** `--repeat` draw index; distinct draws are distinct cache keys */
  draw: number;
  /** Ask for a JSON object reply (judge calls); providers map it to JSON mode where they can. */
  json_mode?: boolean;
  /** the variant's reasoning / thinking / stream fields (absent when it sets none) */
  options?: RequestOptions;
}

export type ErrorKind =
  | "rate_limit"
  | "server"
  | "overloaded"
  | "timeout"
  | "network"
  | "malformed"
  | "auth"
  | "bad_request"
  | "not_found"
  | "cassette_miss"
  /** `eval --traffic … recorded`: the line has no recorded arm for this side */
  | "not_recorded"
  | "aborted"
  | "unknown";

/** A count per error kind: the error taxonomy of a run, as report.json carries it. */
export type ErrorCounts = Record<ErrorKind, number>;

export interface RequestError {
  kind: ErrorKind;
  message: string;
  status?: number;
}

/** The result of one request after the runner's retry loop. A failed request is data, not an exception. */
export type RequestOutcome =
  | {
      status: "ok";
      response: ModelResponse;
      /** null: not measured (a recorded arm whose source logged no duration) */
      latency_ms: number | null;
      attempts: number;
      cached: boolean;
    }
  | {
      status: "error";
      error: RequestError;
      latency_ms: number | null;
      attempts: number;
      cached: false;
    };

// ---------------------------------------------------------------- score

export type CheckStatus = "pass" | "fail" | "skipped" | "error";

export interface CheckResult {
  status: CheckStatus;
  /** 0..1; null when skipped or error */
  score: number | null;
  reason: string;
  /** pairwise judge: the agreed verdict for the candidate */
  pairwise?: "win" | "loss" | "tie" | "inconsistent";
  /** a judge check that decided without asking the judge (identical pairwise outputs): not a judge call in judge.* metrics */
  judge_asked?: false;
}

export type Side = "baseline" | "candidate";

/**
 * A check's result as a run keeps it in memory: a passed check's reason stays on disk (the case log,
 * then report.json). Nothing reads a pass's reason from a record; a failure's or an error's is shown.
 */
export type CheckRecord = Omit<CheckResult, "reason"> & { reason?: string };

/**
 * What aggregation, the gate and the summaries read of one draw: a `CaseRun` without what the model
 * wrote. A long run keeps only these in memory; the full runs wait on disk (src/run/case-log.ts).
 */
export interface RunRecord {
  repeat: number;
  usage: Usage | null;
  /** null: not measured (a recorded arm whose source logged no duration) */
  latency_ms: number | null;
  cost_usd: number | null;
  attempts: number;
  cached: boolean;
  error: RequestError | null;
  checks: Record<string, CheckRecord>;
  /** the model that answered, as the API named it */
  served_model?: string;
  system_fingerprint?: string;
  /** streamed draws: time to first token, and output tokens per second after it */
  ttft_ms?: number;
  tokens_per_s?: number;
  /** candidate draws: whether it answered as the baseline's draw did (SPEC §9 `agreement.*`); absent where neither measure applies */
  agreement?: RunAgreement;
}

export interface RunAgreement {
  /** the same tool calls (names and arguments) as the baseline, where the request offered tools */
  tool_calls?: boolean;
  /** the same parsed JSON as the baseline, where the baseline answered JSON */
  output_json?: boolean;
}

/** One draw of one case on one variant, as it appears in report.json (SPEC §8). */
export interface CaseRun extends RunRecord {
  checks: Record<string, CheckResult>;
  output: string | null;
  tool_calls: ToolCall[];
  /** the API's own refusal text, when the model declined */
  refusal?: string;
}

export type CaseOutcome = "regression" | "improvement" | "pass" | "fail" | "error";

/** What aggregation, the gate and the summaries read of one case: a `CaseReport` without its texts. */
export interface CaseRecord {
  id: string;
  /** 1-based line in the dataset (orders merged shard reports like the dataset) */
  line?: number;
  tags: string[];
  baseline: RunRecord[];
  candidate: RunRecord[];
  outcome: CaseOutcome;
  /** passes in some repeats, fails in others (either side) */
  flaky?: boolean;
}

/** One case as it appears in report.json (SPEC §8). */
export interface CaseReport extends CaseRecord {
  input?: string;
  messages?: ChatMessage[];
  expected?: Expected;
  metadata?: JsonValue;
  /** a traffic case: when and where its line was captured */
  traffic?: { ts: string; source?: string };
  baseline: CaseRun[];
  candidate: CaseRun[];
}

// ---------------------------------------------------------------- compare & gate

export type MetricValues = Record<string, number | null>;

export interface Comparison {
  metric: string;
  baseline: number | null;
  candidate: number | null;
  delta: number | null;
  /** 95% interval of the paired delta (candidate − baseline), null where it cannot be computed */
  ci: [number, number] | null;
  /** on a comparison: the two-sided test of no difference; on a gate rule: the one-sided test of its bound */
  p_value: number | null;
  /** the two-sided test of no difference (exact McNemar for paired pass/fail, paired bootstrap otherwise) */
  p_value_diff?: number | null;
  /** how `ci`/`p_value` were computed, e.g. "exact McNemar; Newcombe paired interval" */
  method: string;
  /** paired units the interval rests on (cases) */
  n: number;
  /** 95% interval of the candidate's own value (for absolute `max`/`min` bounds) */
  candidate_ci?: [number, number] | null;
}

export type GateMode = "point" | "significant" | "non-inferior" | "evidence";

export interface GateBound {
  max?: number;
  min?: number;
  /** absolute, or a relative fraction when `relative` is true ("10%" → 0.1) */
  max_drop?: number;
  max_increase?: number;
  relative?: boolean;
}

export interface GateRule {
  metric: string;
  bound: GateBound;
  /** the bound's value as written, for display ("10%", "3000") */
  bound_text: string;
  mode: GateMode;
}

export interface GateRuleResult extends Comparison {
  bound: GateBound;
  bound_text: string;
  mode: GateMode;
  /** SPEC §6; `skipped`: the selection removed every case the rule needs (the gate rests on the others) */
  verdict: GateRuleVerdict;
  /** the interval straddles the bound (also on `point` rules, whose verdict rests on the estimate) */
  inconclusive: boolean;
  /** cases for 80% power at the bound, at the observed effect and spread (undecided rules) */
  cases_needed?: number | null;
  /** `p_value` after the Holm adjustment across the gate's `significant` and `evidence` rules */
  p_value_adjusted?: number | null;
  reason: string;
}

export type GateRuleVerdict = "pass" | "fail" | "inconclusive" | "skipped";

/** How the rubric wants the gate's family of tests and an undecided gate treated (SPEC §6). */
export interface GatePolicy {
  multiplicity: "holm" | "none";
  on_inconclusive: "hold" | "fail" | "pass";
}

/** The chance this gate fails a candidate identical to the baseline at this n (resampled under no difference). */
export interface FalseFailRate {
  rate: number;
  replications: number;
  seed: number;
  /** rules that fail most often under no difference, worst first */
  driven_by: string[];
}

export interface GateResult {
  /** SPEC §6; `error`: the run could not complete (exit 3) */
  verdict: "pass" | "fail" | "inconclusive" | "error";
  /** verdict `error`: what broke and what to do */
  reason?: string;
  rules: GateRuleResult[];
  /** rules whose cases the selection removed */
  skipped?: number;
  policy?: GatePolicy;
  false_fail_rate?: FalseFailRate | null;
}

// ---------------------------------------------------------------- report

export interface VariantInfo {
  name: string;
  /** `recorded`: the side is a traffic file's recorded arm (SPEC §9), not a called variant */
  provider: ProviderName | "recorded";
  model: string;
  base_url_host?: string;
  prompt_sha256: string | null;
  prompt_path?: string;
  params: JsonObject;
  reasoning?: RequestOptions["reasoning"];
  thinking?: RequestOptions["thinking"];
  stream?: boolean;
  deployment?: string;
  api_version?: string;
}

export interface RunReport {
  schema_version: 1;
  run: {
    id: string;
    started_at: string;
    finished_at: string;
    modelgate_version: string;
    dataset: { path: string; sha256: string };
    rubric: { path: string; sha256: string };
    repeat: number;
    interrupted: boolean;
    /** --shard i/n: this report covers one deterministic slice of the cases */
    shard?: { index: number; count: number };
    /** the rubric's `segments:` when it names them (else every tag is a segment) */
    segments?: string[];
    /** latencies of responses served from the cache or a cassette counted in latency metrics (off: --no-cached-latency) */
    cached_latency?: boolean;
    /** how many draws' latencies in the metrics came from the cache or a cassette (measured when first received) */
    cached_latencies?: number;
    warnings: string[];
    requests: { total: number; reused: number };
    /** requests that still failed after retries, by error kind, per side (every kind present, 0 when none) */
    errors?: { baseline: ErrorCounts; candidate: ErrorCounts };
    /** cost of every response the run used (fresh, cached or replayed), by who asked; null when unpriced */
    cost_usd?: { baseline: number | null; candidate: number | null; judge: number | null; total: number | null };
  };
  variants: { baseline: VariantInfo; candidate: VariantInfo; judge?: VariantInfo & { prompt_templates?: Record<string, string> } };
  checks: CheckInfo[];
  cases: CaseReport[];
  metrics: { baseline: MetricValues; candidate: MetricValues };
  comparison: Comparison[];
  gate: GateResult;
  regressions: string[];
  improvements: string[];
  /** a canary window's report (SPEC §11): the plan, the window and what was decided on it */
  canary?: CanaryReportSection;
}

/** What a canary window's report adds to a run report (SPEC §11). */
export interface CanaryReportSection {
  name: string;
  plan: { path: string; sha256: string };
  /** how repeated looks are accounted for (the sequential method) */
  method: string;
  window: { start: string; end: string };
  /** the stage the window was judged at, and the one after its decision */
  stage: string;
  next_stage: string;
  n: { baseline: number; candidate: number };
  pairing: "paired" | "unpaired";
  compare_within: string[];
  verdict: "pass" | "fail" | "inconclusive";
  deciding_rule: string | null;
  reason: string;
  decision: "promote" | "hold" | "rollback" | "complete";
  decision_reason: string;
  counters: { pass_streak: number; fail_streak: number; needed_to_promote: number; needed_to_rollback: number };
  /** one-sided per-window levels of the rollback and promote rules */
  alpha: { rollback: number; promote: number };
  /** each rule with the family it belongs to (the gate's rules are both families, rollback first) */
  families: Array<{ metric: string; family: "rollback" | "promote" }>;
}

/** A run report whose cases may be records only (what the summaries need); every `RunReport` is one. */
export type RunSummary = Omit<RunReport, "cases"> & { cases: CaseRecord[] };

// ---------------------------------------------------------------- rubric & checks

/** What the report (and metric definitions) need to know of a check. */
export interface CheckInfo {
  id: string;
  type: string;
  category: string;
  /** compares the two sides (pairwise judge): win/loss/tie metrics */
  pairwise?: boolean;
  /** calls the judge: counts in judge.error_rate */
  uses_judge?: boolean;
}

/** A check entry of the rubric, as written (validated per type by its factory). */
export interface CheckSpec {
  id: string;
  type: string;
  category: string;
  when?: { tags: string[] };
  [option: string]: JsonValue | undefined;
}

/** What a check sees of one draw. */
export interface ScoreInput {
  case: EvalCase;
  output: string | null;
  tool_calls: ToolCall[];
  usage: Usage | null;
  latency_ms: number | null;
  /** the API's own refusal (OpenAI `refusal`), when the model declined */
  refusal?: string;
  /** Calls the judge variant through the runner (retries, cache, cassette). Absent when no judge is configured. */
  judge?: JudgeCaller;
}

/** Calls a judge variant (the default judge, or `variant` named on the check) at temperature 0. */
export type JudgeCaller = (request: ModelRequest, options: { variant?: string; label: string }) => Promise<RequestOutcome>;

/** A rubric check, built once at load time (schemas and regexes compiled), then called per draw. */
export interface Check {
  id: string;
  type: string;
  category: string;
  /** false → the result is `skipped` (never a pass) */
  appliesTo(testCase: EvalCase): boolean;
  score(input: ScoreInput): Promise<CheckResult> | CheckResult;
  /** Pairwise checks compare the two sides of one case instead of scoring each alone. */
  scorePair?(input: { case: EvalCase; baseline: ScoreInput; candidate: ScoreInput }): Promise<CheckResult>;
  /** Per-case input validation at load time (e.g. a check that needs `expected.output`). */
  validateCase?(testCase: EvalCase): string[];
  /** `when: { tags }`: the tags that make the check apply (validated against the dataset's tags) */
  whenTags?: string[];
  /** The check calls the judge: it needs one configured, and its errors count in `judge.error_rate`. */
  usesJudge?: boolean;
  /** `judge:` named on the check (a config variant or provider:model), instead of the default judge */
  judgeVariant?: string;
  /** hashes of the judge prompt templates this check uses, for the report */
  judgeTemplates?: Record<string, string>;
}

/** Collects problems in a check's rubric entry: `issue("pattern", "not a valid regex: ...")`. */
export interface CheckBuildContext {
  /** absolute path of the rubric, to resolve `schema:`/`prompt:` file paths */
  rubricPath: string;
  /** this run's schema compiler (src/checks/schema-compiler.ts) */
  schemas: SchemaCompiler;
  issue(field: string, message: string): void;
}

export type CheckFactory = (spec: CheckSpec, context: CheckBuildContext) => Check;
