/**
 * The providers of issue #24 through the real SDKs against the loopback server: the Responses API
 * (messages, tools both ways, structured outputs, refusal, reasoning, usage, streaming), Azure OpenAI
 * (deployment path, api-version, api-key header or bearer token) and the usage details, served model
 * and streaming of Chat Completions and Anthropic.
 */
import { describe, expect, test } from "vitest";
import { providerEnvironment, providers, requestOptionWarnings } from "../../src/providers/index.js";
import type { Provider } from "../../src/providers/types.js";
import type { ModelRequest, ProviderName, VariantSpec } from "../../src/types.js";
import type { FakeReply, FakeServer, FakeServerOptions } from "../support/fake-llm-server.js";
import { fakeServerForTest } from "../support/fake-server-per-test.js";
import { refundTool } from "../support/scenario.js";

function makeRequest(fields: Partial<ModelRequest> = {}): ModelRequest {
  return { messages: [{ role: "user", content: "Refund order A-1 please" }], params: {}, draw: 0, ...fields };
}

function makeVariant(provider: ProviderName, model: string, fields: Partial<VariantSpec> = {}): VariantSpec {
  return { name: `${provider}:${model}`, provider, model, params: {}, ...fields };
}

const baseUrlFor = (server: FakeServer, provider: ProviderName) =>
  provider === "anthropic" ? server.anthropicBaseUrl : provider === "azure" ? server.url : server.openaiBaseUrl;

const keyEnv: Record<string, string> = {
  OPENAI_API_KEY: "sk-test-responses-0000000000",
  ANTHROPIC_API_KEY: "sk-ant-test-000000000000",
  AZURE_OPENAI_API_KEY: "azure-key-000000000000",
};

/** A provider built the way `eval` builds it: the registry, the environment, the SDK's own fetch. */
async function providerFor(server: FakeServer, variant: VariantSpec, env: Record<string, string> = keyEnv): Promise<Provider> {
  const environment = providerEnvironment({ ...variant, base_url: baseUrlFor(server, variant.provider) }, env, 10_000, "candidate");
  return providers[variant.provider].create(variant.model, environment);
}

async function complete(provider: Provider, request: ModelRequest) {
  return provider.complete(request, new AbortController().signal);
}

async function serverWith(options: FakeServerOptions) {
  return fakeServerForTest(options);
}

describe("openai-responses", () => {
  const variant = makeVariant("openai-responses", "o4-mini-2025-04-16");

  test("messages go as instructions + input items; text, usage and the served model come back", async () => {
    const server = await serverWith({
      respond: () => ({
        text: "Done.",
        model: "o4-mini-2025-04-16-served",
        reasoning: true,
        usage: { input_tokens: 1200, output_tokens: 300, cached_input_tokens: 1000, reasoning_tokens: 256 },
      }),
    });
    const provider = await providerFor(server, variant);
    const response = await complete(
      provider,
      makeRequest({
        messages: [
          { role: "system", content: "You are a support bot." },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
          { role: "user", content: "Refund A-1" },
        ],
        params: { max_tokens: 64, temperature: 1 },
        options: { reasoning: { effort: "high" } },
      }),
    );
    expect(response.text).toBe("Done.");
    expect(response.served_model).toBe("o4-mini-2025-04-16-served");
    expect(response.usage).toEqual({ input_tokens: 1200, output_tokens: 300, cached_input_tokens: 1000, reasoning_tokens: 256 });
    const [sent] = server.stats.log;
    expect(sent?.api).toBe("responses");
    expect(sent?.path).toBe("/v1/responses");
    expect(sent?.body.instructions).toBe("You are a support bot.");
    expect(sent?.body.input).toEqual([
      { type: "message", role: "user", content: "Hi" },
      { type: "message", role: "assistant", content: "Hello" },
      { type: "message", role: "user", content: "Refund A-1" },
    ]);
    // Chat-style names are renamed: the Responses API refuses max_tokens.
    expect(sent?.body.max_output_tokens).toBe(64);
    expect(sent?.body.max_tokens).toBeUndefined();
    expect(sent?.body.reasoning).toEqual({ effort: "high" });
    expect(sent?.body.store).toBe(false);
  });

  test("tools both ways: offered as function tools, calls come back in the shape of the other providers", async () => {
    const server = await serverWith({
      respond: (request) =>
        request.messages.some((m) => m.role === "tool")
          ? { text: "Refunded." }
          : {
              tool_calls: [
                { name: "issue_refund", arguments: { order_id: "A-1" } },
                { name: "issue_refund", arguments: "{not json" },
              ],
            },
    });
    const provider = await providerFor(server, variant);
    const first = await complete(provider, makeRequest({ tools: [refundTool], tool_choice: { name: "issue_refund" } }));
    expect(first.tool_calls).toHaveLength(2);
    expect(first.tool_calls[0]).toMatchObject({ name: "issue_refund", arguments: { order_id: "A-1" } });
    expect(first.tool_calls[0]?.id).toMatch(/^call_/);
    expect(first.tool_calls[1]).toMatchObject({ name: "issue_refund", arguments: null, raw_arguments: "{not json" });
    expect(first.finish_reason).toBe("tool_calls");
    const offered = server.stats.log[0]?.body;
    expect(offered.tools).toEqual([
      { type: "function", name: "issue_refund", parameters: refundTool.parameters, strict: false, description: refundTool.description },
    ]);
    expect(offered.tool_choice).toEqual({ type: "function", name: "issue_refund" });
    // The call and its result sent back as a conversation: function_call + function_call_output items.
    const callId = first.tool_calls[0]?.id as string;
    const second = await complete(
      provider,
      makeRequest({
        messages: [
          { role: "user", content: "Refund A-1" },
          { role: "assistant", content: "", tool_calls: [{ id: callId, name: "issue_refund", arguments: { order_id: "A-1" } }] },
          { role: "tool", content: '{"ok":true}', tool_call_id: callId },
        ],
        tools: [refundTool],
      }),
    );
    expect(second.text).toBe("Refunded.");
    expect(server.stats.log[1]?.body.input).toEqual([
      { type: "message", role: "user", content: "Refund A-1" },
      { type: "function_call", call_id: callId, name: "issue_refund", arguments: '{"order_id":"A-1"}' },
      { type: "function_call_output", call_id: callId, output: '{"ok":true}' },
    ]);
  });

  test("structured outputs: a chat-style response_format becomes text.format; json_mode asks for a JSON object", async () => {
    const server = await serverWith({ respond: () => ({ text: '{"category":"billing"}' }) });
    const provider = await providerFor(server, variant);
    const schema = { type: "object", properties: { category: { type: "string" } }, required: ["category"], additionalProperties: false };
    const response = await complete(
      provider,
      makeRequest({ params: { response_format: { type: "json_schema", json_schema: { name: "ticket", schema, strict: true } } } }),
    );
    expect(response.text).toBe('{"category":"billing"}');
    expect(server.stats.log[0]?.body.text).toEqual({ format: { type: "json_schema", name: "ticket", schema, strict: true } });
    expect(server.stats.log[0]?.body.response_format).toBeUndefined();
    await complete(provider, makeRequest({ json_mode: true }));
    expect(server.stats.log[1]?.body.text).toEqual({ format: { type: "json_object" } });
  });

  test("a refusal is recorded, and is the output the checks read", async () => {
    const server = await serverWith({ respond: () => ({ refusal: "I can't help with that request." }) });
    const response = await complete(await providerFor(server, variant), makeRequest());
    expect(response.refusal).toBe("I can't help with that request.");
    expect(response.text).toBe("I can't help with that request.");
    expect(response.finish_reason).toBe("refusal");
  });

  test.each([
    ["text", { text: "Streaming works fine." }, (r: { text: string }) => expect(r.text).toBe("Streaming works fine.")],
    [
      "tool call",
      { tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-7" } }] },
      (r: { tool_calls: unknown[] }) => expect(r.tool_calls).toMatchObject([{ name: "issue_refund", arguments: { order_id: "A-7" } }]),
    ],
    ["refusal", { refusal: "No, sorry." }, (r: { refusal?: string }) => expect(r.refusal).toBe("No, sorry.")],
  ] as const)("streamed %s: the same response, with time to first token and tokens per second", async (_name, reply, check) => {
    const server = await serverWith({
      respond: () => ({ ...(reply as FakeReply), usage: { input_tokens: 50, output_tokens: 40, reasoning_tokens: 10 } }),
      latencyMs: 40,
      chunkDelayMs: 15,
    });
    const response = await complete(await providerFor(server, variant), makeRequest({ options: { stream: true }, tools: [refundTool] }));
    check(response as never);
    expect(server.stats.log[0]?.body.stream).toBe(true);
    expect(response.usage).toEqual({ input_tokens: 50, output_tokens: 40, reasoning_tokens: 10 });
    expect(response.ttft_ms).toBeGreaterThanOrEqual(30);
    expect(response.tokens_per_s).toBeGreaterThan(0);
  });

  test("an HTTP error is classified like the other OpenAI providers' (429 retryable, 400 not)", async () => {
    const server = await serverWith({ fault: (request) => ({ kind: "status", status: request.index === 0 ? 429 : 400, retryAfter: "1" }) });
    const provider = await providerFor(server, variant);
    for (const [status, kind, retryable] of [
      [429, "rate_limit", true],
      [400, "bad_request", false],
    ] as const) {
      const error = await complete(provider, makeRequest()).catch((thrown: unknown) => provider.classify(thrown, false));
      expect(error).toMatchObject({ status, kind, retryable });
    }
  });
});

describe("azure", () => {
  test("calls the deployment's path with api-version and the api-key header", async () => {
    const server = await serverWith({ requireKey: "azure-key-000000000000", respond: () => ({ text: "hi", model: "gpt-4o-2024-08-06" }) });
    const variant = makeVariant("azure", "gpt-4o-2024-08-06", { deployment: "prod-gpt4o", api_version: "2024-12-01-preview" });
    const response = await complete(await providerFor(server, variant), makeRequest({ options: { reasoning: { effort: "low" } } }));
    expect(response.text).toBe("hi");
    expect(response.served_model).toBe("gpt-4o-2024-08-06");
    const [sent] = server.stats.log;
    expect(sent?.path).toBe("/openai/deployments/prod-gpt4o/chat/completions");
    expect(sent?.query).toEqual({ "api-version": "2024-12-01-preview" });
    expect(sent?.headers["api-key"]).toBe("azure-key-000000000000");
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body.reasoning_effort).toBe("low");
  });

  test("with no key, a bearer token from the environment (AZURE_OPENAI_AD_TOKEN or token_env)", async () => {
    const server = await serverWith({ requireKey: "entra-token-123", respond: () => ({ text: "hi" }) });
    const env = { AZURE_OPENAI_AD_TOKEN: "entra-token-123", OPENAI_API_VERSION: "2025-01-01-preview" };
    await complete(await providerFor(server, makeVariant("azure", "gpt-4o-2024-08-06"), env), makeRequest());
    const [sent] = server.stats.log;
    expect(sent?.headers.authorization).toBe("Bearer entra-token-123");
    expect(sent?.headers["api-key"]).toBeUndefined();
    expect(sent?.path).toBe("/openai/deployments/gpt-4o-2024-08-06/chat/completions");
    expect(sent?.query).toEqual({ "api-version": "2025-01-01-preview" });
    await complete(
      await providerFor(server, makeVariant("azure", "gpt-4o-2024-08-06", { token_env: "MY_TOKEN" }), { MY_TOKEN: "entra-token-123" }),
      makeRequest(),
    );
    expect(server.stats.log[1]?.headers.authorization).toBe("Bearer entra-token-123");
  });

  test("no key and no token, or no endpoint, is an input error naming the variables", () => {
    const variant = makeVariant("azure", "gpt-4o-2024-08-06", { base_url: "https://res.openai.azure.com" });
    expect(() => providerEnvironment(variant, {}, 1000, "candidate")).toThrow(/AZURE_OPENAI_API_KEY \(or a bearer token in AZURE_OPENAI_AD_TOKEN\)/);
    expect(() => providerEnvironment(makeVariant("azure", "gpt-4o-2024-08-06"), keyEnv, 1000, "candidate")).toThrow(/AZURE_OPENAI_ENDPOINT/);
  });
});

describe("usage details, served model and streaming on Chat Completions and Anthropic", () => {
  const usage = { input_tokens: 2000, output_tokens: 500, cached_input_tokens: 1500, cache_write_tokens: 300, reasoning_tokens: 200 };

  test("Chat Completions: cached and reasoning tokens, system_fingerprint, refusal", async () => {
    const server = await serverWith({ respond: () => ({ text: "ok", model: "o3-2025-04-16", system_fingerprint: "fp_abc", usage }) });
    const provider = await providerFor(server, makeVariant("openai", "o3"));
    const response = await complete(provider, makeRequest({ options: { reasoning: { effort: "medium" } } }));
    // Chat Completions has no cache-write count.
    expect(response.usage).toEqual({ input_tokens: 2000, output_tokens: 500, cached_input_tokens: 1500, reasoning_tokens: 200 });
    expect(response).toMatchObject({ served_model: "o3-2025-04-16", system_fingerprint: "fp_abc" });
    expect(server.stats.log[0]?.body.reasoning_effort).toBe("medium");
    const refused = await serverWith({ respond: () => ({ refusal: "I can't assist with that." }) });
    const answer = await complete(await providerFor(refused, makeVariant("openai", "gpt-4o-2024-08-06")), makeRequest());
    expect(answer).toMatchObject({ text: "I can't assist with that.", refusal: "I can't assist with that." });
  });

  test("Anthropic: cache reads and writes are added to the input total; thinking is sent with room for an answer", async () => {
    const server = await serverWith({ respond: () => ({ text: "ok", model: "claude-sonnet-4-20250514", usage }) });
    const provider = await providerFor(server, makeVariant("anthropic", "claude-sonnet-4-20250514"));
    const response = await complete(provider, makeRequest({ options: { thinking: { budget_tokens: 2048 } } }));
    expect(response.usage).toEqual({ input_tokens: 2000, output_tokens: 500, cached_input_tokens: 1500, cache_write_tokens: 300 });
    expect(response.served_model).toBe("claude-sonnet-4-20250514");
    expect(server.stats.log[0]?.body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(server.stats.log[0]?.body.max_tokens).toBe(2048 + 1024);
  });

  test.each(["openai", "anthropic", "azure"] as const)(
    "%s streams: the same text and tool calls, usage, and time to first token",
    async (provider) => {
      const server = await serverWith({
        respond: (request) =>
          request.lastUser.includes("tool")
            ? {
                tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-9", reason: "broken" } }],
                usage: { input_tokens: 30, output_tokens: 20 },
              }
            : { text: "A streamed answer in pieces.", system_fingerprint: "fp_1", usage: { input_tokens: 30, output_tokens: 20 } },
        latencyMs: 40,
        chunkDelayMs: 10,
      });
      const model = provider === "anthropic" ? "claude-sonnet-4-20250514" : "gpt-4o-2024-08-06";
      const built = await providerFor(server, makeVariant(provider, model));
      const text = await complete(built, makeRequest({ options: { stream: true } }));
      expect(text.text).toBe("A streamed answer in pieces.");
      expect(text.usage).toEqual({ input_tokens: 30, output_tokens: 20 });
      expect(text.served_model).toBe(model);
      if (provider !== "anthropic") expect(text.system_fingerprint).toBe("fp_1");
      expect(text.ttft_ms).toBeGreaterThanOrEqual(30);
      expect(text.tokens_per_s).toBeGreaterThan(0);
      const call = await complete(
        built,
        makeRequest({ messages: [{ role: "user", content: "use the tool" }], tools: [refundTool], options: { stream: true } }),
      );
      expect(call.tool_calls).toMatchObject([{ name: "issue_refund", arguments: { order_id: "A-9", reason: "broken" } }]);
      if (provider !== "anthropic") expect(server.stats.log[0]?.body.stream_options).toEqual({ include_usage: true });
    },
  );
});

describe("variant fields that do not apply", () => {
  test.each([
    ["anthropic", { reasoning: { effort: "high" } }, /reasoning.effort does not apply to provider anthropic/],
    ["openai", { thinking: { budget_tokens: 2048 } }, /thinking.budget_tokens does not apply to provider openai/],
    ["openai-responses", { thinking: { budget_tokens: 2048 } }, /thinking.budget_tokens does not apply/],
  ] as const)("%s with %j: a warning", (provider, fields, message) => {
    expect(requestOptionWarnings("candidate", makeVariant(provider, "m-2024-01-01", fields))).toEqual([expect.stringMatching(message)]);
  });

  test.each([
    ["openai", { reasoning: { effort: "high" } }],
    ["azure", { reasoning: { effort: "low" } }],
    ["anthropic", { thinking: { budget_tokens: 1024 } }],
  ] as const)("%s with %j: none", (provider, fields) => {
    expect(requestOptionWarnings("candidate", makeVariant(provider, "m-2024-01-01", fields))).toEqual([]);
  });
});
