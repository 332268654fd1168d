import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { displayName } from "../load/dataset.js";
import { expected, isObject, jsonErrorMessage, parseJson, readErrorMessage } from "../load/fields.js";
import type { CheckFactory, JsonObject } from "../types.js";
import { checkOptions, noOutput } from "./common.js";
import { parseOutputJson } from "./output-json.js";
import { compileSchema, formatAjvErrors } from "./schema-compiler.js";

/**
 * `json-schema`: the output parses as JSON and validates against `schema:` (inline, or a file relative to
 * the rubric) or else the case's `expected.schema`. Applies only where a schema exists.
 */
export const jsonSchema: CheckFactory = (spec, context) => {
  const options = checkOptions(spec, context, { schema: "any", strict: "boolean", strict_schema: "boolean" });
  const strictParse = options.strict === true;
  const strictSchema = options.strict_schema !== false;
  let rubricSchema: JsonObject | undefined;
  if (typeof options.schema === "string") {
    const path = resolve(dirname(context.rubricPath), options.schema);
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
      const parsed = parseJson(text);
      if (isObject(parsed)) rubricSchema = parsed;
      else context.issue("schema", `${displayName(path)}: ${expected("a JSON Schema object", parsed)}`);
    } catch (error) {
      const problem = text === undefined ? readErrorMessage(error) : `not valid JSON (${jsonErrorMessage(error)}); expected a JSON Schema file`;
      context.issue("schema", `${displayName(path)}: ${problem}`);
    }
  } else if (isObject(options.schema)) rubricSchema = options.schema;
  else if (options.schema !== undefined) context.issue("schema", "expected a JSON Schema object or a path to one");
  if (rubricSchema) {
    const compiled = compileSchema(rubricSchema, { strict: strictSchema });
    if (!compiled.ok) context.issue("schema", `invalid JSON Schema: ${compiled.error}`);
  }
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: (testCase) => rubricSchema !== undefined || testCase.expected.schema !== undefined,
    score: ({ output, case: testCase }) => {
      if (output === null) return noOutput;
      const schema = rubricSchema ?? testCase.expected.schema;
      if (!schema) return { status: "skipped", score: null, reason: "no schema for this case" };
      const parsed = parseOutputJson(output, strictParse);
      if (!parsed.ok) return { status: "fail", score: 0, reason: parsed.reason };
      const compiled = compileSchema(schema, { strict: strictSchema });
      if (!compiled.ok) return { status: "error", score: null, reason: `invalid JSON Schema: ${compiled.error}` };
      if (compiled.validate(parsed.value)) return { status: "pass", score: 1, reason: "valid against the schema" };
      return { status: "fail", score: 0, reason: formatAjvErrors(compiled.validate.errors ?? []) };
    },
  };
};
