/**
 * The import bench: `node dist/bin.js import litellm` on a generated LiteLLM log (StandardLoggingPayload
 * lines, every request mirrored by a `silent_model` call with the same trace_id), measured as lines/s
 * (target ≥ 20,000, issue 19) and peak RSS (the join and the id set are the only state that grows).
 */
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { root, runNode, type Usage } from "./processes.js";

export interface ImportBenchResult extends Usage {
  lines: number;
  bytes: number;
  linesPerS: number;
  exitCode: number;
}

/** A LiteLLM log of `lines` payloads: pairs of primary + silent mirror, ~1.5 KB each. */
export async function writeLitellmLog(path: string, lines: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < lines; i++) {
    const request = Math.floor(i / 2);
    const silent = i % 2 === 1;
    const start = 1_781_259_300 + request * 0.01 + (silent ? 0.001 : 0);
    const line = `${JSON.stringify({
      id: `chatcmpl-${i}`,
      trace_id: `trace-${request}`,
      call_type: "acompletion",
      stream: false,
      status: "success",
      custom_llm_provider: "openai",
      model: silent ? "gpt-4o-2025-01-21" : "gpt-4o-2024-08-06",
      model_group: "support",
      startTime: start,
      endTime: start + 1.2,
      completionStartTime: start + 1.2,
      response_time: 1.2,
      prompt_tokens: 180,
      completion_tokens: 40,
      total_tokens: 220,
      messages: [
        { role: "system", content: "You are a support agent for an online shop. Answer briefly and call a tool when one applies." },
        {
          role: "user",
          content: `Ticket ${request}: my order A-${request % 10_000} arrived broken, can I get a refund? Write to me at user${request}@example.com.`,
        },
      ],
      response: {
        id: `chatcmpl-${i}`,
        model: silent ? "gpt-4o-2025-01-21" : "gpt-4o-2024-08-06",
        choices: [
          {
            index: 0,
            finish_reason: "stop",
            message: { role: "assistant", content: `Sorry about order A-${request % 10_000}. A refund is on its way.` },
          },
        ],
        usage: { prompt_tokens: 180, completion_tokens: 40, total_tokens: 220 },
      },
      model_parameters: { temperature: 0, max_tokens: 256 },
      metadata: {
        user_api_key_hash: "88dc28d0f030c55ed4ab77ed8faf0981",
        requester_metadata: { tenant: `t${request % 5}` },
        ...(silent ? { is_silent_experiment: true } : {}),
      },
      request_tags: [],
      hidden_params: { model_id: "c0ffee", api_base: "https://api.openai.com/v1" },
    })}\n`;
    bytes += line.length;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return bytes;
}

export async function runImportBench(scratch: string, lines: number): Promise<ImportBenchResult> {
  const log = join(scratch, `litellm-${lines}.jsonl`);
  const bytes = await writeLitellmLog(log, lines);
  const args = [
    join(root, "dist", "bin.js"),
    "import",
    "litellm",
    log,
    "--out",
    join(scratch, "import.traffic.jsonl"),
    "--arm",
    "baseline=gpt-4o-2024-08-06",
    "--arm",
    "candidate=gpt-4o-2025-01-21",
    "--tag",
    "tenant=metadata.requester_metadata.tenant",
  ];
  const usage = await runNode(args, { cwd: scratch, env: { PATH: process.env.PATH }, scratch });
  return { ...usage, lines, bytes, linesPerS: lines / usage.wallS };
}
