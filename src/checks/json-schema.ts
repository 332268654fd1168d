import { dirname } from "node:path";
import { readContainedFile } from "../contained-file.js";
import { expected, isObject, jsonErrorMessage, parseJson } from "../fields.js";
import { displayName } from "../paths.js";
import type { CheckBuildContext, CheckFactory, EvalCase, JsonObject, JsonValue } from "../types.js";
import { checkOptions, noOutput } from "./common.js";
import { parseOutputJson } from "./output-json.js";

type Schema = JsonObject | boolean;

/**
 * `json-schema`: the output parses as JSON and validates against `schema:` (inline, or a file relative to
 * the rubric) or else the case's `expected.schema`. Applies only where a schema exists. `strict_schema`
 * (default true) decides whether unknown keywords and formats are errors, for the rubric's schema and
 * for every case's: the dataset loader only checks that a case's schema is valid for its dialect, and
 * this check's `validateCase` compiles it under `strict_schema` before the run.
 */
export const jsonSchema: CheckFactory = (spec, context) => {
  const options = checkOptions(spec, context, { schema: "any", strict: "boolean", strict_schema: "boolean" });
  const strictParse = options.strict === true;
  const compileOptions = { strict: options.strict_schema !== false };
  const rubricSchema = readRubricSchema(options.schema, context);
  if (rubricSchema !== undefined) {
    const compiled = context.schemas.compile(rubricSchema, compileOptions);
    if (!compiled.ok) context.issue("schema", `invalid JSON Schema: ${compiled.error}`);
  }
  const schemaFor = (testCase: EvalCase): Schema | undefined => rubricSchema ?? testCase.expected.schema;
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: (testCase) => schemaFor(testCase) !== undefined,
    validateCase: (testCase) => {
      const schema = rubricSchema === undefined ? testCase.expected.schema : undefined;
      if (schema === undefined) return [];
      const compiled = context.schemas.compile(schema, compileOptions);
      if (compiled.ok) return [];
      const hint = compileOptions.strict ? " (strict_schema: false on the check accepts unknown keywords and formats)" : "";
      const where = testCase.expected.schema_path ? `expected.schema_ref: ${displayName(testCase.expected.schema_path)}` : "expected.schema";
      return [`${where}: invalid JSON Schema: ${compiled.error}${hint}`];
    },
    score: ({ output, case: testCase }) => {
      if (output === null) return noOutput;
      const schema = schemaFor(testCase);
      if (schema === undefined) return { status: "skipped", score: null, reason: "no schema for this case" };
      const parsed = parseOutputJson(output, strictParse);
      if (!parsed.ok) return { status: "fail", score: 0, reason: parsed.reason };
      const compiled = context.schemas.compile(schema, compileOptions);
      if (!compiled.ok) return { status: "error", score: null, reason: `invalid JSON Schema: ${compiled.error}` };
      const verdict = compiled.validate(parsed.value);
      if (verdict.status === "valid") return { status: "pass", score: 1, reason: "valid against the schema" };
      if (verdict.status === "invalid") return { status: "fail", score: 0, reason: verdict.reason };
      return { status: "error", score: null, reason: verdict.reason };
    },
  };
};

/** The check's own `schema:`: inline (an object or a boolean), or a JSON file relative to the rubric. */
function readRubricSchema(value: JsonValue | undefined, context: CheckBuildContext): Schema | undefined {
  if (value === undefined) return undefined;
  if (isObject(value) || typeof value === "boolean") return value;
  if (typeof value !== "string") {
    context.issue("schema", "expected a JSON Schema object or a path to one");
    return undefined;
  }
  // A rubric is untrusted input: the files it names stay inside its folder (SECURITY.md), capped in size.
  const read = readContainedFile(dirname(context.rubricPath), value, { rootName: "the rubric's folder" });
  if (!read.ok) {
    context.issue("schema", `${displayName(read.path)}: ${read.problem}`);
    return undefined;
  }
  try {
    const parsed = parseJson(read.text);
    if (isObject(parsed) || typeof parsed === "boolean") return parsed;
    context.issue("schema", `${displayName(read.path)}: ${expected("a JSON Schema object", parsed)}`);
  } catch (error) {
    context.issue("schema", `${displayName(read.path)}: not valid JSON (${jsonErrorMessage(error)}); expected a JSON Schema file`);
  }
  return undefined;
}
