import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { suggest } from "../errors.js";
import { precompiledMetaValidators } from "./meta-validators.js";

// ajv-formats is CommonJS (`module.exports = plugin; exports.default = plugin`). Under NodeNext the
// default import is `module.exports`, typed as the whole module, so the plugin is its `.default`
// (which at runtime is the same function). ajv and ajv/dist/2020 also export the class by name.
const addFormats = addFormatsModule.default;

export type { ErrorObject, ValidateFunction } from "ajv";

export type CompileResult = { ok: true; validate: ValidateFunction } | { ok: false; error: string };

export interface CompileOptions {
  /** Unknown keywords and formats are errors (default true); false ignores them. */
  strict?: boolean;
}

export type SchemaDialect = "draft-07" | "2020-12";

const DEFAULT_DIALECT: SchemaDialect = "2020-12";

/** `$schema` URIs we accept, normalised by {@link normaliseSchemaUri}. */
const DIALECT_URIS: Record<string, SchemaDialect> = {
  "https://json-schema.org/draft-07/schema": "draft-07",
  "https://json-schema.org/draft/2020-12/schema": "2020-12",
};

function normaliseSchemaUri(uri: string): string {
  return uri
    .trim()
    .replace(/^http:\/\//, "https://")
    .replace(/#$/, "");
}

/** Which dialect a schema declares with `$schema` (default 2020-12), or a message when unsupported. */
export function schemaDialect(schema: object | boolean): { ok: true; dialect: SchemaDialect } | { ok: false; error: string } {
  if (typeof schema === "boolean" || !("$schema" in schema)) return { ok: true, dialect: DEFAULT_DIALECT };
  const uri: unknown = (schema as Record<string, unknown>).$schema;
  if (typeof uri !== "string") return { ok: false, error: `"$schema" must be a string URI, got ${JSON.stringify(uri)}` };
  const dialect = DIALECT_URIS[normaliseSchemaUri(uri)];
  if (dialect === undefined) {
    return {
      ok: false,
      error:
        `unsupported "$schema" ${JSON.stringify(uri)}: use draft-07 ("http://json-schema.org/draft-07/schema#") ` +
        `or 2020-12 ("https://json-schema.org/draft/2020-12/schema")`,
    };
  }
  return { ok: true, dialect };
}

/** The `$id` of each dialect's meta-schema, as ajv registers it. */
export const metaSchemaIds: Record<SchemaDialect, string> = {
  "draft-07": "http://json-schema.org/draft-07/schema",
  "2020-12": "https://json-schema.org/draft/2020-12/schema",
};

// One ajv instance per dialect × strictness, created on first use.
type AnyAjv = Ajv | Ajv2020;
const instances = new Map<string, AnyAjv>();

function ajvFor(dialect: SchemaDialect, strict: boolean): AnyAjv {
  const key = `${dialect}:${strict}`;
  const existing = instances.get(key);
  if (existing !== undefined) return existing;
  const ajv = createAjv(dialect, strict);
  instances.set(key, ajv);
  return ajv;
}

/** An ajv for a dialect, with formats; `extra` options are for the build's code generation (meta-validators.ts). */
export function createAjv(dialect: SchemaDialect, strict: boolean, extra: Options = {}): AnyAjv {
  const options: Options = {
    allErrors: true,
    // Compiling a schema must not register its `$id` on the shared instance: two datasets may
    // reuse an `$id` for different schemas, and ajv would refuse the second.
    addUsedSchema: false,
    // Nothing may write to the console: stdout carries only reports.
    logger: false,
    // `strict` is about misspelt keywords and formats; the type/tuple/required lints reject
    // ordinary schemas people copy from OpenAPI specs, so they stay off in both modes.
    strictSchema: strict,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // compileUncached checks a schema against its meta-schema itself, first (with the build's
    // precompiled validator when there is one), so compile() need not do it again.
    validateSchema: false,
    ...extra,
  };
  const ajv: AnyAjv = dialect === "draft-07" ? new Ajv(options) : new Ajv2020(options);
  addFormats(ajv as Ajv);
  return ajv;
}

/**
 * Checks a schema against its dialect's meta-schema. The bundle carries ajv's standalone code for both
 * meta-schemas (scripts/build.mjs), so the CLI skips compiling them at start-up (~45 ms); from sources
 * (tests) ajv compiles them on first use. Both give the same verdicts and errors (meta-validators.test.ts).
 */
function validateAgainstMetaSchema(schema: object | boolean, dialect: SchemaDialect, ajv: AnyAjv): ErrorObject[] | null {
  if (typeof schema === "boolean") return null;
  const precompiled = precompiledMetaValidators[dialect];
  if (precompiled) return precompiled(schema) ? null : [...(precompiled.errors ?? [])];
  return ajv.validate(metaSchemaIds[dialect], schema) ? null : [...(ajv.errors ?? [])];
}

const byIdentity = new WeakMap<object, Map<boolean, CompileResult>>();
const byJson = new Map<string, CompileResult>();

/**
 * Compile a JSON Schema once (cached by object identity and by JSON text + strictness), with draft-07
 * or 2020-12 chosen by `$schema` (default 2020-12), formats asserted, all errors collected.
 */
export function compileSchema(schema: object | boolean, options: CompileOptions = {}): CompileResult {
  const strict = options.strict ?? true;
  const isObject = typeof schema === "object" && schema !== null;
  if (isObject) {
    const hit = byIdentity.get(schema)?.get(strict);
    if (hit !== undefined) return hit;
  }
  let json: string;
  try {
    json = JSON.stringify(schema);
  } catch (error) {
    return { ok: false, error: `schema is not JSON: ${errorMessage(error)}` };
  }
  const key = `${strict ? "strict" : "loose"}\u0000${json}`;
  let result = byJson.get(key);
  if (result === undefined) {
    result = compileUncached(schema, strict);
    byJson.set(key, result);
  }
  if (isObject) {
    const perObject = byIdentity.get(schema) ?? new Map<boolean, CompileResult>();
    perObject.set(strict, result);
    byIdentity.set(schema, perObject);
  }
  return result;
}

function compileUncached(schema: object | boolean, strict: boolean): CompileResult {
  if (typeof schema !== "boolean" && (typeof schema !== "object" || schema === null || Array.isArray(schema))) {
    return { ok: false, error: `a schema must be an object or a boolean, got ${JSON.stringify(schema)}` };
  }
  const dialect = schemaDialect(schema);
  if (!dialect.ok) return dialect;
  const ajv = ajvFor(dialect.dialect, strict);
  // Validate against the meta-schema first so the message lists problems, not ajv's one-line dump.
  const problems = validateAgainstMetaSchema(schema, dialect.dialect, ajv);
  if (problems) return { ok: false, error: `schema is invalid: ${formatAjvErrors(problems)}` };
  try {
    return { ok: true, validate: ajv.compile(schema) };
  } catch (error) {
    return { ok: false, error: explainCompileError(errorMessage(error), ajv) };
  }
}

/** Turn ajv's compile errors into a message with a suggestion where we can make one. */
function explainCompileError(message: string, ajv: AnyAjv): string {
  const keyword = /^strict mode: unknown keyword: "([^"]*)"/.exec(message);
  if (keyword?.[1] !== undefined) {
    const name = keyword[1];
    return `unknown keyword "${name}"${suggest(name, Object.keys(ajv.RULES.all))}`;
  }
  const format = /^unknown format "([^"]*)" ignored in schema at path "([^"]*)"/.exec(message);
  if (format?.[1] !== undefined) {
    const name = format[1];
    return `unknown format "${name}" at ${format[2] ?? "#"}${suggest(name, Object.keys(ajv.formats))}`;
  }
  return message;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const MAX_SHOWN = 3;

/**
 * A short human reason for ajv errors: "missing required property 'priority'",
 * "/priority: must be equal to one of the allowed values (low, high)"; at most three, deduplicated.
 */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (errors === null || errors === undefined || errors.length === 0) return "does not match the schema";
  const messages = [...new Set(errors.map(describeError))];
  const shown = messages.slice(0, MAX_SHOWN).join("; ");
  const rest = messages.length - MAX_SHOWN;
  return rest > 0 ? `${shown} (+${rest} more)` : shown;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "" : `${error.instancePath}: `;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${where}missing required property '${String(params.missingProperty)}'`;
    case "additionalProperties":
      return `${where}unexpected property '${String(params.additionalProperty)}'`;
    case "unevaluatedProperties":
      return `${where}unexpected property '${String(params.unevaluatedProperty)}'`;
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return `${where}must be equal to one of the allowed values (${allowed.map(showAllowed).join(", ")})`;
    }
    case "const":
      return `${where}must be equal to ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${where}${error.message ?? `fails "${error.keyword}"`}`;
  }
}

function showAllowed(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
