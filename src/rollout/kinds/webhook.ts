/**
 * Any system, by webhook: a POST of `{"decision", "percent", "plan", "window"}` (plus `tenants` and
 * `plan_sha256`) to `url`; a 2xx is required. Header values are literal or read from the environment at
 * call time ({ env: NAME }); the audit log names those headers but never holds their values. Nothing can
 * be read back: the record of what was last sent stands in for the live state.
 */
import type { Actuator, ActuatorFactory, CallRecord, LiveState } from "../actuator.js";
import { send } from "../http.js";
import { refusal } from "../refusal.js";
import { makeSplit } from "../split.js";

export const createWebhook: ActuatorFactory<"webhook"> = (spec, context): Actuator => ({
  kind: "webhook",
  readable: false,
  describe: `webhook ${spec.url}`,
  async read(): Promise<LiveState> {
    return { split: context.lastWritten, others: [], raw: null };
  },
  async prepare(_live, desired) {
    const recorded: Record<string, string> = {};
    const secret: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.headers ?? {})) {
      if (typeof value === "string") recorded[name] = value;
      else {
        const found = context.env[value.env];
        if (found === undefined) throw refusal(`webhook header ${name}: $${value.env} is not set`);
        secret[name] = found;
        recorded[name] = `{env: ${value.env}}`;
      }
    }
    const call: CallRecord = {
      method: "POST",
      url: spec.url,
      ...(Object.keys(recorded).length > 0 ? { headers: recorded } : {}),
      body: {
        decision: desired.decision,
        percent: desired.split.percent,
        plan: context.planName,
        window: desired.window,
        tenants: desired.split.tenants,
        plan_sha256: context.planSha256,
      },
    };
    const literal = Object.fromEntries(Object.entries(recorded).filter(([name]) => !(name in secret)));
    return {
      effect: { calls: [call] },
      after: makeSplit(true, desired.split.percent, desired.split.tenants),
      async apply() {
        const sent: CallRecord = { ...call, headers: literal };
        await send(sent, { fetch: context.fetch, secretHeaders: secret });
        call.status = sent.status;
      },
    };
  },
});
