import { setFlagsFromString } from "node:v8";

/**
 * How much bytecode a function runs before V8 11 (Node 20) optimises it with TurboFan: four times V8's
 * default (66 KB). A run of a few thousand requests spends more CPU compiling than the optimised code
 * gives back: at 1,000 cases V8 compiled ~260 functions (~1.1 s of compile time on its background
 * threads, against ~0.7 s for the bare SDK loop), and at this budget ~95 (~0.25 s). That saved ~10% of
 * the run's CPU at 1,000 cases and nothing measurable either way at 10,000, where the hot code is still
 * optimised early (`npm run bench`; bench/README.md). The bench's SDK floor runs with the same setting.
 */
const interruptBudget = 4 * 67_584;

/**
 * Raises V8's tier-up budget on Node 20 (V8 11.3), unless the user set it. Node 22 (V8 12) tiers up by
 * invocation count, through Maglev, and gained nothing from the same change, so it is left alone (an
 * unknown flag would also print an error).
 */
export function tuneJit(env: NodeJS.ProcessEnv = process.env, execArgv: string[] = process.execArgv, v8Version = process.versions.v8): boolean {
  if (!/^11\.3\./.test(v8Version)) return false;
  if (/interrupt[-_]budget/.test([env.NODE_OPTIONS ?? "", ...execArgv].join(" "))) return false;
  setFlagsFromString(`--interrupt-budget=${interruptBudget}`);
  return true;
}
