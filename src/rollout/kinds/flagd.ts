/**
 * flagd / OpenFeature: a flag in a flag-definition file (https://flagd.dev/reference/flag-definitions/),
 * read by flagd and by OpenFeature's in-process flagd provider. Two object variants, `baseline` and
 * `candidate`, each `{model, prompt_sha256}`; the targeting modelgate writes is
 *   { "if": [ { "in": [ {"var": "tenant"}, [tenants…] ] }, "candidate", { "fractional": [["candidate", p], ["baseline", 100-p]] } ] }
 * (no `if` when no tenant is on). Rollback: default variant baseline, split 0. Other flags in the file
 * are kept as they are; the file is written atomically.
 */
import { describeValue } from "../../errors.js";
import type { Actuator, ActuatorFactory, LiveState, Split } from "../actuator.js";
import { fileDiff, readIfExists, writeAtomically } from "../file-change.js";
import { toPayload } from "../payload.js";
import { refusal } from "../refusal.js";
import { makeSplit } from "../split.js";

type Json = Record<string, unknown>;

export const createFlagd: ActuatorFactory<"flagd"> = (spec, context): Actuator => {
  const read = (): { text: string | null; document: Json } => {
    const text = readIfExists(spec.path);
    if (text === null) return { text, document: { $schema: "https://flagd.dev/schema/v0/flags.json", flags: {} } };
    try {
      const document = JSON.parse(text) as unknown;
      if (typeof document !== "object" || document === null || Array.isArray(document)) throw new Error("not a JSON object");
      return { text, document: document as Json };
    } catch (error) {
      throw refusal(`${spec.path}: not a flagd flag-definition file (JSON): ${(error as Error).message}`);
    }
  };

  return {
    kind: "flagd",
    readable: true,
    describe: `flagd flag "${spec.flag}" in ${spec.path}`,
    async read(): Promise<LiveState> {
      const { document } = read();
      const flag = (document.flags as Json | undefined)?.[spec.flag] as Json | undefined;
      if (flag === undefined) return { split: null, others: [], raw: null };
      const variants = (flag.variants ?? {}) as Json;
      return {
        split: splitOf(flag, spec.path),
        candidate: toPayload(variants.candidate),
        baseline: toPayload(variants.baseline),
        others: [],
        raw: flag,
      };
    },
    async prepare(_live, desired) {
      const { text, document } = read();
      const flags = (typeof document.flags === "object" && document.flags !== null ? document.flags : {}) as Json;
      const { split } = desired;
      const flag: Json = {
        ...((flags[spec.flag] as Json | undefined) ?? {}),
        state: "ENABLED",
        variants: { baseline: { ...context.baseline }, candidate: { ...context.candidate } },
        defaultVariant: "baseline",
        targeting: targetingOf(split),
      };
      const after = `${JSON.stringify({ ...document, flags: { ...flags, [spec.flag]: flag } }, null, 2)}\n`;
      return {
        effect: { file: fileDiff(spec.path, text, after) },
        after: makeSplit(true, split.percent, split.tenants),
        async apply() {
          if (after !== text) writeAtomically(spec.path, after);
        },
      };
    },
  };
};

function targetingOf(split: Split): Json {
  const fractional = {
    fractional: [
      ["candidate", split.percent],
      ["baseline", 100 - split.percent],
    ],
  };
  if (split.tenants.length === 0) return fractional;
  return { if: [{ in: [{ var: "tenant" }, split.tenants] }, "candidate", fractional] };
}

/** The split a flag's targeting gives, if it is the shape modelgate writes; anything else is refused by name. */
function splitOf(flag: Json, path: string): Split {
  const targeting = flag.targeting as Json | undefined;
  const on = flag.state !== "DISABLED";
  if (targeting === undefined || (typeof targeting === "object" && Object.keys(targeting).length === 0))
    return makeSplit(on, flag.defaultVariant === "candidate" ? 100 : 0, []);
  let tenants: string[] = [];
  let fractional: unknown = targeting.fractional;
  if (Array.isArray(targeting.if)) {
    const [condition, then, otherwise] = targeting.if as [Json, unknown, Json];
    const inList = (condition?.in as unknown[] | undefined) ?? [];
    const field = inList[0] as Json | undefined;
    if (field?.var !== "tenant" || !Array.isArray(inList[1]) || then !== "candidate" || otherwise?.fractional === undefined)
      throw refusal(`${path}: flag targeting is not the shape modelgate writes: ${describeValue(targeting)}`);
    tenants = inList[1] as string[];
    fractional = otherwise.fractional;
  }
  if (!Array.isArray(fractional)) throw refusal(`${path}: flag targeting is not the shape modelgate writes: ${describeValue(targeting)}`);
  const buckets = fractional.filter(Array.isArray) as Array<[unknown, unknown]>;
  const weight = (name: string) => buckets.filter(([variant]) => variant === name).reduce((sum, [, w]) => sum + (typeof w === "number" ? w : 1), 0);
  const total = buckets.reduce((sum, [, w]) => sum + (typeof w === "number" ? w : 1), 0);
  const others = buckets.filter(([variant]) => variant !== "candidate" && variant !== "baseline");
  if (total <= 0 || others.length > 0) throw refusal(`${path}: fractional split is not baseline/candidate: ${describeValue(fractional)}`);
  return makeSplit(on, Math.round((100 * weight("candidate")) / total), tenants);
}
