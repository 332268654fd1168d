/**
 * The bundle validates schemas against their meta-schema with ajv's standalone code, generated at build
 * time (src/checks/meta-validator-source.ts, scripts/build.mjs); the sources compile the meta-schemas
 * with ajv at run time. Both must accept and reject the same schemas with the same errors, or a schema
 * would be read differently by `modelgate` and by its tests.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidateFunction } from "ajv";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { metaValidatorSource } from "../../src/checks/meta-validator-source.js";
import { createAjv, metaSchemaIds, type SchemaDialect } from "../../src/checks/schema-compiler.js";

const dialects: SchemaDialect[] = ["2020-12", "draft-07"];
// Inside the project, so the generated code's require("ajv/dist/runtime/…") resolves.
const scratch = join(process.cwd(), "node_modules", ".cache", `modelgate-meta-test-${process.pid}`);
const precompiled = new Map<SchemaDialect, ValidateFunction>();

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  for (const dialect of dialects) {
    const file = join(scratch, `${dialect}.mjs`);
    // The bundle gives the generated ES module a `require` (its banner); so does this file.
    writeFileSync(
      file,
      `import { createRequire } from "node:module"; const require = createRequire(import.meta.url);\n${metaValidatorSource(dialect)}`,
    );
    precompiled.set(dialect, (await import(pathToFileURL(file).href)).default as ValidateFunction);
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What ajv says of `schema` against the dialect's meta-schema, compiled at run time and ahead of time. */
function bothVerdicts(dialect: SchemaDialect, schema: unknown) {
  const ajv = createAjv(dialect, true);
  const runtime = { valid: ajv.validate(metaSchemaIds[dialect], schema), errors: ajv.errors ?? null };
  const validate = precompiled.get(dialect) as ValidateFunction;
  const ahead = { valid: validate(schema), errors: validate.errors ?? null };
  return { runtime, ahead };
}

const corpus: unknown[] = [
  {},
  true,
  false,
  { type: "object", required: ["a"], properties: { a: { type: "string", minLength: 1 } }, additionalProperties: false },
  { type: "strin" },
  { type: ["string", 5] },
  { minLength: "5" },
  { minLength: -1 },
  { required: "a" },
  { required: ["a", "a"] },
  { properties: [] },
  { properties: { a: 5 } },
  { enum: [] },
  { enum: "x" },
  { items: [{ type: "string" }, { type: "number" }] },
  { prefixItems: [{ type: "string" }], items: false },
  { $defs: { x: { type: "integer" } }, $ref: "#/$defs/x" },
  { definitions: { x: { type: "integer" } }, $ref: "#/definitions/x" },
  { pattern: 5 },
  { format: 5 },
  { multipleOf: 0 },
  { anyOf: [] },
  { oneOf: [{ type: "string" }, "nope"] },
  { not: 3 },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else
  { if: { type: "string" }, then: { minLength: 1 }, else: false },
  { dependentRequired: { a: ["b"] }, dependentSchemas: { a: { required: ["c"] } } },
  { dependencies: { a: ["b"], c: { required: ["d"] } } },
  { unevaluatedProperties: false, allOf: [{ properties: { a: true } }] },
  { contains: { type: "number" }, minContains: 2, maxContains: "x" },
  { $id: 5 },
  { const: null, examples: "not an array" },
  { propertyNames: { pattern: "^[a-z]+$" }, patternProperties: { "^x-": { type: "string" } } },
];

describe("precompiled meta-schema validators", () => {
  test.each(dialects)("%s: the same verdicts and errors as ajv compiling the meta-schema, over a corpus", (dialect) => {
    for (const schema of corpus) {
      const { runtime, ahead } = bothVerdicts(dialect, schema);
      expect(ahead, JSON.stringify(schema)).toEqual(runtime);
    }
    // The corpus has both kinds, so neither side can pass by accepting (or rejecting) everything.
    const verdicts = corpus.map((schema) => bothVerdicts(dialect, schema).ahead.valid);
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });

  const keywords = ["type", "properties", "required", "items", "minLength", "maximum", "enum", "const", "anyOf", "not", "$ref", "format", "pattern"];
  const schemaLike = fc
    .letrec((tie) => ({
      schema: fc.oneof(
        { depthSize: "small" },
        fc.boolean(),
        fc.dictionary(
          fc.constantFrom(...keywords),
          fc.oneof(fc.jsonValue({ maxDepth: 2 }), tie("schema"), fc.array(tie("schema"), { maxLength: 3 })),
          {
            maxKeys: 4,
          },
        ),
      ),
    }))
    .schema.map((value) => JSON.parse(JSON.stringify(value)) as unknown); // plain objects, as a rubric file gives

  test.each(dialects)("%s: the same verdicts and errors on generated schema-like values", (dialect) => {
    fc.assert(
      fc.property(schemaLike, (schema) => {
        const { runtime, ahead } = bothVerdicts(dialect, schema);
        expect(ahead).toEqual(runtime);
      }),
      { numRuns: 300 },
    );
  });
});
