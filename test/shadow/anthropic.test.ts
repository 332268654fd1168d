import OpenAI from "openai";
import { expect, test } from "vitest";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { candidateKey, clientKey, startProxy } from "./support/start-proxy.js";

const messages = [
  { role: "system" as const, content: "You are the old prompt." },
  { role: "user" as const, content: "Refund order A-1234" },
];
const tools = [{ type: "function" as const, function: { name: "issue_refund", description: "Refunds an order", parameters: { type: "object" } } }];

function client(baseURL: string): OpenAI {
  return new OpenAI({ apiKey: clientKey, baseURL, maxRetries: 0 });
}

/** The proxy with an OpenAI-wire baseline and an anthropic candidate on a real Anthropic-wire server. */
async function anthropicCandidate(options: Parameters<typeof fakeServerForTest>[0] = {}, variant: Record<string, unknown> = {}) {
  const anthropic = await fakeServerForTest(options);
  const proxy = await startProxy({
    candidateVariant: { provider: "anthropic", base_url: anthropic.anthropicBaseUrl, model: "claude-cand-2025", params: {}, ...variant },
    files: { "prompt-v4.md": "You are the new prompt." },
  });
  return { anthropic, proxy };
}

test("an anthropic candidate gets the Messages API form of the copy, its own key, and its answer is the candidate arm", async () => {
  const { anthropic, proxy } = await anthropicCandidate(
    { respond: () => ({ tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1234" } }], usage: { input_tokens: 12, output_tokens: 7 } }) },
    { prompt: "prompt-v4.md", params: { max_tokens: 300 } },
  );
  const served = await client(proxy.baseURL).chat.completions.create({
    model: "base-model-2024-01-01",
    messages,
    tools,
    tool_choice: "auto",
    temperature: 0,
    seed: 7,
  });
  expect(served.choices[0]?.message.content).toBe("reply from base-model-2024-01-01");
  await expect.poll(() => proxy.server.metrics.linesWritten, { timeout: 5_000 }).toBe(1);
  const [line] = await proxy.stop();
  const copy = anthropic.stats.log[0];
  expect(copy?.api).toBe("anthropic");
  expect(copy?.path).toBe("/v1/messages");
  expect([copy?.headers["x-api-key"], copy?.headers.authorization].join(" ")).toContain(candidateKey);
  expect(JSON.stringify(copy?.headers)).not.toContain(clientKey);
  expect(copy?.body).toMatchObject({
    model: "claude-cand-2025",
    system: "You are the new prompt.",
    max_tokens: 300,
    temperature: 0,
    messages: [{ role: "user", content: [{ type: "text", text: "Refund order A-1234" }] }],
    tools: [{ name: "issue_refund", description: "Refunds an order", input_schema: { type: "object" } }],
    tool_choice: { type: "auto" },
  });
  // An OpenAI-only parameter has no place in the Messages API.
  expect(copy?.body.seed).toBeUndefined();
  expect(line?.arms.candidate).toMatchObject({
    model: "claude-cand-2025",
    served: false,
    output: "",
    tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1234" } }],
    usage: { input_tokens: 12, output_tokens: 7 },
    status: 200,
    error: null,
  });
  expect(line?.arms.baseline).toMatchObject({ served: true, output: "reply from base-model-2024-01-01" });
});

test("a streamed request is copied as an Anthropic stream; the arm has the joined text and a time to first token", async () => {
  const { anthropic, proxy } = await anthropicCandidate({ respond: () => ({ text: "a streamed claude answer" }), chunkDelayMs: 2 });
  const stream = await client(proxy.baseURL).chat.completions.create({ model: "m", messages, stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  expect(text).toBe("reply from m");
  await expect.poll(() => proxy.server.metrics.linesWritten, { timeout: 5_000 }).toBe(1);
  const [line] = await proxy.stop();
  expect(anthropic.stats.log[0]?.body.stream).toBe(true);
  expect(line?.arms.candidate).toMatchObject({ output: "a streamed claude answer", error: null });
  expect(line?.arms.candidate?.ttft_ms).toBeTypeOf("number");
});

test.each([
  { name: "answers 529 (overloaded)", fault: { kind: "status" as const, status: 529 }, kind: "server" },
  { name: "answers 429", fault: { kind: "status" as const, status: 429, retryAfter: "0" }, kind: "rate_limit" },
  { name: "answers 401", fault: { kind: "status" as const, status: 401 }, kind: "auth" },
])("an anthropic candidate that $name: counted as an error on the arm, the client served", async ({ fault, kind }) => {
  const { proxy } = await anthropicCandidate({ fault: () => fault });
  const served = await client(proxy.baseURL).chat.completions.create({ model: "m", messages });
  expect(served.choices[0]?.message.content).toBe("reply from m");
  await expect.poll(() => proxy.server.metrics.drops.error, { timeout: 5_000 }).toBe(1);
  const [line] = await proxy.stop();
  expect(line?.arms.candidate).toMatchObject({ served: false, output: null, error: { kind } });
});
