import { getHeapStatistics, setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the heap grow past what was live at the last full collection, in percent. By default
 * it picks a factor of up to 4× from its own speed estimates; a run's garbage is mostly request and
 * response objects that lived just long enough to be promoted, so on a long run the heap sat at ~4× a
 * live set of ~200 MB (100,000 cases: 850 MB peak RSS). At 1.5× the same run peaks at ~460 MB for ~4%
 * more CPU (`npm run bench -- --big`; bench/README.md).
 */
const heapGrowingPercent = 50;

/**
 * Heap in use past which `eval` limits the growth. Below it V8's own factor costs little memory and
 * saves CPU: at 10,000 cases it peaked at 182 MB RSS instead of 166 MB for ~8% less CPU, and at 1,000
 * cases ~0.05 ms less per request (`npm run bench`).
 */
export const largeHeapBytes = 160 * 2 ** 20;

/** How often `limitHeapGrowthOnceLarge` looks at the heap. */
const heapCheckIntervalMs = 200;

/** True when the user tuned the heap themselves (through NODE_OPTIONS or node's own flags): leave it be. */
function userTunedHeap(env: NodeJS.ProcessEnv, execArgv: string[]): boolean {
  const given = [env.NODE_OPTIONS ?? "", ...execArgv].join(" ");
  return /heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size|max[-_]heap[-_]size/.test(given);
}

/**
 * Asks V8 to collect the old generation sooner (`merge`, whose work is one synchronous pass), unless the
 * user tuned the heap. V8 reads this flag at each collection, so setting it after start-up takes effect.
 */
export function limitHeapGrowth(env: NodeJS.ProcessEnv = process.env, execArgv: string[] = process.execArgv): boolean {
  if (userTunedHeap(env, execArgv)) return false;
  setGrowthLimit();
  return true;
}

function setGrowthLimit(): void {
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
}

/** The watch `limitHeapGrowthOnceLarge` keeps on the heap. */
export interface HeapWatch {
  /** whether the growth has been limited (by this watch) */
  readonly limited: boolean;
  /** stops looking (the run is over; watch mode runs many); a limit already set stays set */
  stop(): void;
}

/**
 * `limitHeapGrowth` once the heap holds more than `thresholdBytes` (`eval`: only a large run needs it),
 * checked now and every 200 ms on a timer that keeps nothing alive.
 */
export function limitHeapGrowthOnceLarge(
  thresholdBytes = largeHeapBytes,
  env: NodeJS.ProcessEnv = process.env,
  execArgv: string[] = process.execArgv,
): HeapWatch {
  let limited = false;
  let timer: NodeJS.Timeout | undefined;
  const watch: HeapWatch = {
    get limited() {
      return limited;
    },
    stop: () => clearInterval(timer),
  };
  if (userTunedHeap(env, execArgv)) return watch;
  const check = (): void => {
    if (getHeapStatistics().used_heap_size <= thresholdBytes) return;
    setGrowthLimit();
    limited = true;
    clearInterval(timer);
  };
  check();
  if (!limited) {
    timer = setInterval(check, heapCheckIntervalMs);
    timer.unref();
  }
  return watch;
}
