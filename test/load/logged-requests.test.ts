import { expect, test } from "vitest";
import { loadDataset } from "../../src/load/dataset.js";
import { makeProject } from "../support/run-cli.js";

test("the developer role and image parts (OpenAI image_url, Anthropic base64 image) load", async () => {
  const dir = makeProject({
    "d.jsonl": [
      {
        id: "a",
        messages: [
          { role: "developer", content: "Be brief." },
          {
            role: "user",
            content: [
              { type: "text", text: "Compare" },
              { type: "image_url", image_url: { url: "https://example.test/a.png" } },
              { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
            ],
          },
        ],
      },
    ],
  });
  const [testCase] = (await loadDataset(`${dir}/d.jsonl`)).cases;
  expect(testCase?.messages?.[0]).toEqual({ role: "developer", content: "Be brief." });
  expect(testCase?.messages?.[1]?.content).toBe("Compare");
  expect(testCase?.messages?.[1]?.parts).toEqual([
    { type: "text", text: "Compare" },
    { type: "image", url: "https://example.test/a.png" },
    { type: "image", url: "data:image/jpeg;base64,/9j/4AAQ" },
  ]);
});

test("a dataset of logged OpenAI requests (shadow-mode replay) loads: wire-shaped tools, tool calls and text parts", async () => {
  const dir = makeProject({
    "traffic.jsonl": [
      {
        id: "req-1",
        messages: [
          { role: "system", content: [{ type: "text", text: "You are a support bot." }] },
          { role: "user", content: [{ type: "text", text: "Where is order A-1?" }] },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: "track_order", arguments: '{"order_id":"A-1"}' } }],
          },
          { role: "tool", tool_call_id: "call_1", content: '{"status":"shipped"}' },
        ],
        tools: [
          {
            type: "function",
            function: { name: "track_order", description: "Track", parameters: { type: "object", properties: { order_id: { type: "string" } } } },
          },
        ],
        tool_choice: { type: "function", function: { name: "track_order" } },
      },
    ],
  });
  const dataset = await loadDataset(`${dir}/traffic.jsonl`);
  const [testCase] = dataset.cases;
  expect(testCase?.messages?.[0]?.content).toBe("You are a support bot.");
  expect(testCase?.messages?.[2]?.tool_calls).toEqual([{ id: "call_1", name: "track_order", arguments: { order_id: "A-1" } }]);
  expect(testCase?.tools?.[0]?.name).toBe("track_order");
  expect(testCase?.tool_choice).toEqual({ name: "track_order" });
});

test("audio parts, bad image URLs and unparseable logged arguments are input errors naming the field", async () => {
  const dir = makeProject({
    "traffic.jsonl": [
      { id: "a", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] },
      { id: "c", messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "…", format: "wav" } }] }] },
      {
        id: "b",
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: null, tool_calls: [{ type: "function", function: { name: "t", arguments: "{oops" } }] },
        ],
      },
    ],
  });
  await expect(loadDataset(`${dir}/traffic.jsonl`)).rejects.toThrow(
    /traffic\.jsonl:1: messages\[0\]\.content\[0\]\.image_url\.url: expected an http\(s\) URL or a data:image[\s\S]*traffic\.jsonl:2: messages\[0\]\.content\[0\]: .*type "input_audio" is not supported[\s\S]*traffic\.jsonl:3: messages\[1\]\.tool_calls\[0\]\.function\.arguments: expected a JSON object/,
  );
});
