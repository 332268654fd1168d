import type { CaseRecord, RunRecord, Side, VariantSpec } from "../types.js";

/** Who answered a set of draws: served model ids and system fingerprints, with how many draws each. */
export interface ServedSummary {
  models: Map<string, number>;
  fingerprints: Map<string, number>;
}

/** Adds draws to a summary (a new one when none is given). */
export function summariseServed(runs: Array<Pick<RunRecord, "served_model" | "system_fingerprint" | "error">>, into?: ServedSummary): ServedSummary {
  const summary = into ?? { models: new Map(), fingerprints: new Map() };
  for (const run of runs) {
    if (run.error) continue;
    if (typeof run.served_model === "string") summary.models.set(run.served_model, (summary.models.get(run.served_model) ?? 0) + 1);
    if (typeof run.system_fingerprint === "string") {
      summary.fingerprints.set(run.system_fingerprint, (summary.fingerprints.get(run.system_fingerprint) ?? 0) + 1);
    }
  }
  return summary;
}

const list = (counts: Map<string, number>) => [...counts.entries()].map(([name, n]) => `${name} (${n})`).join(", ");

/**
 * Warnings about the model that actually answered (issue #24, the "pinned version" advice): a side
 * served by a model other than the id it asked for, and — with --baseline-report — a model id that
 * answered as another model, or from another system fingerprint, in the earlier run than now (a
 * provider updating weights under a pinned name). Fingerprints are compared only when both runs have them.
 */
export function servedModelWarnings(
  cases: CaseRecord[],
  /** undefined: a recorded side (`eval --traffic`), which asked for nothing */
  variants: Record<Side, VariantSpec | undefined>,
  earlier?: { path: string; baseline: VariantSpec; served: ServedSummary },
): string[] {
  const warnings: string[] = [];
  const now = new Map<string, ServedSummary>();
  for (const side of ["baseline", "candidate"] as const) {
    const spec = variants[side];
    if (!spec) continue;
    const served = summariseServed(cases.flatMap((testCase) => testCase[side]));
    const endpoint = `${spec.provider}:${spec.model}`;
    const summary = now.get(endpoint) ?? { models: new Map(), fingerprints: new Map() };
    for (const [name, n] of served.models) summary.models.set(name, (summary.models.get(name) ?? 0) + n);
    for (const [name, n] of served.fingerprints) summary.fingerprints.set(name, (summary.fingerprints.get(name) ?? 0) + n);
    now.set(endpoint, summary);
    const other = new Map([...served.models].filter(([name]) => !sameModel(name, spec)));
    if (other.size > 0) {
      const total = [...served.models.values()].reduce((a, b) => a + b, 0);
      const count = [...other.values()].reduce((a, b) => a + b, 0);
      warnings.push(
        `${side} (${spec.name}) asked for model ${spec.model} and was served ${list(other)}${count < total ? ` in ${count} of ${total} draws` : ""}: the result is about the served model; pin the exact version to compare like with like`,
      );
    }
  }
  if (earlier) {
    // Draws made now under the earlier baseline's model id, on either side (the baseline itself is reused).
    const current = now.get(`${earlier.baseline.provider}:${earlier.baseline.model}`);
    if (current) {
      const newModels = new Map([...current.models].filter(([name]) => !earlier.served.models.has(name)));
      if (newModels.size > 0 && earlier.served.models.size > 0) {
        warnings.push(
          `model ${earlier.baseline.model} was served as ${list(earlier.served.models)} in --baseline-report ${earlier.path} and as ${list(newModels)} now: the provider changed the model behind this name, so the reused baseline may not stand for it any more`,
        );
      }
      const newPrints = new Map([...current.fingerprints].filter(([name]) => !earlier.served.fingerprints.has(name)));
      if (newPrints.size > 0 && earlier.served.fingerprints.size > 0) {
        warnings.push(
          `model ${earlier.baseline.model} answered with system_fingerprint ${list(earlier.served.fingerprints)} in --baseline-report ${earlier.path} and ${list(newPrints)} now: the serving configuration changed since the baseline was recorded`,
        );
      }
    }
  }
  return warnings;
}

/**
 * A served id that names the requested model: equal, or the requested id with a provider prefix
 * (`openai/gpt-4o-…` from a gateway). Azure answers with the model, not the deployment, so the model
 * id is what is compared.
 */
function sameModel(served: string, spec: VariantSpec): boolean {
  const asked = spec.model.toLowerCase();
  const name = served.toLowerCase();
  return name === asked || name.endsWith(`/${asked}`);
}
