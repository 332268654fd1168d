import type { CheckFactory } from "../types.js";
import { checkOptions, noOutput } from "./common.js";
import { parseOutputJson } from "./output-json.js";

/** `is-json`: the output parses as JSON. */
export const isJson: CheckFactory = (spec, context) => {
  const strict = checkOptions(spec, context, { strict: "boolean" }).strict === true;
  return {
    id: spec.id,
    type: spec.type,
    category: spec.category,
    appliesTo: () => true,
    score: ({ output }) => {
      if (output === null) return noOutput;
      const parsed = parseOutputJson(output, strict);
      return parsed.ok ? { status: "pass", score: 1, reason: "valid JSON" } : { status: "fail", score: 0, reason: parsed.reason };
    },
  };
};
