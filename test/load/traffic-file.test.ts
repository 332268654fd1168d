import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { UserError } from "../../src/errors.js";
import { loadTraffic } from "../../src/load/traffic-file.js";
import { serializeTrafficLine, type TrafficLine } from "../../src/traffic/types.js";
import { makeProject } from "../support/run-cli.js";

function line(overrides: Partial<TrafficLine> = {}): TrafficLine {
  return {
    v: 1,
    id: "req-1",
    ts: "2026-06-12T10:15:03.120Z",
    source: "litellm",
    tags: ["tenant:acme"],
    request: {
      messages: [
        { role: "developer", content: "You are a support bot." },
        { role: "user", content: "Refund A-1234" },
      ],
      tools: [{ type: "function", function: { name: "issue_refund", parameters: { type: "object", properties: { order_id: { type: "string" } } } } }],
      tool_choice: "auto",
      params: { temperature: 0, max_tokens: 512 },
    },
    arms: {
      baseline: {
        model: "gpt-4o-2024-08-06",
        served: true,
        output: "",
        tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1234" } }],
        usage: { input_tokens: 812, output_tokens: 21 },
        latency_ms: 1240,
        ttft_ms: 310,
        status: 200,
        error: null,
      },
    },
    ...overrides,
  };
}

function trafficFile(text: string): string {
  const dir = makeProject({});
  const path = join(dir, "t.traffic.jsonl");
  writeFileSync(path, text);
  return path;
}

async function problems(text: string): Promise<string> {
  try {
    await loadTraffic(trafficFile(text), "t.traffic.jsonl");
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error("expected the traffic file to be rejected");
}

describe("loadTraffic (SPEC §9)", () => {
  test("every line is a case: request fields as dataset fields, tags as segments, the recorded arms kept", async () => {
    const dataset = await loadTraffic(trafficFile(serializeTrafficLine(line()) + serializeTrafficLine(line({ id: "req-2", tags: [] }))));
    expect(dataset.cases).toHaveLength(2);
    const [first] = dataset.cases;
    expect(first?.id).toBe("req-1");
    expect(first?.line).toBe(1);
    expect(first?.tags).toEqual(["tenant:acme"]);
    expect(first?.messages?.[0]).toEqual({ role: "developer", content: "You are a support bot." });
    expect(first?.tools?.[0]?.name).toBe("issue_refund");
    expect(first?.tool_choice).toBe("auto");
    expect(first?.traffic?.ts).toBe("2026-06-12T10:15:03.120Z");
    expect(first?.traffic?.source).toBe("litellm");
    expect(first?.traffic?.params).toEqual({ temperature: 0, max_tokens: 512 });
    expect(first?.traffic?.arms.baseline).toMatchObject({ model: "gpt-4o-2024-08-06", latency_ms: 1240, ttft_ms: 310, error: null });
    expect(first?.traffic?.arms.baseline?.tool_calls).toEqual([{ name: "issue_refund", arguments: { order_id: "A-1234" } }]);
    expect(first?.traffic?.arms.candidate).toBeUndefined();
    expect(first?.expected).toEqual({});
  });

  test("`expected` is honoured where a line carries one; image parts are kept in order", async () => {
    const labelled = line({
      expected: { tool_calls: [{ name: "issue_refund", arguments: { order_id: "A-1234" } }] },
      request: {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is on this receipt?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
            ],
          },
        ],
      },
    });
    const dataset = await loadTraffic(trafficFile(serializeTrafficLine(labelled)));
    const [testCase] = dataset.cases;
    expect(testCase?.expected.tool_calls).toEqual([{ name: "issue_refund", arguments: { order_id: "A-1234" } }]);
    expect(testCase?.messages?.[0]?.content).toBe("What is on this receipt?");
    expect(testCase?.messages?.[0]?.parts).toEqual([
      { type: "text", text: "What is on this receipt?" },
      { type: "image", url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" },
    ]);
  });

  test("a torn last line is ignored with a warning; a torn line elsewhere is an error", async () => {
    const whole = serializeTrafficLine(line());
    const torn = serializeTrafficLine(line({ id: "req-2" })).slice(0, 60);
    const dataset = await loadTraffic(trafficFile(whole + torn), "t.traffic.jsonl");
    expect(dataset.cases.map((c) => c.id)).toEqual(["req-1"]);
    expect(dataset.warnings).toEqual([expect.stringMatching(/^t\.traffic\.jsonl:2: the last line is cut off/)]);
    // The same bytes followed by a newline were written whole: not a torn write but a broken line.
    expect(await problems(`${whole}${torn}\n`)).toMatch(/t\.traffic\.jsonl:2: not valid JSON/);
    // A last line without a newline that parses is a line like any other.
    expect((await loadTraffic(trafficFile(whole.trimEnd()))).cases).toHaveLength(1);
  });

  test("every bad field is named with file, line and field, all at once", async () => {
    const text = [
      line({ v: 2 as 1 }),
      line({ id: "b", ts: "yesterday" }),
      line({ id: "c", request: { messages: [{ role: "wizard", content: "hi" }] } }),
      line({ id: "d", arms: { baseline: { model: "m", output: "partial", error: { kind: "server", message: "500" } } } }),
      line({ id: "e", arms: { candidate: { model: "m", output: null, error: { kind: "exploded" as "server", message: "?" } } } }),
      line({ id: "f", arms: {} }),
      line({ id: "b" }),
      line({ id: "g", arms: { baseline: { model: "m", output: null, error: null } } }),
    ]
      .map(serializeTrafficLine)
      .join("");
    const message = await problems(text);
    expect(message).toContain("t.traffic.jsonl:1: v: expected 1");
    expect(message).toContain("t.traffic.jsonl:2: ts: expected an ISO 8601 time");
    expect(message).toContain("t.traffic.jsonl:3: request.messages[0].role: expected one of system | developer | user | assistant | tool");
    expect(message).toContain("t.traffic.jsonl:4: arms.baseline.output: an arm with an error has output: null");
    expect(message).toContain(
      "t.traffic.jsonl:5: arms.candidate.error.kind: expected one of rate_limit | server | timeout | network | bad_request | auth",
    );
    expect(message).toContain('t.traffic.jsonl:6: arms: expected "baseline", "candidate" or both');
    expect(message).toContain('t.traffic.jsonl:7: id: duplicate id "b" (first used on line 2)');
    expect(message).toContain("t.traffic.jsonl:8: arms.baseline.output: null, but the arm has no error");
  });

  test("a missing request, an audio part and an empty file are input errors", async () => {
    const noRequest = { ...line(), request: undefined };
    expect(await problems(`${JSON.stringify(noRequest)}\n`)).toContain("t.traffic.jsonl:1: request: required");
    const audio = line({ request: { messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "…" } }] }] } });
    expect(await problems(serializeTrafficLine(audio))).toMatch(/request\.messages\[0\]\.content\[0\]: .*type "input_audio" is not supported/);
    expect(await problems("")).toContain("the traffic file has no lines");
  });
});
