import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { Issue } from "../types.js";
import { caseSchema, reportHeadSchema } from "./report-schema.js";

/** The compiled report schema; the schema is ours, not the user's, so compiling it once per process is safe. */
let compiled: { head: ValidateFunction; testCase: ValidateFunction } | undefined;

function validators() {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    compiled = { head: ajv.compile(reportHeadSchema), testCase: ajv.compile(caseSchema) };
  }
  return compiled;
}

/** At most this many problems per file or case: a report of the wrong kind would list thousands. */
const maxIssues = 50;

/** Problems of a report.json's head (everything but its cases), each with its JSON path. */
export function reportHeadIssues(head: unknown, file: string): Issue[] {
  const validate = validators().head;
  return validate(head) ? [] : toIssues(validate.errors ?? [], "", file, undefined);
}

/** Problems of one case of a report.json, with its line in the file when known. */
export function caseIssues(testCase: unknown, index: number, file: string, line?: number): Issue[] {
  const validate = validators().testCase;
  return validate(testCase) ? [] : toIssues(validate.errors ?? [], `cases[${index}]`, file, line);
}

function toIssues(errors: ErrorObject[], prefix: string, file: string, line: number | undefined): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const error of errors) {
    // An `anyOf` reports each branch, then itself: its own message is the one that reads well.
    if (errors.some((other) => other !== error && other.keyword === "anyOf" && other.instancePath === error.instancePath)) continue;
    const at = fieldPath(prefix, error);
    const message = describe(error);
    if (seen.has(`${at}\n${message}`)) continue;
    seen.add(`${at}\n${message}`);
    issues.push({ file, ...(line !== undefined ? { line } : {}), ...(at ? { field: at } : {}), message });
    if (issues.length === maxIssues) break;
  }
  return issues;
}

/** `/gate/rules/0/verdict` → `gate.rules[0].verdict` (a missing property names itself). */
function fieldPath(prefix: string, error: ErrorObject): string {
  const parts = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (error.keyword === "required") parts.push(String((error.params as { missingProperty: string }).missingProperty));
  let path = prefix;
  for (const part of parts)
    path += /^\d+$/.test(part) ? `[${part}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(part) ? `${path ? "." : ""}${part}` : `[${JSON.stringify(part)}]`;
  return path;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return "missing; required by the report schema";
    case "enum":
      return `expected one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
    case "const":
      return `expected ${JSON.stringify(params.allowedValue)}`;
    case "type":
      return `expected ${String(params.type).replace(/,/g, " or ")}`;
    case "anyOf":
      return "expected null or a value of the documented shape";
    default:
      return error.message ?? error.keyword;
  }
}
