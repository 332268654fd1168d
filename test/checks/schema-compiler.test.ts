import { describe, expect, test } from "vitest";
import { compileSchema, type ErrorObject, formatAjvErrors, schemaDialect } from "../../src/checks/schema-compiler.js";

const draft07 = "http://json-schema.org/draft-07/schema#";
const draft2020 = "https://json-schema.org/draft/2020-12/schema";

function compileError(schema: object | boolean, strict?: boolean): string {
  const result = compileSchema(schema, strict === undefined ? {} : { strict });
  if (result.ok) throw new Error(`expected ${JSON.stringify(schema)} not to compile`);
  return result.error;
}

function validator(schema: object | boolean, strict?: boolean) {
  const result = compileSchema(schema, strict === undefined ? {} : { strict });
  if (!result.ok) throw new Error(result.error);
  return result.validate;
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
  ])("$name", ({ schema, valid, invalid }) => {
    const validate = validator(schema);
    if (valid !== undefined) expect(validate(valid)).toBe(true);
    if (invalid !== undefined) expect(validate(invalid)).toBe(false);
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
    expect(compileSchema(schema, { strict: false }).ok).toBe(true);
    expect(compileSchema(schema).ok).toBe(false);
  });

  test("two schemas may reuse an $id", () => {
    expect(validator({ $id: "https://example.com/reused", type: "string" })("x")).toBe(true);
    expect(validator({ $id: "https://example.com/reused", type: "number" })(1)).toBe(true);
  });

  test("compiles each schema once: same object, equal JSON, per strictness", () => {
    const schema = { type: "object", properties: { cached: { type: "integer" } } };
    const first = validator(schema);
    expect(validator(schema)).toBe(first);
    expect(validator(JSON.parse(JSON.stringify(schema)) as object)).toBe(first);
    expect(validator(schema, true)).toBe(first);
    expect(validator(schema, false)).not.toBe(first);
    expect(validator(schema, false)).toBe(validator(schema, false));
  });

  test("collects all errors", () => {
    const validate = validator({ type: "object", required: ["a", "b"] });
    expect(validate({})).toBe(false);
    expect(validate.errors).toHaveLength(2);
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
    const validate = validator(schema);
    expect(validate(data)).toBe(false);
    expect(formatAjvErrors(validate.errors)).toBe(reason);
  });

  test("non-string enum values are shown as JSON", () => {
    const validate = validator({ enum: [1, null, "a"] });
    validate(2);
    expect(formatAjvErrors(validate.errors)).toBe("must be equal to one of the allowed values (1, null, a)");
  });

  test("duplicates are dropped", () => {
    const error: ErrorObject = { keyword: "type", instancePath: "/a", schemaPath: "#", params: {}, message: "must be string" };
    expect(formatAjvErrors([error, { ...error }])).toBe("/a: must be string");
  });

  test.each([{ errors: null }, { errors: undefined }, { errors: [] }])("no errors: $errors", ({ errors }) => {
    expect(formatAjvErrors(errors)).toBe("does not match the schema");
  });
});
