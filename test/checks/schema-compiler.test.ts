import { describe, expect, test } from "vitest";
import { createSchemaCompiler, type ErrorObject, formatAjvErrors, schemaDialect } from "../../src/checks/schema-compiler.js";

const draft07 = "http://json-schema.org/draft-07/schema#";
const draft2020 = "https://json-schema.org/draft/2020-12/schema";

const compiler = createSchemaCompiler();

function compileError(schema: object | boolean, strict?: boolean): string {
  const result = compiler.compile(schema, strict === undefined ? {} : { strict });
  if (result.ok) throw new Error(`expected ${JSON.stringify(schema)} not to compile`);
  return result.error;
}

function validator(schema: object | boolean, strict?: boolean, schemas = compiler) {
  const result = schemas.compile(schema, strict === undefined ? {} : { strict });
  if (!result.ok) throw new Error(result.error);
  return result.validate;
}

/** "valid", "invalid" or "error" for one value. */
function verdict(schema: object | boolean, value: unknown): string {
  return validator(schema)(value).status;
}

describe("schemaDialect", () => {
  test.each([
    { name: "no $schema → 2020-12", schema: { type: "string" }, dialect: "2020-12" },
    { name: "boolean schema → 2020-12", schema: true, dialect: "2020-12" },
    { name: "draft-07 with #", schema: { $schema: draft07 }, dialect: "draft-07" },
    { name: "draft-07 without #, https", schema: { $schema: "https://json-schema.org/draft-07/schema" }, dialect: "draft-07" },
    { name: "2020-12", schema: { $schema: draft2020 }, dialect: "2020-12" },
    { name: "2020-12 with #, http", schema: { $schema: "http://json-schema.org/draft/2020-12/schema#" }, dialect: "2020-12" },
  ])("$name", ({ schema, dialect }) => {
    expect(schemaDialect(schema)).toEqual({ ok: true, dialect });
  });

  test.each([
    { name: "draft-04", schema: { $schema: "http://json-schema.org/draft-04/schema#" }, error: /unsupported "\$schema".*draft-04/ },
    { name: "not a string", schema: { $schema: 7 }, error: /"\$schema" must be a string URI, got 7/ },
  ])("rejects $name", ({ schema, error }) => {
    const result = schemaDialect(schema);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe("compileSchema", () => {
  test.each([
    {
      name: "2020-12 by default: prefixItems is a keyword",
      schema: { type: "array", prefixItems: [{ type: "string" }], items: false },
      valid: ["a"],
      invalid: [1],
    },
    {
      name: "draft-07: array-form items and definitions",
      schema: { $schema: draft07, type: "array", items: [{ type: "string" }], additionalItems: false, definitions: {} },
      valid: ["a"],
      invalid: ["a", "b"],
    },
    {
      name: "formats are asserted (email)",
      schema: { type: "string", format: "email" },
      valid: "a@example.com",
      invalid: "not an email",
    },
    {
      name: "formats are asserted (date-time)",
      schema: { type: "string", format: "date-time" },
      valid: "2025-01-21T10:00:00Z",
      invalid: "yesterday",
    },
    {
      name: "2020-12 unevaluatedProperties",
      schema: { type: "object", properties: { a: {} }, unevaluatedProperties: false },
      valid: { a: 1 },
      invalid: { a: 1, b: 2 },
    },
    { name: "boolean schema true", schema: true, valid: 42, invalid: undefined },
    { name: "boolean schema false", schema: false, valid: undefined, invalid: 42 },
    {
      name: "internal $ref to $defs",
      schema: { $id: "https://example.com/s", $defs: { n: { type: "number" } }, $ref: "#/$defs/n" },
      valid: 1,
      invalid: "1",
    },
    {
      name: "properties without type (strictTypes is off)",
      schema: { properties: { a: { type: "string" } } },
      valid: { a: "x" },
      invalid: { a: 1 },
    },
    {
      name: "an $anchor",
      schema: { $defs: { n: { $anchor: "num", type: "number" } }, $ref: "#num" },
      valid: 1,
      invalid: "1",
    },
    {
      name: "an embedded $id, referenced by it",
      schema: { $id: "https://example.com/root", $defs: { s: { $id: "https://example.com/str", type: "string" } }, $ref: "https://example.com/str" },
      valid: "x",
      invalid: 1,
    },
    {
      name: "a $ref to the root",
      schema: { properties: { child: { $ref: "#" } }, additionalProperties: false },
      valid: { child: { child: {} } },
      invalid: { child: { other: 1 } },
    },
    {
      name: "$dynamicRef to the resource's $dynamicAnchor",
      schema: {
        $id: "https://example.com/tree",
        $dynamicAnchor: "node",
        type: "object",
        properties: { children: { type: "array", items: { $dynamicRef: "#node" } } },
      },
      valid: { children: [{ children: [] }] },
      invalid: { children: [1] },
    },
    {
      name: "a URN base URI",
      schema: {
        $id: "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed",
        $defs: { bar: { type: "string" } },
        $ref: "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed#/$defs/bar",
      },
      valid: "x",
      invalid: 1,
    },
  ])("$name", ({ schema, valid, invalid }) => {
    if (valid !== undefined) expect(verdict(schema, valid)).toBe("valid");
    if (invalid !== undefined) expect(verdict(schema, invalid)).toBe("invalid");
  });

  test.each([
    {
      name: "misspelt keyword, with a suggestion",
      schema: { type: "object", requird: ["a"] },
      error: 'unknown keyword "requird" — did you mean "required"?',
    },
    {
      name: "misspelt format, with a suggestion",
      schema: { type: "string", format: "emial" },
      error: 'unknown format "emial" at # — did you mean "email"?',
    },
    { name: "2020-12 keyword under draft-07", schema: { $schema: draft07, prefixItems: [] }, error: /unknown keyword "prefixItems"/ },
    {
      name: "bad type name",
      schema: { type: "strin" },
      error: /^schema is invalid: \/type: must be equal to one of the allowed values \(array, boolean/,
    },
    { name: "unsupported $schema", schema: { $schema: "http://json-schema.org/draft-04/schema#" }, error: /unsupported "\$schema"/ },
    { name: "unresolvable $ref", schema: { $ref: "other.json" }, error: /can't resolve reference other\.json/ },
    { name: "an array is not a schema", schema: [], error: "a schema must be an object or a boolean, got []" },
  ])("rejects $name", ({ schema, error }) => {
    if (typeof error === "string") expect(compileError(schema)).toBe(error);
    else expect(compileError(schema)).toMatch(error);
  });

  test.each([
    { name: "an unknown keyword", schema: { type: "object", "x-internal": true, requird: ["a"] } },
    { name: "an unknown format", schema: { type: "string", format: "order-id" } },
  ])("strict: false accepts $name", ({ schema }) => {
    expect(compiler.compile(schema, { strict: false }).ok).toBe(true);
    expect(compiler.compile(schema).ok).toBe(false);
  });

  test("two schemas may reuse an $id, at the root or embedded", () => {
    expect(verdict({ $id: "https://example.com/reused", type: "string" }, "x")).toBe("valid");
    expect(verdict({ $id: "https://example.com/reused", type: "number" }, 1)).toBe("valid");
    const embedded = (type: string) => ({ $defs: { a: { $id: "https://example.com/inner", type } }, $ref: "https://example.com/inner" });
    expect(verdict(embedded("string"), "x")).toBe("valid");
    expect(verdict(embedded("number"), "x")).toBe("invalid");
  });

  test("schema patterns run on RE2: a catastrophic pattern on a long string answers in milliseconds", () => {
    const started = performance.now();
    expect(verdict({ type: "string", pattern: "^(a+)+$" }, `${"a".repeat(50_000)}!`)).toBe("invalid");
    expect(verdict({ type: "object", patternProperties: { "^(a|aa)+$": { type: "number" } } }, { [`${"a".repeat(50_000)}!`]: "x" })).toBe("valid");
    expect(performance.now() - started).toBeLessThan(500);
  });

  test("distinct schema patterns stay distinct, and patterns RE2 cannot run still load (JavaScript's engine)", () => {
    const schema = { type: "object", patternProperties: { "^a": { type: "string" }, "^b": { type: "number" } } };
    expect(verdict(schema, { a1: "x", b1: 1 })).toBe("valid");
    expect(verdict(schema, { a1: 1 })).toBe("invalid");
    expect(verdict(schema, { b1: "x" })).toBe("invalid");
    expect(verdict({ type: "string", pattern: "^(?!admin).+$" }, "user")).toBe("valid");
    expect(verdict({ type: "string", pattern: "^(?!admin).+$" }, "admin")).toBe("invalid");
    expect(verdict({ type: "string", pattern: "^\\p{Letter}+$" }, "café")).toBe("valid");
  });

  test("a validator that throws on a value is an error, not a pass or a fail", () => {
    // ajv follows this $dynamicRef cycle without end (the JSON-Schema-Test-Suite's
    // "unevaluatedItems with $dynamicRef" case): the stack overflows.
    const schema = {
      $id: "https://example.com/derived",
      $ref: "https://example.com/baseSchema",
      $defs: {
        derived: { $dynamicAnchor: "addons", prefixItems: [true, { type: "string" }] },
        baseSchema: {
          $id: "https://example.com/baseSchema",
          $comment: "unevaluatedItems comes first so it's more likely to catch bugs with implementations that are sensitive to keyword ordering",
          unevaluatedItems: false,
          type: "array",
          prefixItems: [{ type: "string" }],
          $dynamicRef: "#addons",
          $defs: { defaultAddons: { $comment: "Needed to satisfy the bookending requirement", $dynamicAnchor: "addons" } },
        },
      },
    };
    const result = validator(schema)(["foo", "bar"]);
    expect(result.status).toBe("error");
    if (result.status === "error") expect(result.reason).toMatch(/^the validator failed on this value: .*call stack/);
  });

  test("compiles each schema once per compiler: same object, equal JSON, per strictness", () => {
    const schema = { type: "object", properties: { cached: { type: "integer" } } };
    const first = validator(schema);
    expect(validator(schema)).toBe(first);
    expect(validator(JSON.parse(JSON.stringify(schema)) as object)).toBe(first);
    expect(validator(schema, true)).toBe(first);
    expect(validator(schema, false)).not.toBe(first);
    expect(validator(schema, false)).toBe(validator(schema, false));
  });

  test("a new compiler (a new run) keeps nothing of the last one", () => {
    const schema = { type: "object", properties: { cached: { type: "integer" } } };
    expect(validator(schema, true, createSchemaCompiler())).not.toBe(validator(schema, true, createSchemaCompiler()));
  });

  test("collects all errors", () => {
    expect(validator({ type: "object", required: ["a", "b"] })({})).toEqual({
      status: "invalid",
      reason: "missing required property 'a'; missing required property 'b'",
    });
  });
});

describe("dialectProblem (what the dataset loader asks of a case's schema)", () => {
  test.each([
    { name: "a boolean schema", schema: false, problem: undefined },
    { name: "an unknown keyword (the check decides, by strict_schema)", schema: { "x-owner": 1, type: "string" }, problem: undefined },
    { name: "a $ref it does not resolve (compiling is the check's job)", schema: { $ref: "other.json" }, problem: undefined },
    { name: "a bad type name", schema: { type: "strin" }, problem: /^schema is invalid: \/type: must be equal to one of the allowed values/ },
    { name: "an unsupported $schema", schema: { $schema: "http://json-schema.org/draft-04/schema#" }, problem: /^unsupported "\$schema"/ },
    { name: "an array", schema: [], problem: /^a schema must be an object or a boolean/ },
  ])("$name", ({ schema, problem }) => {
    const found = compiler.dialectProblem(schema);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe("formatAjvErrors", () => {
  const schema = {
    type: "object",
    properties: {
      priority: { enum: ["low", "high"] },
      email: { type: "string", format: "email" },
      kind: { const: "ticket" },
      count: { type: "integer" },
      customer: { type: "object", required: ["id"], additionalProperties: false, properties: { id: {} } },
      tags: { type: "array", items: { type: "string" } },
      flags: { type: "object", unevaluatedProperties: false },
    },
    required: ["priority"],
  };

  test.each([
    { name: "missing required property at the root", data: {}, reason: "missing required property 'priority'" },
    { name: "enum lists the allowed values", data: { priority: "mid" }, reason: "/priority: must be equal to one of the allowed values (low, high)" },
    { name: "format", data: { priority: "low", email: "x" }, reason: '/email: must match format "email"' },
    { name: "const", data: { priority: "low", kind: "chat" }, reason: '/kind: must be equal to "ticket"' },
    { name: "type", data: { priority: "low", count: 1.5 }, reason: "/count: must be integer" },
    { name: "nested required", data: { priority: "low", customer: {} }, reason: "/customer: missing required property 'id'" },
    { name: "additional property", data: { priority: "low", customer: { id: 1, x: 2 } }, reason: "/customer: unexpected property 'x'" },
    { name: "unevaluated property", data: { priority: "low", flags: { y: 1 } }, reason: "/flags: unexpected property 'y'" },
    { name: "array item", data: { priority: "low", tags: ["a", 2] }, reason: "/tags/1: must be string" },
    {
      name: "several, capped at three",
      data: { priority: "mid", count: "x", kind: 1, email: 1 },
      reason: '/priority: must be equal to one of the allowed values (low, high); /email: must be string; /kind: must be equal to "ticket" (+1 more)',
    },
  ])("$name", ({ data, reason }) => {
    expect(validator(schema)(data)).toEqual({ status: "invalid", reason });
  });

  test("non-string enum values are shown as JSON", () => {
    expect(validator({ enum: [1, null, "a"] })(2)).toEqual({ status: "invalid", reason: "must be equal to one of the allowed values (1, null, a)" });
  });

  test("duplicates are dropped", () => {
    const error: ErrorObject = { keyword: "type", instancePath: "/a", schemaPath: "#", params: {}, message: "must be string" };
    expect(formatAjvErrors([error, { ...error }])).toBe("/a: must be string");
  });

  test.each([{ errors: null }, { errors: undefined }, { errors: [] }])("no errors: $errors", ({ errors }) => {
    expect(formatAjvErrors(errors)).toBe("does not match the schema");
  });
});
