import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { throwIfIssues } from "../errors.js";
import { checkKeys, expected, isObject, optionalNumber, optionalString } from "../fields.js";
import { displayName } from "../paths.js";
import { runLimits } from "../settings.js";
import type { Issue, JsonValue, VariantSpec } from "../types.js";
import { readStructuredFile } from "./structured-file.js";
import { parseVariant } from "./variants.js";

export interface Config {
  path: string | undefined;
  rubric?: string;
  dataset?: string;
  variants: Record<string, VariantSpec>;
  judge?: VariantSpec;
  /** gate rules may live in the config instead of the rubric */
  gate?: JsonValue;
  defaults: { concurrency?: number; repeat?: number; timeout?: number; max_retries?: number };
}

const configFields = ["rubric", "dataset", "variants", "judge", "gate", "concurrency", "repeat", "timeout", "max_retries"];
export const defaultConfigNames = ["modelgate.config.yaml", "modelgate.config.yml", "modelgate.config.json"];

/** Finds the config: `--config FILE`, else `modelgate.config.{yaml,yml,json}` in the working directory, else none. */
export function findConfig(explicit: string | undefined, cwd = process.cwd()): string | undefined {
  if (explicit !== undefined) return resolve(cwd, explicit);
  return defaultConfigNames.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
}

/** Loads and validates the config file (SPEC §2); relative paths resolve against the config's folder. */
export function loadConfig(path: string | undefined): Config {
  if (path === undefined) return { path: undefined, variants: noPrototype(), defaults: {} };
  const file = readStructuredFile(path, displayName(path), "config");
  const issues: Issue[] = [];
  const report = file.reporter(issues);
  const data = file.data as Record<string, JsonValue>;
  checkKeys(data, configFields, "", report);
  const config: Config = { path, variants: noPrototype(), defaults: {} };
  const base = dirname(path);
  const rubric = optionalString(data, "rubric", "rubric", report);
  if (rubric !== undefined) config.rubric = resolve(base, rubric);
  const dataset = optionalString(data, "dataset", "dataset", report);
  if (dataset !== undefined) config.dataset = resolve(base, dataset);
  if (data.variants !== undefined) {
    if (!isObject(data.variants)) report("variants", expected("a mapping of variant names to {provider, model, ...}", data.variants));
    else {
      for (const [name, raw] of Object.entries(data.variants)) {
        const variant = parseVariant(name, raw, `variants.${name}`, path, report);
        if (variant) config.variants[name] = variant;
      }
    }
  }
  if (data.judge !== undefined) {
    const judge =
      typeof data.judge === "string" && Object.hasOwn(config.variants, data.judge)
        ? config.variants[data.judge]
        : parseVariant("judge", data.judge, "judge", path, report);
    if (judge) config.judge = judge;
  }
  if (data.gate !== undefined) config.gate = data.gate;
  const concurrency = optionalNumber(data, "concurrency", "concurrency", report, { ...runLimits.concurrency, integer: true });
  const repeat = optionalNumber(data, "repeat", "repeat", report, { ...runLimits.repeat, integer: true });
  const timeout = optionalNumber(data, "timeout", "timeout", report, { ...runLimits.timeout, integer: true });
  const maxRetries = optionalNumber(data, "max_retries", "max_retries", report, { ...runLimits.maxRetries, integer: true });
  config.defaults = {
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(maxRetries !== undefined ? { max_retries: maxRetries } : {}),
  };
  throwIfIssues(issues, "config");
  return config;
}

/** A map-like object with no inherited members: a variant may be called `constructor` or `__proto__`. */
function noPrototype<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
