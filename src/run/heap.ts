import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the heap grow past what was live at the last full collection, in percent. By default
 * it picks a factor of up to 4× from its own speed estimates; a run's garbage is mostly request and
 * response objects that lived just long enough to be promoted, so on a long run the heap sat at ~4× a
 * live set of ~200 MB (100,000 cases: 850 MB peak RSS). At 1.5× the same run peaks at ~460 MB for ~4%
 * more CPU (`npm run bench -- --big`; bench/README.md). `eval` and `merge` ask for it.
 */
const heapGrowingPercent = 50;

/**
 * Asks V8 to collect the old generation sooner, unless the user tuned the heap themselves (through
 * NODE_OPTIONS or node's own flags). V8 reads this flag at each collection, so setting it after
 * start-up takes effect.
 */
export function limitHeapGrowth(env: NodeJS.ProcessEnv = process.env, execArgv: string[] = process.execArgv): boolean {
  const given = [env.NODE_OPTIONS ?? "", ...execArgv].join(" ");
  if (/heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size|max[-_]heap[-_]size/.test(given)) return false;
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
  return true;
}
