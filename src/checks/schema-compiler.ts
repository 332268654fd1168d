import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { RegExpEngine, RegExpLike } from "ajv/dist/types/index.js";
import addFormatsModule from "ajv-formats";
import { suggest } from "../errors.js";
import { compilePattern } from "./pattern.js";

// ajv-formats is CommonJS (`module.exports = plugin; exports.default = plugin`). Under NodeNext the
// default import is `module.exports`, typed as the whole module, so the plugin is its `.default`
// (which at runtime is the same function). ajv and ajv/dist/2020 also export the class by name.
const addFormats = addFormatsModule.default;

export type { ErrorObject } from "ajv";

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
const metaSchemaIds: Record<SchemaDialect, string> = {
  "draft-07": "http://json-schema.org/draft-07/schema",
  "2020-12": "https://json-schema.org/draft/2020-12/schema",
};

/**
 * `pattern` and `patternProperties` run on RE2 (pattern.ts) like every other pattern, so a schema cannot
 * hang a run on a hostile output either. JSON Schema patterns are ECMA-262 regular expressions; the few
 * RE2 cannot run (lookaround, backreferences, long Unicode property names such as `\p{Letter}`) fall back
 * to JavaScript's engine, so every valid schema still loads. One difference remains: RE2's `\s` is ASCII
 * whitespace, ECMA-262's also Unicode spaces (the suite's optional ecmascript-regex tests: 10 of 74 differ).
 */
const schemaPatterns: RegExpEngine = Object.assign(
  (pattern: string, flags: string): RegExpLike => {
    const compiled = compilePattern(pattern, flags);
    if (!compiled.ok) return new RegExp(pattern, flags);
    // ajv keys compiled patterns by toString(): it must name the pattern, as a RegExp's does.
    const re2: RegExpLike & { toString(): string } = { test: compiled.test, toString: () => `/${pattern}/${flags}` };
    return re2;
  },
  { code: "re2" },
);

/** ajv's options for a dialect: formats asserted, every error collected, nothing logged. */
function createAjv(dialect: SchemaDialect, strict: boolean): Ajv | Ajv2020 {
  const options: Options = {
    allErrors: true,
    // Nothing may write to the console: stdout carries only reports.
    logger: false,
    // `strict` is about misspelt keywords and formats; the type/tuple/required lints reject
    // ordinary schemas people copy from OpenAPI specs, so they stay off in both modes.
    strictSchema: strict,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // A schema is checked against its meta-schema by the compiler's one meta ajv per dialect (below),
    // so the ajv that compiles it need not compile the meta-schema again.
    validateSchema: false,
    code: { regExp: schemaPatterns },
  };
  const ajv = dialect === "draft-07" ? new Ajv(options) : new Ajv2020(options);
  addFormats(ajv as Ajv);
  // ajv resolves `$anchor` but does not declare it, so its strict mode calls it an unknown keyword.
  if (dialect === "2020-12") ajv.addKeyword({ keyword: "$anchor", schemaType: "string" });
  return ajv;
}

/** What validating one value says: valid, invalid (with a short reason), or not decidable (ajv threw). */
export type Validation = { status: "valid" } | { status: "invalid"; reason: string } | { status: "error"; reason: string };

export type CompileResult = { ok: true; validate(value: unknown): Validation } | { ok: false; error: string };

/** Compiles JSON Schemas for one run; see {@link createSchemaCompiler}. */
export interface SchemaCompiler {
  /**
   * Compiles a schema once for this compiler (cached by object identity and by JSON text + strictness),
   * draft-07 or 2020-12 by `$schema` (default 2020-12), formats asserted, all errors collected.
   */
  compile(schema: unknown, options?: CompileOptions): CompileResult;
  /**
   * Why a schema is not valid for its dialect (a supported `$schema`, its meta-schema), or undefined.
   * Compiles nothing: for schemas that only a check may use, which compiles them under its own strictness.
   */
  dialectProblem(schema: unknown): string | undefined;
}

/**
 * A schema compiler for one run (or one `validate`): create one where the run's inputs are loaded and
 * hand it to the dataset loader and the checks, so a `watch` re-run compiles what it reads afresh and
 * nothing is kept between runs. Each schema gets its own ajv: an ajv registers every `$id` and `$anchor`
 * it compiles, and two schemas of one dataset may reuse an `$id` for different things. The meta-schemas
 * are compiled once per compiler, on first use (~40 ms each).
 */
export function createSchemaCompiler(): SchemaCompiler {
  const metaAjvs = new Map<SchemaDialect, Ajv | Ajv2020>();
  const byJson = new Map<string, CompileResult>();
  const byIdentity = new WeakMap<object, Map<boolean, CompileResult>>();

  const metaSchemaProblems = (schema: object, dialect: SchemaDialect): readonly ErrorObject[] | null => {
    let ajv = metaAjvs.get(dialect);
    if (ajv === undefined) {
      ajv = createAjv(dialect, true);
      metaAjvs.set(dialect, ajv);
    }
    return ajv.validate(metaSchemaIds[dialect], schema) ? null : [...(ajv.errors ?? [])];
  };

  const dialectProblem = (schema: unknown): { dialect: SchemaDialect } | { error: string } => {
    if (typeof schema !== "boolean" && (typeof schema !== "object" || schema === null || Array.isArray(schema))) {
      return { error: `a schema must be an object or a boolean, got ${JSON.stringify(schema)}` };
    }
    const dialect = schemaDialect(schema);
    if (!dialect.ok) return dialect;
    // Validate against the meta-schema first so the message lists problems, not ajv's one-line dump.
    const problems = typeof schema === "boolean" ? null : metaSchemaProblems(schema, dialect.dialect);
    if (problems) return { error: `schema is invalid: ${formatAjvErrors(problems)}` };
    return { dialect: dialect.dialect };
  };

  const compileUncached = (schema: unknown, strict: boolean): CompileResult => {
    const checked = dialectProblem(schema);
    if ("error" in checked) return { ok: false, error: checked.error };
    const ajv = createAjv(checked.dialect, strict);
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(schema as object | boolean);
    } catch (error) {
      return { ok: false, error: explainCompileError(errorMessage(error), ajv) };
    }
    return { ok: true, validate: (value) => runValidator(validate, value) };
  };

  return {
    dialectProblem(schema) {
      const checked = dialectProblem(schema);
      return "error" in checked ? checked.error : undefined;
    },
    compile(schema, options = {}) {
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
    },
  };
}

/**
 * Runs a compiled validator. ajv's code can throw on some valid schemas (a `$dynamicRef` cycle it
 * follows without end overflows the stack): that is "could not be checked", never a pass or a fail.
 */
function runValidator(validate: ValidateFunction, value: unknown): Validation {
  try {
    if (validate(value)) return { status: "valid" };
    return { status: "invalid", reason: formatAjvErrors(validate.errors) };
  } catch (error) {
    return { status: "error", reason: `the validator failed on this value: ${errorMessage(error)}` };
  }
}

/** Turn ajv's compile errors into a message with a suggestion where we can make one. */
function explainCompileError(message: string, ajv: Ajv | Ajv2020): string {
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
