import { describe, expect, test } from "vitest";
import { createSchemaCompiler } from "../../src/checks/schema-compiler.js";
import { scoreToolCallValidity } from "../../src/checks/tool-calls.js";
import { agreementOf } from "../../src/score/agreement.js";
import type { ToolCall } from "../../src/types.js";
import { refundTool, trackTool } from "../support/scenario.js";

type Answer = { text: string; tool_calls: ToolCall[] };

const tools = [refundTool, trackTool];
const schemas = createSchemaCompiler();

describe("tool-calls mode: validity (no reference; SPEC §4, §9)", () => {
  test("calls that name an offered tool with schema-valid arguments pass", () => {
    const result = scoreToolCallValidity([{ name: "issue_refund", arguments: { order_id: "A-1", amount: 20 } }], tools, "auto", schemas);
    expect(result).toMatchObject({ status: "pass", score: 1 });
  });

  test("a tool the request did not offer, or arguments breaking its schema, fail with the reason", () => {
    const unknown = scoreToolCallValidity([{ name: "issue_refunds", arguments: { order_id: "A-1" } }], tools, undefined, schemas);
    expect(unknown.status).toBe("fail");
    expect(unknown.reason).toContain('called issue_refunds, which the request did not offer — did you mean "issue_refund"?');
    const invalid = scoreToolCallValidity(
      [
        { name: "issue_refund", arguments: { amount: "twenty" } },
        { name: "track_order", arguments: { order_id: "A-2" } },
      ],
      tools,
      undefined,
      schemas,
    );
    expect(invalid.status).toBe("fail");
    expect(invalid.score).toBe(0.5);
    expect(invalid.reason).toMatch(/arguments break issue_refund's schema/);
  });

  test("tool_choice is honoured: required and named demand a call, none forbids one", () => {
    expect(scoreToolCallValidity([], tools, "auto", schemas).status).toBe("pass");
    expect(scoreToolCallValidity([], tools, "required", schemas).reason).toBe("no tool call, but tool_choice is required");
    expect(scoreToolCallValidity([], tools, { name: "track_order" }, schemas).status).toBe("fail");
    const wrong = scoreToolCallValidity([{ name: "issue_refund", arguments: { order_id: "A" } }], tools, { name: "track_order" }, schemas);
    expect(wrong.reason).toBe("called issue_refund, but tool_choice names track_order");
    expect(scoreToolCallValidity([{ name: "track_order", arguments: { order_id: "A" } }], tools, "none", schemas).status).toBe("fail");
  });
});

describe("agreement between the arms (SPEC §9)", () => {
  const offered = { tools };
  test("the same calls in another order, with other ids and key order, agree; another argument does not", () => {
    const a: Answer = {
      text: "",
      tool_calls: [
        { id: "call_1", name: "issue_refund", arguments: { order_id: "A", amount: 20 } },
        { name: "track_order", arguments: { order_id: "A" } },
      ],
    };
    const b: Answer = {
      text: "",
      tool_calls: [
        { name: "track_order", arguments: { order_id: "A" } },
        { id: "call_9", name: "issue_refund", arguments: { amount: 20, order_id: "A" } },
      ],
    };
    expect(agreementOf(offered, a, b)).toEqual({ tool_calls: true });
    const c: Answer = {
      text: "",
      tool_calls: [
        { name: "issue_refund", arguments: { order_id: "A", amount: 25 } },
        { name: "track_order", arguments: { order_id: "A" } },
      ],
    };
    expect(agreementOf(offered, a, c)).toEqual({ tool_calls: false });
  });

  test("JSON answers agree as parsed JSON (spacing and key order do not count); a non-JSON answer disagrees", () => {
    const compact = { text: '{"category":"billing","priority":"high"}', tool_calls: [] };
    const pretty = { text: '{\n  "priority": "high",\n  "category": "billing"\n}', tool_calls: [] };
    expect(agreementOf({}, compact, pretty)).toEqual({ output_json: true });
    expect(agreementOf({}, compact, { text: 'Sure! {"category":"billing"}', tool_calls: [] })).toEqual({ output_json: false });
    // Neither measure applies to prose without tools.
    expect(agreementOf({}, { text: "30 days", tool_calls: [] }, { text: "thirty days", tool_calls: [] })).toBeUndefined();
  });
});
