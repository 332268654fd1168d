import { suggest } from "../errors.js";
import { checkKeys, expected, isObject, type Report } from "../fields.js";
import type { Check, CheckFactory, CheckSpec, JsonValue } from "../types.js";
import { maxLatencyMs, maxTokens } from "./budgets.js";
import { isJson } from "./is-json.js";
import { jsonSchema } from "./json-schema.js";
import { judge } from "./judge.js";
import { notRefusal } from "./not-refusal.js";
import type { SchemaCompiler } from "./schema-compiler.js";
import { contains, equals, notContains, regex } from "./text.js";
import { toolCalls } from "./tool-calls.js";

/** Every check type, by the name a rubric uses. Adding a type is one file and one line here. */
export const checkTypes = {
  "json-schema": jsonSchema,
  "is-json": isJson,
  "tool-calls": toolCalls,
  equals,
  contains,
  "not-contains": notContains,
  regex,
  "not-refusal": notRefusal,
  "max-tokens": maxTokens,
  "max-latency-ms": maxLatencyMs,
  judge,
} satisfies Record<string, CheckFactory>;

export type CheckType = keyof typeof checkTypes;

/** Category when the rubric names none. */
const defaultCategory: Record<string, string> = {
  "json-schema": "format",
  "is-json": "format",
  "tool-calls": "tools",
  "max-tokens": "performance",
  "max-latency-ms": "performance",
};

const checkIdPattern = /^[A-Za-z0-9_][A-Za-z0-9_:-]*$/;

/**
 * Builds every check of a rubric once (schemas and regexes compiled), reporting each problem at its field.
 * `schemas` is the run's compiler (the dataset loader's too), so each schema compiles once per run.
 */
export function buildChecks(raw: JsonValue | undefined, rubricPath: string, report: Report, schemas: SchemaCompiler): Check[] {
  if (raw === undefined) {
    report("checks", "required: a list of checks");
    return [];
  }
  if (!Array.isArray(raw)) {
    report("checks", expected("a list of checks", raw));
    return [];
  }
  const checks: Check[] = [];
  const ids = new Set<string>();
  raw.forEach((entry, index) => {
    const at = `checks[${index}]`;
    if (!isObject(entry)) return report(at, expected("an object {id, type, ...}", entry));
    const { id, type } = entry;
    if (typeof id !== "string" || !checkIdPattern.test(id)) {
      return report(`${at}.id`, `${expected("an id of letters, digits, _, : or - (it names the metric check.<id>.*)", id)}`);
    }
    if (ids.has(id)) report(`${at}.id`, `duplicate check id "${id}"`);
    ids.add(id);
    if (typeof type !== "string" || !Object.hasOwn(checkTypes, type)) {
      const known = Object.keys(checkTypes);
      return report(
        `${at}.type`,
        `unknown check type ${JSON.stringify(type ?? null)}${typeof type === "string" ? suggest(type, known) : ""} (known: ${known.join(", ")})`,
      );
    }
    const category = entry.category ?? defaultCategory[type] ?? "quality";
    if (typeof category !== "string" || !checkIdPattern.test(category)) return report(`${at}.category`, expected("a category name", category));
    const when = parseWhen(entry.when, `${at}.when`, report);
    const spec = { ...entry, id, type, category } as CheckSpec;
    const factory: CheckFactory = checkTypes[type as CheckType];
    const check = factory(spec, { rubricPath, schemas, issue: (field, message) => report(`${at}.${field}`, message) });
    checks.push(when ? restrictToTags(check, when) : check);
  });
  return checks;
}

function parseWhen(value: JsonValue | undefined, at: string, report: Report): string[] | undefined {
  if (value === undefined) return undefined;
  if (isObject(value)) checkKeys(value, ["tags"], at, report);
  if (!isObject(value) || !Array.isArray(value.tags) || !value.tags.every((tag) => typeof tag === "string")) {
    report(at, expected("{ tags: [tag, ...] }", value));
    return undefined;
  }
  return value.tags as string[];
}

/** `when: { tags: [...] }`: the check applies only to cases carrying any of the tags. */
function restrictToTags(check: Check, tags: string[]): Check {
  return {
    ...check,
    whenTags: tags,
    appliesTo: (testCase) => testCase.tags.some((tag) => tags.includes(tag)) && check.appliesTo(testCase),
  };
}
