import { dirname, resolve } from "node:path";
import { createSchemaCompiler, type SchemaCompiler } from "../checks/schema-compiler.js";
import { validateExpectedToolCalls } from "../checks/tool-calls.js";
import { readContainedFile } from "../contained-file.js";
import { describeValue, suggest, throwIfIssues, UserError } from "../errors.js";
import {
  checkKeys,
  expected,
  isObject,
  jsonErrorMessage,
  optionalString,
  optionalStringArray,
  parseJson,
  type Report,
  readErrorMessage,
} from "../fields.js";
import { displayName } from "../paths.js";
import { type FileLine, fileLines, readLines } from "../read-lines.js";
import type {
  ChatMessage,
  ContentPart,
  EvalCase,
  Expected,
  ExpectedToolCall,
  Issue,
  JsonObject,
  JsonValue,
  Role,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from "../types.js";

/** A dataset (or traffic file) as the commands use it: what it is, what its cases carry, and the cases as a stream. */
export interface DatasetSource {
  path: string;
  sha256: string;
  warnings: string[];
  /** how many cases it has */
  count: number;
  /** every tag a case carries, sorted */
  tags: string[];
  /** the `schema_ref` files its cases read */
  schemaPaths: string[];
  /**
   * The cases in file order. A scanned dataset's are read from the file again, so a run never holds
   * them all (the file must still be the one scanned); a loaded one's are in memory.
   */
  read(): AsyncIterable<EvalCase>;
}

/** A dataset held in memory, every case validated. */
export interface Dataset extends DatasetSource {
  cases: EvalCase[];
}

const caseFields = ["id", "input", "messages", "vars", "tools", "tool_choice", "expected", "criteria", "tags", "metadata"];
const expectedFields = ["output", "schema", "schema_ref", "tool_calls"];
const roles: readonly Role[] = ["system", "developer", "user", "assistant", "tool"];
const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/** Loads and validates a golden dataset (SPEC §3), reporting every problem at once; its cases are held in memory. */
export function loadDataset(path: string, displayPath = displayName(path), schemas: SchemaCompiler = createSchemaCompiler()): Promise<Dataset> {
  return collected((visit) => scanDataset(path, displayPath, schemas, visit));
}

/** A scan's cases, collected in memory: what `loadDataset` and `loadTraffic` hand back. */
export async function collected(scan: (visit: (testCase: EvalCase) => void) => Promise<DatasetSource>): Promise<Dataset> {
  const cases: EvalCase[] = [];
  const scanned = await scan((testCase) => cases.push(testCase));
  return heldSource({ path: scanned.path, sha256: scanned.sha256, warnings: scanned.warnings, cases });
}

/** What a scan keeps of the cases it sees: how many, their tags, the schema files they read. */
export function caseSummary(): { add(testCase: EvalCase): void; summary(): Pick<DatasetSource, "count" | "tags" | "schemaPaths"> } {
  let count = 0;
  const tags = new Set<string>();
  const schemaPaths = new Set<string>();
  return {
    add(testCase) {
      count++;
      for (const tag of testCase.tags) tags.add(tag);
      if (testCase.expected.schema_path) schemaPaths.add(testCase.expected.schema_path);
    },
    summary: () => ({ count, tags: [...tags].sort(), schemaPaths: [...schemaPaths] }),
  };
}

/**
 * Validates a golden dataset (SPEC §3) in one pass, reporting every problem at once, and keeps only what
 * its cases carry (count, tags, schema files): `read()` streams the cases again for the run. `visit`
 * sees each valid case once, in this pass (checks that need the rubric too).
 */
export async function scanDataset(
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
  const lookalikes = new Map<string, { id: string; line: number }>();
  const files = schemaFiles(schemas, absolute);
  let sha256: string;
  try {
    sha256 = await readLines(
      absolute,
      (line, lineNumber) => {
        const text = line.trim();
        if (text === "" || text.startsWith("//")) return;
        const report: Report = (field, message) => issues.push({ file: displayPath, line: lineNumber, field, message });
        const warn: Report = (field, message) => warnings.push(`${displayPath}:${lineNumber}: ${field}: ${message}`);
        let raw: unknown;
        try {
          raw = parseJson(text);
        } catch (error) {
          // A SyntaxError is broken JSON; a RangeError is valid JSON nested too deeply to take in.
          if (error instanceof SyntaxError) report("", `not valid JSON (${jsonErrorMessage(error)}); expected one JSON object per line`);
          else report("", `cannot take in this line: ${(error as Error).message}`);
          return;
        }
        if (isObject(raw) && raw.v !== undefined && raw.request !== undefined && raw.arms !== undefined) {
          report("", "this is a traffic line (v, request, arms; SPEC §9), not a dataset case: pass the file with --traffic");
          return;
        }
        const parsed = parseCase(raw, lineNumber, files, report, warn);
        if (!parsed) return;
        const firstLine = seen.get(parsed.id);
        const lookalike = lookalikes.get(idKey(parsed.id));
        if (firstLine !== undefined) report("id", `duplicate id ${describeValue(parsed.id)} (first used on line ${firstLine})`);
        else if (lookalike !== undefined) {
          report(
            "id",
            `${describeValue(parsed.id)} looks the same as the id ${describeValue(lookalike.id)} on line ${lookalike.line} but differs in invisible ways ` +
              "(Unicode normalisation NFC/NFD, zero-width or other invisible characters); give each case a visibly different id",
          );
        } else {
          seen.set(parsed.id, lineNumber);
          lookalikes.set(idKey(parsed.id), { id: parsed.id, line: lineNumber });
        }
        kept.add(parsed);
        visit(parsed);
      },
      ({ lineNumber, message }) => issues.push({ file: displayPath, line: lineNumber, message }),
    );
  } catch (error) {
    throw new UserError(`${displayPath}: cannot read dataset: ${readErrorMessage(error)}`);
  }
  for (const issue of issues) if (issue.field === "") delete issue.field;
  throwIfIssues(issues, "dataset");
  const summary = kept.summary();
  if (summary.count === 0) throw new UserError(`${displayPath}: the dataset has no cases; expected one JSON object per line`);
  return { path: absolute, sha256, warnings, ...summary, read: rereader(absolute, displayPath, sha256, datasetLineParser(files)) };
}

/** `DatasetSource` over cases held in memory (a loaded dataset, a traffic file). */
export function heldSource(dataset: Omit<Dataset, "count" | "tags" | "schemaPaths" | "read">): Dataset {
  const kept = caseSummary();
  for (const testCase of dataset.cases) kept.add(testCase);
  return { ...dataset, ...kept.summary(), read: () => held(dataset.cases) };
}

async function* held(cases: EvalCase[]): AsyncGenerator<EvalCase> {
  yield* cases;
}

/**
 * How a stream reads one of a scanned file's lines again: its case, or undefined for a line the scan
 * skipped too (blank, a comment). A problem goes to `report`; a line that is not JSON throws.
 */
export type LineParser = (text: string, lineNumber: number, terminated: boolean, report: Report) => EvalCase | undefined;

/** A dataset line, read again: the scan's own rules (blank lines and `//` comments skipped). */
function datasetLineParser(files: SchemaFiles): LineParser {
  return (text, lineNumber, _terminated, report) => {
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.startsWith("//")) return undefined;
    return parseCase(parseJson(trimmed), lineNumber, files, report, () => {});
  };
}

/**
 * `read()` of a scanned file. Built out here: a closure made inside the scan would share its scope, and
 * keep the scan's maps of every id alive for the whole run.
 */
export function rereader(absolute: string, displayPath: string, sha256: string, parse: LineParser): () => AsyncIterable<EvalCase> {
  return () => rereadCases(absolute, displayPath, sha256, parse);
}

/**
 * A scanned file's cases, read from the file again as the run asks for them. Every line was validated
 * by the scan, so a line that no longer parses, or a different sha256 at the end, means the file
 * changed under the run: an input error, not a silent mix of two files.
 */
async function* rereadCases(absolute: string, displayPath: string, sha256: string, parse: LineParser): AsyncGenerator<EvalCase> {
  const changed = (why: string) =>
    new UserError(`${displayPath}: changed while the run was reading it (${why}); re-run with a file that stays as it is until the run ends`);
  const lines = fileLines(absolute);
  try {
    for (;;) {
      let next: IteratorResult<FileLine, string>;
      try {
        next = await lines.next();
      } catch (error) {
        throw new UserError(`${displayPath}: cannot read it again: ${readErrorMessage(error)}`);
      }
      if (next.done) {
        if (next.value !== sha256) throw changed("its sha256 is not the one it had when the run started");
        return;
      }
      const line = next.value;
      if (line.text === undefined) throw changed(`line ${line.lineNumber}: ${line.message}`);
      let problem: string | undefined;
      const report: Report = (field, message) => {
        problem ??= `line ${line.lineNumber}${field ? `: ${field}` : ""}: ${message}`;
      };
      let parsed: EvalCase | undefined;
      try {
        parsed = parse(line.text, line.lineNumber, line.terminated, report);
      } catch {
        throw changed(`line ${line.lineNumber} is no longer valid JSON`);
      }
      if (problem !== undefined) throw changed(problem);
      if (parsed) yield parsed;
    }
  } finally {
    await lines.return("");
  }
}

/**
 * What two ids look like to a person: NFKC-normalised, without the characters Unicode says are
 * invisible (zero-width spaces and joiners, word joiner, BOM, soft hyphen, bidi and variation marks).
 * Two ids with one key are look-alikes.
 */
function idKey(id: string): string {
  return id.normalize("NFKC").replace(/\p{Default_Ignorable_Code_Point}/gu, "");
}

/**
 * What one load of a dataset shares between its lines: the run's schema compiler, where `schema_ref`
 * files may be (the dataset's folder), and those read so far (per load: `watch` re-reads them each run).
 */
export interface SchemaFiles {
  schemas: SchemaCompiler;
  root: string;
  cache: Map<string, { schema: JsonObject; path: string } | string>;
}

/** The schema context of one load of the file at `path` (`schema_ref`s are read from its folder). */
export function schemaFiles(schemas: SchemaCompiler, path: string): SchemaFiles {
  return { schemas, root: dirname(resolve(path)), cache: new Map() };
}

/** One case object (a dataset line, or the dataset fields of a traffic line), validated; undefined after any problem. */
export function parseCase(raw: unknown, line: number, files: SchemaFiles, report: Report, warn: Report): EvalCase | undefined {
  if (!isObject(raw)) {
    report("", expected("a JSON object", raw));
    return undefined;
  }
  checkKeys(raw, caseFields, "", report, warn);
  const before = countingReport(report);
  const id = raw.id;
  if (typeof id !== "string" || id.trim() === "")
    before.report("id", id === undefined ? "required; expected a non-empty string" : expected("a non-empty string", id));

  const input = raw.input;
  const hasInput = input !== undefined;
  const hasMessages = raw.messages !== undefined;
  if (hasInput === hasMessages) {
    before.report(
      hasInput ? "input" : "input",
      hasInput ? "give either input or messages, not both" : "required: exactly one of input (a string) or messages (a chat)",
    );
  }
  if (hasInput && typeof input !== "string") before.report("input", expected("a string", input));
  const messages = hasMessages ? parseMessages(raw.messages, "messages", before.report) : undefined;

  let vars: Record<string, JsonValue> = {};
  if (raw.vars !== undefined) {
    if (isObject(raw.vars)) vars = raw.vars;
    else before.report("vars", expected("an object of values", raw.vars));
  }
  const tools = raw.tools === undefined ? undefined : parseTools(raw.tools, files.schemas, before.report);
  const toolChoice = parseToolChoice(raw.tool_choice, tools, before.report);
  const expectedBlock = parseExpected(raw.expected, tools, files, before.report, warn);
  const criteria = optionalString(raw, "criteria", "criteria", before.report);
  const tags = optionalStringArray(raw, "tags", "tags", before.report) ?? [];
  if (before.count() > 0 || typeof id !== "string") return undefined;
  const testCase: EvalCase = { id, line, vars, tags, expected: expectedBlock ?? {} };
  if (typeof input === "string") testCase.input = input;
  if (messages) testCase.messages = messages;
  if (tools) testCase.tools = tools;
  if (toolChoice) testCase.tool_choice = toolChoice;
  if (criteria !== undefined) testCase.criteria = criteria;
  if (raw.metadata !== undefined) testCase.metadata = raw.metadata;
  return testCase;
}

function countingReport(report: Report): { report: Report; count: () => number } {
  let count = 0;
  return {
    report: (field, message) => {
      count++;
      report(field, message);
    },
    count: () => count,
  };
}

export function parseMessages(value: JsonValue | undefined, field: string, report: Report): ChatMessage[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    report(field, expected("a non-empty array of {role, content} messages", value));
    return undefined;
  }
  const messages: ChatMessage[] = [];
  value.forEach((item, index) => {
    const at = `${field}[${index}]`;
    if (!isObject(item)) {
      report(at, expected("an object {role, content}", item));
      return;
    }
    checkKeys(item, ["role", "content", "tool_calls", "tool_call_id", "name"], at, report);
    const role = item.role;
    if (role === undefined) {
      report(`${at}.role`, `required: one of ${roles.join(" | ")}`);
      return;
    }
    if (typeof role !== "string" || !(roles as readonly string[]).includes(role)) {
      const hint = typeof role === "string" ? suggest(role, roles) : "";
      report(`${at}.role`, `expected one of ${roles.join(" | ")}, got ${describeValue(role)}${hint}`);
      return;
    }
    const content = messageContent(item.content ?? (item.tool_calls !== undefined ? "" : undefined), `${at}.content`, report);
    if (content === undefined) return;
    const message: ChatMessage = { role: role as Role, content: content.text };
    if (content.parts) {
      if (role !== "user") report(`${at}.content`, "only user messages may carry image parts");
      message.parts = content.parts;
    }
    if (item.tool_calls !== undefined) {
      if (role !== "assistant") report(`${at}.tool_calls`, "only assistant messages carry tool_calls");
      else if (!Array.isArray(item.tool_calls)) report(`${at}.tool_calls`, expected("an array", item.tool_calls));
      else {
        message.tool_calls = [];
        item.tool_calls.forEach((call, callIndex) => {
          const parsed = parseLoggedToolCall(call, `${at}.tool_calls[${callIndex}]`, report);
          if (parsed) message.tool_calls?.push(parsed);
        });
      }
    }
    const toolCallId = optionalString(item, "tool_call_id", `${at}.tool_call_id`, report);
    if (toolCallId !== undefined) message.tool_call_id = toolCallId;
    const name = optionalString(item, "name", `${at}.name`, report);
    if (name !== undefined) message.name = name;
    messages.push(message);
  });
  return messages;
}

/**
 * A message's content: a string, or (as logged production requests have it) an array of parts. Text
 * parts are joined into the text checks and judges read; image parts (OpenAI's `image_url`, Anthropic's
 * `image` with a base64 or URL source) are kept, in order, for the providers. Audio and files are not
 * replayable to every provider: an error naming the part.
 */
function messageContent(value: JsonValue | undefined, at: string, report: Report): { text: string; parts?: ContentPart[] } | undefined {
  if (typeof value === "string") return { text: value };
  if (!Array.isArray(value) || value.length === 0) {
    report(at, expected("a string (or an array of text and image parts)", value));
    return undefined;
  }
  const parts: ContentPart[] = [];
  for (const [index, part] of value.entries()) {
    const parsed = contentPart(part, `${at}[${index}]`, report);
    if (!parsed) return undefined;
    parts.push(parsed);
  }
  const text = parts.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("\n");
  return parts.some((part) => part.type === "image") ? { text, parts } : { text };
}

function contentPart(part: JsonValue, at: string, report: Report): ContentPart | undefined {
  const shape = 'a part {"type": "text", "text"} or {"type": "image_url", "image_url": {"url"}}';
  if (!isObject(part)) {
    report(at, expected(shape, part));
    return undefined;
  }
  if ((part.type === "text" || part.type === "input_text") && typeof part.text === "string") return { type: "text", text: part.text };
  if (part.type === "image_url") {
    const image = isObject(part.image_url) ? part.image_url : { url: part.image_url ?? null };
    if (typeof image.url !== "string" || !/^(https?:|data:image\/)/.test(image.url)) {
      report(`${at}.image_url.url`, expected("an http(s) URL or a data:image/… URL", image.url));
      return undefined;
    }
    return { type: "image", url: image.url, ...(typeof image.detail === "string" ? { detail: image.detail } : {}) };
  }
  if (part.type === "image" && isObject(part.source)) {
    const source = part.source;
    if (source.type === "base64" && typeof source.media_type === "string" && typeof source.data === "string")
      return { type: "image", url: `data:${source.media_type};base64,${source.data}` };
    if (source.type === "url" && typeof source.url === "string") return { type: "image", url: source.url };
    report(`${at}.source`, expected('{"type": "base64", "media_type", "data"} or {"type": "url", "url"}', source));
    return undefined;
  }
  const type = typeof part.type === "string" ? ` (type ${JSON.stringify(part.type)} is not supported: text and image parts are)` : "";
  report(at, `${expected(shape, part)}${type}`);
  return undefined;
}

/**
 * A tool call in an assistant turn: `{name, arguments}`, or the OpenAI wire shape logged from
 * production, `{id, type: "function", function: {name, arguments: "<JSON text>"}}`.
 */
export function parseLoggedToolCall(call: JsonValue, at: string, report: Report): ToolCall | undefined {
  if (!isObject(call)) {
    report(at, expected("an object {name, arguments}", call));
    return undefined;
  }
  const fn = isObject(call.function) ? call.function : call;
  if (typeof fn.name !== "string") {
    report(isObject(call.function) ? `${at}.function.name` : `${at}.name`, expected("a tool name", fn.name));
    return undefined;
  }
  let args: JsonValue = fn.arguments ?? {};
  if (typeof args === "string") {
    try {
      args = parseJson(args);
    } catch {
      report(`${isObject(call.function) ? `${at}.function` : at}.arguments`, "expected a JSON object (or its JSON text); this text does not parse");
      return undefined;
    }
  }
  return { name: fn.name, arguments: args, ...(typeof call.id === "string" ? { id: call.id } : {}) };
}

function parseTools(value: JsonValue, schemas: SchemaCompiler, report: Report): ToolDefinition[] | undefined {
  if (!Array.isArray(value)) {
    report("tools", expected("an array of {name, description, parameters}", value));
    return undefined;
  }
  const tools: ToolDefinition[] = [];
  const names = new Set<string>();
  value.forEach((entry, index) => {
    // The OpenAI wire shape {type: "function", function: {...}} (logged production requests) is unwrapped.
    const wrapped = isObject(entry) && entry.type === "function" && isObject(entry.function);
    const item = wrapped && isObject(entry) ? entry.function : entry;
    const at = wrapped ? `tools[${index}].function` : `tools[${index}]`;
    if (!isObject(item)) {
      report(at, expected("an object {name, description, parameters}", item));
      return;
    }
    checkKeys(item, wrapped ? ["name", "description", "parameters", "strict"] : ["name", "description", "parameters"], at, report);
    const name = item.name;
    if (typeof name !== "string" || !toolNamePattern.test(name)) {
      report(`${at}.name`, `${expected("a tool name of letters, digits, _ or - (at most 64)", name)}`);
      return;
    }
    if (names.has(name)) report(`${at}.name`, `duplicate tool name "${name}"`);
    names.add(name);
    const description = optionalString(item, "description", `${at}.description`, report);
    const parameters = item.parameters ?? { type: "object", properties: {} };
    if (!isObject(parameters)) {
      report(`${at}.parameters`, expected("a JSON Schema object", parameters));
      return;
    }
    const compiled = schemas.compile(parameters);
    if (!compiled.ok) report(`${at}.parameters`, `invalid JSON Schema: ${compiled.error}`);
    tools.push({ name, parameters, ...(description !== undefined ? { description } : {}) });
  });
  return tools;
}

function parseToolChoice(value: JsonValue | undefined, tools: ToolDefinition[] | undefined, report: Report): ToolChoice | undefined {
  if (value === undefined) return undefined;
  if (value === "auto" || value === "required" || value === "none") return value;
  // A tool name, {name}, or OpenAI's {type: "function", function: {name}}.
  const named = isObject(value) && isObject(value.function) ? value.function : value;
  const name = typeof value === "string" ? value : isObject(named) && typeof named.name === "string" ? named.name : undefined;
  if (name === undefined) {
    report("tool_choice", expected('"auto", "required", "none" or a tool name', value));
    return undefined;
  }
  if (!tools?.some((tool) => tool.name === name)) {
    const names = tools?.map((t) => t.name) ?? [];
    report("tool_choice", `names tool "${name}", which is not in this case's tools (${names.join(", ") || "none"})${suggest(name, names)}`);
    return undefined;
  }
  return { name };
}

function parseExpected(
  value: JsonValue | undefined,
  tools: ToolDefinition[] | undefined,
  files: SchemaFiles,
  report: Report,
  warn: Report,
): Expected | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    report("expected", expected("an object", value));
    return undefined;
  }
  checkKeys(value, expectedFields, "expected", report, warn);
  const result: Expected = {};
  if (value.output !== undefined) {
    if (typeof value.output === "string") result.output = value.output;
    else result.output = JSON.stringify(value.output);
  }
  if (value.schema !== undefined && value.schema_ref !== undefined) report("expected.schema", "give either schema or schema_ref, not both");
  // A case's schema must be valid for its dialect here; the json-schema check compiles it before the run
  // (its validateCase), under its `strict_schema`, which decides whether unknown keywords are errors.
  if (value.schema !== undefined) {
    if (!isObject(value.schema) && typeof value.schema !== "boolean")
      report("expected.schema", expected("a JSON Schema (an object or a boolean)", value.schema));
    else {
      const problem = files.schemas.dialectProblem(value.schema);
      if (problem === undefined) result.schema = value.schema;
      else report("expected.schema", `invalid JSON Schema: ${problem}`);
    }
  }
  if (value.schema_ref !== undefined) {
    if (typeof value.schema_ref !== "string") report("expected.schema_ref", expected("a path relative to the dataset file", value.schema_ref));
    else {
      const loaded = readSchemaFile(files, value.schema_ref);
      if (typeof loaded === "string") report("expected.schema_ref", loaded);
      else {
        const problem = files.schemas.dialectProblem(loaded.schema);
        if (problem === undefined) {
          result.schema = loaded.schema;
          result.schema_path = loaded.path;
        } else report("expected.schema_ref", `${displayName(loaded.path)}: invalid JSON Schema: ${problem}`);
      }
    }
  }
  if (value.tool_calls !== undefined) {
    const calls = value.tool_calls;
    if (!Array.isArray(calls)) report("expected.tool_calls", expected("an array of {name, arguments} ([] = no tool call)", calls));
    else {
      const parsed: ExpectedToolCall[] = [];
      calls.forEach((call, index) => {
        const at = `expected.tool_calls[${index}]`;
        if (!isObject(call)) return report(at, expected("an object {name, arguments}", call));
        checkKeys(call, ["name", "arguments"], at, report);
        if (typeof call.name !== "string") return report(`${at}.name`, expected("a tool name", call.name));
        if (call.arguments !== undefined && !isObject(call.arguments)) {
          return report(`${at}.arguments`, expected("an object of argument values and matchers", call.arguments));
        }
        parsed.push({ name: call.name, ...(call.arguments !== undefined ? { arguments: call.arguments as JsonObject } : {}) });
      });
      for (const problem of validateExpectedToolCalls(parsed, tools, "expected.tool_calls", files.schemas)) {
        const [field, ...rest] = problem.split(": ");
        report(field ?? "expected.tool_calls", rest.join(": "));
      }
      result.tool_calls = parsed;
    }
  }
  return result;
}

/**
 * Reads a `schema_ref` target once per load (a watch re-run reads it again); a string result is the
 * problem. The file must be inside the dataset's folder, a regular file, and within the size cap.
 */
function readSchemaFile(files: SchemaFiles, ref: string): { schema: JsonObject; path: string } | string {
  const cached = files.cache.get(ref);
  if (cached !== undefined) return cached;
  const read = readContainedFile(files.root, ref, { rootName: "the dataset's folder" });
  let result: { schema: JsonObject; path: string } | string;
  if (!read.ok) result = `${displayName(read.path)}: ${read.problem}`;
  else {
    try {
      const parsed = parseJson(read.text);
      result = isObject(parsed) ? { schema: parsed, path: read.path } : `${displayName(read.path)}: ${expected("a JSON Schema object", parsed)}`;
    } catch (error) {
      result = `${displayName(read.path)}: not valid JSON (${jsonErrorMessage(error)}); expected a JSON Schema file`;
    }
  }
  files.cache.set(ref, result);
  return result;
}
