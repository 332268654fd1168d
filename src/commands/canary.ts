/**
 * `modelgate canary serve` (SPEC §11). analyze and simulate join once traffic scoring
 * (src/traffic/score.ts) is on main; `run` is the rollout's.
 */
import { once } from "node:events";
import { resolve } from "node:path";
import { loadCanaryPlan } from "../canary/plan.js";
import { createCanaryServer } from "../canary/serve.js";
import { readState, stateFolder } from "../canary/state.js";
import type { CliIO } from "../cli-io.js";
import { UserError } from "../errors.js";

export interface ServeOptions {
  plan: string;
  listen: string;
  /** where state lives (default .modelgate/canary under the working directory) */
  stateDir?: string;
}

/** `127.0.0.1:8377` / `:8377` / `[::1]:8377` → host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !(port >= 0 && port <= 65535))
    throw new UserError(`--listen: expected HOST:PORT such as 127.0.0.1:8377, got ${JSON.stringify(text)}`);
  return { host: match[1] ?? (match[2] || "127.0.0.1"), port };
}

export async function runCanaryServe(options: ServeOptions, io: CliIO): Promise<number> {
  const { host, port } = parseListen(options.listen);
  const plan = loadCanaryPlan(options.plan, { rubric: false });
  const folder = stateFolder(plan, resolve(io.cwd, options.stateDir ?? ".modelgate/canary"));
  const server = createCanaryServer({ name: plan.name, plan_sha256: plan.sha256, read: () => readState(plan, folder) });
  server.listen(port, host);
  await once(server, "listening");
  const address = server.address();
  const shown =
    typeof address === "object" && address
      ? `${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`
      : options.listen;
  io.stderr.write(`canary ${plan.name}: serving on http://${shown} (GET /v1/canary/${plan.name}, POST /flagger/*, GET /metrics)\n`);
  const stop = () => server.close();
  process.once("SIGTERM", stop);
  io.signal.addEventListener("abort", stop, { once: true });
  await once(server, "close");
  process.off("SIGTERM", stop);
  return 0;
}
