import { expect, test } from "vitest";
import { loadDataset } from "../../src/load/dataset.js";
import { makeProject } from "../support/run-cli.js";

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

test("non-text content parts and unparseable logged arguments are input errors naming the field", async () => {
  const dir = makeProject({
    "traffic.jsonl": [
      { id: "a", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] },
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
    /traffic\.jsonl:1: messages\[0\]\.content\[0\]: expected a text part[\s\S]*traffic\.jsonl:2: messages\[1\]\.tool_calls\[0\]\.function\.arguments: expected a JSON object/,
  );
});
