/**
 * Reads a traffic file (SPEC §9) as a dataset: every line a case, its recorded arms kept for
 * `eval --traffic … recorded`. Validation is the dataset's (request fields are dataset fields under
 * `request.`), plus the traffic fields; every problem is reported at once with file:line:field. A torn
 * last line — no newline after it and not valid JSON, as a writer killed mid-line leaves it — is ignored
 * with a warning.
 */
import { resolve } from "node:path";
import { createSchemaCompiler, type SchemaCompiler } from "../checks/schema-compiler.js";
import { describeValue, throwIfIssues, UserError } from "../errors.js";
import {
  checkKeys,
  expected,
  isObject,
  jsonErrorMessage,
  optionalBoolean,
  optionalNumber,
  optionalString,
  parseJson,
  type Report,
  readErrorMessage,
} from "../fields.js";
import { displayName } from "../paths.js";
import { readLines } from "../read-lines.js";
import { trafficErrorKinds, trafficVersion } from "../traffic/types.js";
import type { EvalCase, Issue, JsonObject, JsonValue, RecordedArm, Side, ToolCall, TrafficOrigin, Usage } from "../types.js";
import {
  caseSummary,
  collected,
  type Dataset,
  type DatasetSource,
  type LineParser,
  parseCase,
  parseLoggedToolCall,
  rereader,
  type SchemaFiles,
  schemaFiles,
} from "./dataset.js";

const lineFields = ["v", "id", "ts", "source", "tags", "request", "prompt", "arms", "expected", "metadata"];
const requestFields = ["messages", "tools", "tool_choice", "params"];
const armFields = ["model", "served", "output", "tool_calls", "usage", "latency_ms", "ttft_ms", "status", "error"];
const armNames: readonly Side[] = ["baseline", "candidate"];

/** Loads and validates a traffic file; its cases carry `traffic` (ts, source, params, recorded arms) and are held in memory. */
export function loadTraffic(path: string, displayPath = displayName(path), schemas: SchemaCompiler = createSchemaCompiler()): Promise<Dataset> {
  return collected((visit) => scanTraffic(path, displayPath, schemas, visit));
}

/**
 * Validates a traffic file in one pass, every problem at once, and keeps only what its lines carry
 * (count, tags, schema files); `read()` streams them again, as a scanned dataset's (`scanDataset`).
 * `visit` sees each valid line's case once, in this pass.
 */
export async function scanTraffic(
  path: string,
  displayPath = displayName(path),
  schemas: SchemaCompiler = createSchemaCompiler(),
  visit: (testCase: EvalCase) => void = () => {},
): Promise<DatasetSource> {
  const absolute = resolve(path);
  const issues: Issue[] = [];
  const warnings: string[] = [];
  const kept = caseSummary();
  const seen = new Map<string, number>();
  const files = schemaFiles(schemas, absolute);
  let sha256: string;
  try {
    sha256 = await readLines(
      absolute,
      (line, lineNumber, terminated) => {
        const text = line.trim();
        if (text === "") return;
        const report: Report = (field, message) => issues.push({ file: displayPath, line: lineNumber, ...(field ? { field } : {}), message });
        const warn: Report = (field, message) => warnings.push(`${displayPath}:${lineNumber}: ${field}: ${message}`);
        let raw: JsonValue;
        try {
          raw = parseJson(text);
        } catch (error) {
          if (!terminated && error instanceof SyntaxError) {
            warnings.push(
              `${displayPath}:${lineNumber}: the last line is cut off (no newline, not valid JSON), as a writer stopped mid-line leaves it; ignored`,
            );
          } else if (error instanceof SyntaxError)
            report("", `not valid JSON (${jsonErrorMessage(error)}); expected one traffic line (a JSON object) per line`);
          else report("", `cannot take in this line: ${(error as Error).message}`);
          return;
        }
        // Ids are checked on every line, so a duplicate is named even when its first use had other problems.
        const id = isObject(raw) ? raw.id : undefined;
        const first = typeof id === "string" ? seen.get(id) : undefined;
        if (first !== undefined) report("id", `duplicate id ${describeValue(id)} (first used on line ${first})`);
        else if (typeof id === "string") seen.set(id, lineNumber);
        const parsed = parseTrafficLine(raw, lineNumber, files, report, warn);
        if (!parsed || first !== undefined) return;
        kept.add(parsed);
        visit(parsed);
      },
      ({ lineNumber, message }) => issues.push({ file: displayPath, line: lineNumber, message }),
    );
  } catch (error) {
    throw new UserError(`${displayPath}: cannot read traffic file: ${readErrorMessage(error)}`);
  }
  throwIfIssues(issues, "traffic file");
  const summary = kept.summary();
  if (summary.count === 0) throw new UserError(`${displayPath}: the traffic file has no lines; expected one traffic line (SPEC §9) per line`);
  return { path: absolute, sha256, warnings, ...summary, read: rereader(absolute, displayPath, sha256, trafficLineParser(files)) };
}

/** A traffic line, read again: the scan's own rules (blank lines and a torn last line skipped). */
function trafficLineParser(files: SchemaFiles): LineParser {
  return (text, lineNumber, terminated, report) => {
    const trimmed = text.trim();
    if (trimmed === "") return undefined;
    let raw: JsonValue;
    try {
      raw = parseJson(trimmed);
    } catch (error) {
      if (!terminated && error instanceof SyntaxError) return undefined;
      throw error;
    }
    return parseTrafficLine(raw, lineNumber, files, report, () => {});
  };
}

function parseTrafficLine(raw: JsonValue, line: number, files: SchemaFiles, report: Report, warn: Report): EvalCase | undefined {
  if (!isObject(raw)) {
    report("", expected("a JSON object (a traffic line)", raw));
    return undefined;
  }
  let problems = 0;
  const counted: Report = (field, message) => {
    problems++;
    report(field, message);
  };
  checkKeys(raw, lineFields, "", counted, warn);
  if (raw.v !== trafficVersion)
    counted(
      "v",
      raw.v === undefined
        ? `required: ${trafficVersion}`
        : `expected ${trafficVersion} (the traffic version this modelgate reads), got ${describeValue(raw.v)}`,
    );
  const ts = raw.ts;
  if (typeof ts !== "string" || !isTimestamp(ts)) counted("ts", expected('an ISO 8601 time (e.g. "2026-06-12T10:15:03.120Z")', ts));
  const source = optionalString(raw, "source", "source", counted);
  const request = raw.request;
  let params: JsonObject | undefined;
  if (!isObject(request)) counted("request", expected("an object {messages, tools?, tool_choice?, params?}", request));
  else {
    checkKeys(request, requestFields, "request", counted, warn);
    if (request.messages === undefined) counted("request.messages", "required: a non-empty array of {role, content} messages");
    if (request.params !== undefined) {
      if (isObject(request.params)) params = request.params;
      else counted("request.params", expected("an object of the parameters the request was sent with", request.params));
    }
  }
  if (raw.prompt !== undefined && !isObject(raw.prompt)) counted("prompt", expected("an object {name, version, sha256}", raw.prompt));
  const arms = parseArms(raw.arms, counted);
  // The dataset fields, validated as a dataset case's; their problems are named where they are in the line.
  const caseFields: JsonObject = { id: raw.id ?? null };
  if (isObject(request)) {
    if (request.messages !== undefined) caseFields.messages = request.messages;
    if (request.tools !== undefined) caseFields.tools = request.tools;
    if (request.tool_choice !== undefined) caseFields.tool_choice = request.tool_choice;
  } else caseFields.messages = [{ role: "user", content: "" }]; // `request` was reported above; still check the id
  for (const key of ["expected", "tags", "metadata"]) if (raw[key] !== undefined) caseFields[key] = raw[key] as JsonValue;
  const testCase = parseCase(caseFields, line, files, (field, message) => counted(requestField(field), message), warn);
  if (!testCase || problems > 0 || typeof ts !== "string" || !arms || !isObject(request)) return undefined;
  const traffic: TrafficOrigin = { ts, arms, ...(source !== undefined ? { source } : {}), ...(params ? { params } : {}) };
  return { ...testCase, traffic };
}

/** A dataset field's name as it is spelled in a traffic line. */
function requestField(field: string): string {
  return /^(messages|tools|tool_choice)\b/.test(field) ? `request.${field}` : field;
}

function isTimestamp(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text) && Number.isFinite(Date.parse(text));
}

function parseArms(value: JsonValue | undefined, report: Report): TrafficOrigin["arms"] | undefined {
  if (!isObject(value)) {
    report("arms", expected('an object with "baseline", "candidate" or both', value));
    return undefined;
  }
  checkKeys(value, armNames, "arms", report);
  const arms: TrafficOrigin["arms"] = {};
  let ok = true;
  for (const name of armNames) {
    if (value[name] === undefined) continue;
    const arm = parseArm(value[name], `arms.${name}`, report);
    if (arm) arms[name] = arm;
    else ok = false;
  }
  if (ok && arms.baseline === undefined && arms.candidate === undefined) {
    report("arms", 'expected "baseline", "candidate" or both, got an empty object');
    return undefined;
  }
  return ok ? arms : undefined;
}

function parseArm(value: JsonValue, at: string, report: Report): RecordedArm | undefined {
  if (!isObject(value)) {
    report(at, expected("an object {model, output, error, …}", value));
    return undefined;
  }
  let problems = 0;
  const counted: Report = (field, message) => {
    problems++;
    report(field, message);
  };
  checkKeys(value, armFields, at, counted);
  const model = value.model;
  if (typeof model !== "string" || model === "") counted(`${at}.model`, expected("the model id (a non-empty string)", model));
  const served = optionalBoolean(value, "served", `${at}.served`, counted);
  const error = parseArmError(value.error, `${at}.error`, counted);
  const output = value.output;
  if (output !== null && typeof output !== "string") counted(`${at}.output`, expected("a string, or null when the arm failed", output));
  else if (error && output !== null) counted(`${at}.output`, "an arm with an error has output: null");
  else if (error === null && output === null)
    counted(`${at}.output`, 'null, but the arm has no error; expected the text it answered ("" when it only called tools), or an error');
  const toolCalls: ToolCall[] = [];
  if (value.tool_calls !== undefined) {
    if (!Array.isArray(value.tool_calls)) counted(`${at}.tool_calls`, expected("an array of {name, arguments}", value.tool_calls));
    else
      value.tool_calls.forEach((call, index) => {
        const parsed = parseLoggedToolCall(call, `${at}.tool_calls[${index}]`, counted);
        if (parsed) toolCalls.push(parsed);
      });
  }
  const usage = parseUsage(value.usage, `${at}.usage`, counted);
  const latency = optionalNumber(value, "latency_ms", `${at}.latency_ms`, counted, { min: 0 });
  const ttft = optionalNumber(value, "ttft_ms", `${at}.ttft_ms`, counted, { min: 0 });
  const status = optionalNumber(value, "status", `${at}.status`, counted, { min: 100, max: 599, integer: true });
  if (problems > 0 || typeof model !== "string" || error === undefined) return undefined;
  return {
    model,
    output: typeof output === "string" ? output : null,
    tool_calls: toolCalls,
    usage,
    error,
    ...(served !== undefined ? { served } : {}),
    ...(latency !== undefined ? { latency_ms: latency } : {}),
    ...(ttft !== undefined ? { ttft_ms: ttft } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}

function parseArmError(value: JsonValue | undefined, at: string, report: Report): RecordedArm["error"] | undefined {
  if (value === null) return null;
  if (!isObject(value)) {
    report(at, expected(`null, or {"kind": ${trafficErrorKinds.join("|")}, "message"}`, value));
    return undefined;
  }
  checkKeys(value, ["kind", "message"], at, report);
  const kind = value.kind;
  if (typeof kind !== "string" || !(trafficErrorKinds as readonly string[]).includes(kind)) {
    report(`${at}.kind`, `expected one of ${trafficErrorKinds.join(" | ")}, got ${describeValue(kind)}`);
    return undefined;
  }
  if (typeof value.message !== "string") {
    report(`${at}.message`, expected("a string", value.message));
    return undefined;
  }
  return { kind: kind as (typeof trafficErrorKinds)[number], message: value.message };
}

function parseUsage(value: JsonValue | undefined, at: string, report: Report): Usage | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    report(at, expected("an object {input_tokens, output_tokens}", value));
    return null;
  }
  const input = optionalNumber(value, "input_tokens", `${at}.input_tokens`, report, { min: 0, integer: true });
  const output = optionalNumber(value, "output_tokens", `${at}.output_tokens`, report, { min: 0, integer: true });
  if (input === undefined || output === undefined) {
    if (value.input_tokens === undefined || value.output_tokens === undefined) report(at, "expected both input_tokens and output_tokens");
    return null;
  }
  return { input_tokens: input, output_tokens: output };
}
