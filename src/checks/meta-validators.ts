import type { ValidateFunction } from "ajv";
import type { SchemaDialect } from "./schema-compiler.js";

/**
 * Validators of the draft-07 and 2020-12 meta-schemas, compiled ahead of time. Empty in the sources:
 * scripts/build.mjs replaces this module in the bundle with ajv's standalone code for both
 * (`metaValidatorSource` in meta-validator-source.ts). schema-compiler.ts compiles a meta-schema with
 * ajv when its dialect has none here.
 */
export const precompiledMetaValidators: Partial<Record<SchemaDialect, ValidateFunction>> = {};
