/**
 * The official JSON-Schema-Test-Suite (test/fixtures/json-schema-test-suite, draft 2020-12 and draft-07,
 * with their optional/format tests) through the real dataset loader and the `json-schema` check with
 * `strict_schema: false`, side by side with a correctly configured lenient ajv (Ajv2020 / Ajv, ajv-formats,
 * `strict: false`). Every schema that ajv compiles must load, and the check must agree with the suite on
 * at least as many tests as that ajv does.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, test } from "vitest";
import { jsonSchema } from "../../src/checks/json-schema.js";
import { createSchemaCompiler } from "../../src/checks/schema-compiler.js";
import { loadDataset } from "../../src/load/dataset.js";
import type { CheckSpec, JsonValue } from "../../src/types.js";
import { tempFolderForTest } from "../support/temp-folder.js";

const addFormats = addFormatsModule.default;
const suiteRoot = join(import.meta.dirname, "..", "fixtures", "json-schema-test-suite");

interface SuiteGroup {
  description: string;
  schema: JsonValue;
  tests: Array<{ description: string; data: JsonValue; valid: boolean }>;
}

const drafts = [
  { folder: "draft2020-12", uri: "https://json-schema.org/draft/2020-12/schema", reference: () => new Ajv2020({ strict: false, logger: false }) },
  { folder: "draft7", uri: "http://json-schema.org/draft-07/schema#", reference: () => new Ajv({ strict: false, logger: false }) },
] as const;

/** Every group of a draft, its schema given the draft's `$schema` (the suite leaves it to the runner). */
function readGroups(folder: string, uri: string): Array<SuiteGroup & { file: string }> {
  const files = readdirSync(join(suiteRoot, folder), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(".json"))
    .sort();
  return files.flatMap((file) =>
    (JSON.parse(readFileSync(join(suiteRoot, folder, file), "utf8")) as SuiteGroup[]).map((group) => {
      const schema = group.schema;
      const withDialect =
        typeof schema === "object" && schema !== null && !Array.isArray(schema) && !("$schema" in schema) ? { $schema: uri, ...schema } : schema;
      return { ...group, schema: withDialect, file };
    }),
  );
}

describe.each(drafts)("JSON-Schema-Test-Suite $folder", ({ folder, uri, reference }) => {
  test("every schema ajv compiles loads, and the check agrees with the suite at least as often as lenient ajv", async () => {
    const groups = readGroups(folder, uri);

    // The reference: a fresh lenient ajv per schema (so $ids never collide), formats asserted.
    const referenceValidators = groups.map((group) => {
      const ajv = reference();
      addFormats(ajv as Ajv);
      try {
        return ajv.compile(group.schema as object | boolean);
      } catch {
        return undefined;
      }
    });

    // Ours: each group as a one-case dataset (a schema the loader refuses fails its whole file), loaded by
    // the real loader and scored by the real check, with one compiler as in a run.
    const folderPath = tempFolderForTest("modelgate-suite-");
    const schemas = createSchemaCompiler();
    const loaded = await Promise.all(
      groups.map(async (group, index) => {
        const one = join(folderPath, `g${index}.jsonl`);
        writeFileSync(one, `${JSON.stringify({ id: `g${index}`, input: "-", expected: { schema: group.schema } })}\n`);
        try {
          return (await loadDataset(one, one, schemas)).cases[0];
        } catch {
          return undefined;
        }
      }),
    );
    const issues: string[] = [];
    const check = jsonSchema({ id: "format", type: "json-schema", category: "format", strict_schema: false } as CheckSpec, {
      rubricPath: join(folderPath, "rubric.yaml"),
      schemas,
      issue: (field, message) => issues.push(`${field}: ${message}`),
    });
    expect(issues).toEqual([]);

    const notLoaded: string[] = [];
    let referenceAgrees = 0;
    let checkAgrees = 0;
    let ourLoaded = 0;
    let tests = 0;
    for (const [index, group] of groups.entries()) {
      const validate = referenceValidators[index];
      const testCase = loaded[index];
      // Loaded = what `eval` would accept: the loader takes it and the check's load-time compile too.
      const accepted = testCase !== undefined && (check.validateCase?.(testCase) ?? []).length === 0;
      if (accepted) ourLoaded++;
      if (validate !== undefined && !accepted) notLoaded.push(`${group.file}: ${group.description}`);
      for (const item of group.tests) {
        tests++;
        if (validate !== undefined) {
          try {
            if (validate(item.data) === item.valid) referenceAgrees++;
          } catch {
            // ajv overflows its stack on a few $dynamicRef cycles: no verdict, so no agreement.
          }
        }
        if (accepted && testCase !== undefined) {
          const result = await check.score({ case: testCase, output: JSON.stringify(item.data), tool_calls: [], usage: null, latency_ms: 0 });
          if ((result.status === "pass" && item.valid) || (result.status === "fail" && !item.valid)) checkAgrees++;
        }
      }
    }
    const referenceCompiled = referenceValidators.filter((validate) => validate !== undefined).length;
    console.info(
      `${folder}: ${groups.length} schemas, lenient ajv compiles ${referenceCompiled}, modelgate loads ${ourLoaded}; ` +
        `${tests} tests, lenient ajv agrees on ${referenceAgrees}, the json-schema check on ${checkAgrees}`,
    );
    expect(notLoaded).toEqual([]);
    expect(checkAgrees).toBeGreaterThanOrEqual(referenceAgrees);
  });
});
