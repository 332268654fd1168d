import standaloneModule from "ajv/dist/standalone/index.js";
import { createAjv, metaSchemaIds, type SchemaDialect } from "./schema-compiler.js";

// CommonJS (`module.exports = standaloneCode; exports.default = standaloneCode`): under NodeNext the
// default import is `module.exports`, typed as the whole module, so the function is its `.default`.
const standaloneCode = standaloneModule.default;

/**
 * ajv's standalone code (an ES module whose default export is the validate function) for a dialect's
 * meta-schema, compiled with the options schema-compiler.ts validates schemas with. Used by the build
 * (scripts/build.mjs) and by the test that holds it equal to compiling at run time; never by the CLI.
 */
export function metaValidatorSource(dialect: SchemaDialect): string {
  const ajv = createAjv(dialect, true, { code: { source: true, esm: true } });
  const validate = ajv.getSchema(metaSchemaIds[dialect]);
  if (!validate) throw new Error(`ajv has no meta-schema ${metaSchemaIds[dialect]}`);
  return standaloneCode(ajv, validate);
}
