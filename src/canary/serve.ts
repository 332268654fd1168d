/**
 * `canary serve` (SPEC §11): the canary's latest window for the systems that route traffic.
 * - Argo Rollouts' `web` metric provider GETs /v1/canary/<name>; it reads the JSON body with jsonPath
 *   and treats a non-2xx as a provider error, so the answer is 200 with the verdict while modelgate works.
 * - Flagger's webhooks POST and read only the status: confirm-promotion / confirm-traffic-increase 200
 *   only on promote; rollout 200 unless the last window failed; rollback 200 ONLY on rollback (Flagger
 *   rolls back when that hook succeeds).
 * - /metrics in the Prometheus text format.
 * Each request first brings the state up to date (windows closed since, judged as `analyze` would),
 * then answers from it; an `analyze` or `run` in another process is seen at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { redactSecrets } from "../redact.js";
import type { CanaryState, WindowEntry } from "./state.js";

export interface ServeSource {
  name: string;
  plan_sha256: string;
  /** the current state; throws or rejects when it cannot be had (a 500: modelgate itself is broken) */
  read(): CanaryState | Promise<CanaryState>;
}

/** The body Argo's web provider reads. */
export function argoBody(source: ServeSource, state: CanaryState): Record<string, unknown> {
  const last: WindowEntry | undefined = state.windows.at(-1);
  if (!last) {
    return {
      verdict: "inconclusive",
      decision: "hold",
      stage: null,
      window: null,
      n: { baseline: 0, candidate: 0 },
      rules: [],
      reason: "no window analysed yet",
      plan_sha256: source.plan_sha256,
    };
  }
  return {
    verdict: last.verdict,
    decision: last.decision,
    stage: last.next_stage,
    window: { start: last.start, end: last.end },
    n: last.n,
    pairing: last.pairing,
    rules: last.rules.map((r) => ({
      metric: r.metric,
      family: r.family,
      bound: r.bound,
      mode: r.mode,
      baseline: r.baseline,
      candidate: r.candidate,
      ci: r.ci,
      verdict: r.verdict,
    })),
    reason: `${last.reason}; ${last.decision}: ${last.decision_reason}`,
    counters: last.counters,
    plan_sha256: source.plan_sha256,
  };
}

const flaggerGates: Record<string, (last: WindowEntry | undefined) => boolean> = {
  "/flagger/confirm-promotion": (last) => last?.decision === "promote" || last?.decision === "complete",
  "/flagger/confirm-traffic-increase": (last) => last?.decision === "promote" || last?.decision === "complete",
  "/flagger/rollout": (last) => last?.verdict !== "fail",
  "/flagger/rollback": (last) => last?.decision === "rollback",
};

const label = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** Prometheus text exposition: the verdict, the decision and each rule's value and bound. */
export function metricsText(source: ServeSource, state: CanaryState): string {
  const last = state.windows.at(-1);
  const name = label(source.name);
  const lines = ["# HELP modelgate_canary_verdict The last window's verdict (1 for the current one).", "# TYPE modelgate_canary_verdict gauge"];
  for (const verdict of ["pass", "fail", "inconclusive"])
    lines.push(`modelgate_canary_verdict{canary="${name}",verdict="${verdict}"} ${last?.verdict === verdict ? 1 : 0}`);
  lines.push("# HELP modelgate_canary_decision The last decision (1 for the current one).", "# TYPE modelgate_canary_decision gauge");
  for (const decision of ["promote", "hold", "rollback", "complete"]) {
    lines.push(`modelgate_canary_decision{canary="${name}",decision="${decision}"} ${(last?.decision ?? "hold") === decision ? 1 : 0}`);
  }
  lines.push("# HELP modelgate_canary_windows_total Windows analysed.", "# TYPE modelgate_canary_windows_total counter");
  lines.push(`modelgate_canary_windows_total{canary="${name}"} ${state.windows.length}`);
  lines.push("# HELP modelgate_canary_rule_value A rule's candidate value in the last window.", "# TYPE modelgate_canary_rule_value gauge");
  lines.push("# HELP modelgate_canary_rule_bound A rule's bound as written.", "# TYPE modelgate_canary_rule_bound gauge");
  for (const rule of last?.rules ?? []) {
    const labels = `canary="${name}",family="${rule.family}",metric="${label(rule.metric)}",verdict="${rule.verdict}"`;
    if (rule.candidate !== null) lines.push(`modelgate_canary_rule_value{${labels}} ${rule.candidate}`);
    const bound = Number.parseFloat(rule.bound);
    if (Number.isFinite(bound)) lines.push(`modelgate_canary_rule_bound{${labels}} ${rule.bound.trim().endsWith("%") ? bound / 100 : bound}`);
  }
  return `${lines.join("\n")}\n`;
}

function send(response: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  const text = type === "application/json" ? `${JSON.stringify(body)}\n` : String(body);
  response.writeHead(status, { "content-type": type === "application/json" ? "application/json" : "text/plain; version=0.0.4; charset=utf-8" });
  response.end(text);
}

export function createCanaryServer(source: ServeSource): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    // Flagger posts a JSON payload we do not need; drain it so keep-alive connections stay usable.
    request.resume();
    request.on("end", async () => {
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      if (path === "/healthz") return send(response, 200, { ok: true });
      let state: CanaryState;
      try {
        state = await source.read();
      } catch (error) {
        return send(response, 500, { error: `modelgate cannot analyse the canary: ${redactSecrets((error as Error).message)}` });
      }
      const last = state.windows.at(-1);
      if (path === "/metrics" && request.method === "GET") return send(response, 200, metricsText(source, state), "text/plain");
      if (path.startsWith("/v1/canary/") && request.method === "GET") {
        const name = decodeURIComponent(path.slice("/v1/canary/".length));
        if (name !== source.name)
          return send(response, 404, { error: `no canary named ${JSON.stringify(name)} here (this server serves ${source.name})` });
        return send(response, 200, argoBody(source, state));
      }
      const gate = flaggerGates[path];
      if (gate && request.method === "POST") {
        const ok = gate(last);
        return send(response, ok ? 200 : 403, { ok, verdict: last?.verdict ?? "inconclusive", decision: last?.decision ?? "hold" });
      }
      return send(response, 404, { error: "not found" });
    });
  });
}
