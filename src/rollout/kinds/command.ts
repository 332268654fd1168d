/**
 * Any system, by command: `command` run by the shell with MODELGATE_DECISION, MODELGATE_PERCENT and
 * MODELGATE_PLAN (plus MODELGATE_TENANTS, MODELGATE_PLAN_SHA256, MODELGATE_WINDOW_START/END) in its
 * environment; exit 0 is required. Nothing can be read back: the record of the last run stands in.
 */
import { spawn } from "node:child_process";
import { redactSecrets } from "../../redact.js";
import type { Actuator, ActuatorFactory, LiveState } from "../actuator.js";
import { refusal } from "../refusal.js";
import { makeSplit } from "../split.js";

const timeoutMs = 10 * 60_000;

export const createCommand: ActuatorFactory<"command"> = (spec, context): Actuator => ({
  kind: "command",
  readable: false,
  describe: `command ${JSON.stringify(spec.command)}`,
  async read(): Promise<LiveState> {
    return { split: context.lastWritten, others: [], raw: null };
  },
  async prepare(_live, desired) {
    const env: Record<string, string> = {
      MODELGATE_DECISION: desired.decision,
      MODELGATE_PERCENT: String(desired.split.percent),
      MODELGATE_PLAN: context.planName,
      MODELGATE_PLAN_SHA256: context.planSha256,
      MODELGATE_TENANTS: desired.split.tenants.join(","),
      ...(desired.window ? { MODELGATE_WINDOW_START: desired.window.start, MODELGATE_WINDOW_END: desired.window.end } : {}),
    };
    const run = { command: spec.command, env } as { command: string; env: Record<string, string>; exit_code?: number };
    return {
      effect: { command: run },
      after: makeSplit(true, desired.split.percent, desired.split.tenants),
      async apply() {
        const { code, output } = await runShell(spec.command, { ...context.env, ...env });
        run.exit_code = code;
        if (code !== 0)
          throw refusal(`command ${JSON.stringify(spec.command)} exited ${code}${output ? `: ${redactSecrets(output, context.env)}` : ""}`);
      },
    };
  },
});

function runShell(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, { shell: true, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-500);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (error) => done({ code: 127, output: error.message }));
    child.on("close", (code, signal) => done({ code: code ?? (signal ? 128 : 1), output: output.trim() }));
  });
}
