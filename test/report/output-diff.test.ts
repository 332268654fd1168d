import { describe, expect, test } from "vitest";
import { describeChanges, diffDraws, diffJson, diffText, diffToolCalls, parseJsonOutput } from "../../src/report/output-diff.js";

describe("diffToolCalls", () => {
  test("pairs calls by name, ignores the random call ids, and lists each changed argument", () => {
    const diff = diffToolCalls(
      [{ id: "call_Qx81mZ", name: "issue_refund", arguments: { order_id: "A-1", amount: 20, reason: "damaged" } }],
      [{ id: "call_7Hk2Pa", name: "issue_refund", arguments: { order_id: "A-1", amount: 25, reason: "damaged" } }],
    );
    expect(diff).toEqual([{ kind: "changed", name: "issue_refund", arguments: [{ path: "amount", kind: "changed", before: 20, after: 25 }] }]);
    expect(describeChanges({ tool_calls: diff })).toEqual(["issue_refund: amount: 20 → 25"]);
  });

  test.each([
    {
      name: "same calls, new ids",
      before: [{ id: "a", name: "f", arguments: { x: 1 } }],
      after: [{ id: "b", name: "f", arguments: { x: 1 } }],
      lines: [],
    },
    {
      name: "a reordered call is no change",
      before: [
        { name: "f", arguments: {} },
        { name: "g", arguments: {} },
      ],
      after: [
        { name: "g", arguments: {} },
        { name: "f", arguments: {} },
      ],
      lines: [],
    },
    { name: "an added call", before: [], after: [{ name: "track_order", arguments: { id: 1 } }], lines: ["+ call track_order"] },
    { name: "a removed call", before: [{ name: "track_order", arguments: {} }], after: [], lines: ["− call track_order"] },
    {
      name: "another tool at the same place",
      before: [{ name: "issue_refund", arguments: { order_id: "A-1" } }],
      after: [{ name: "track_order", arguments: { order_id: "A-1" } }],
      lines: ["call issue_refund → track_order"],
    },
    {
      name: "nested arguments by path",
      before: [{ name: "ship", arguments: { items: [{ sku: "X", qty: 1 }], "gift note": "hi" } }],
      after: [{ name: "ship", arguments: { items: [{ sku: "X", qty: 2 }], express: true } }],
      lines: ["ship: items[0].qty: 1 → 2", 'ship: − ["gift note"]: "hi"', "ship: + express: true"],
    },
  ])("$name", ({ before, after, lines }) => {
    expect(describeChanges({ tool_calls: diffToolCalls(before, after) })).toEqual(lines);
  });
});

describe("JSON outputs", () => {
  test("compact vs pretty-printed JSON is the same value: no change at all", () => {
    const diff = diffDraws(
      { output: '{"category":"shipping","priority":"low"}', tool_calls: [] },
      { output: '{\n  "category": "shipping",\n  "priority": "low"\n}', tool_calls: [] },
    );
    expect(diff).toEqual({ json: [] });
  });

  test("a changed key is one change, however the text is formatted; a fenced block counts as JSON", () => {
    const diff = diffDraws(
      { output: '{"category":"billing","priority":"urgent"}', tool_calls: [] },
      { output: '```json\n{\n  "category": "billing",\n  "priority": "high"\n}\n```', tool_calls: [] },
    );
    expect(describeChanges(diff)).toEqual(['priority: "urgent" → "high"']);
  });

  test("bare scalars and prose stay text", () => {
    expect(parseJsonOutput("42")).toBeUndefined();
    expect(parseJsonOutput("Sure! {not json}")).toBeUndefined();
    expect(diffJson([1, 2], [1, 2, 3])).toEqual([{ path: "[2]", kind: "added", after: 3 }]);
  });
});

test("text is diffed by words, ignoring whitespace", () => {
  expect(diffText("The order ships tomorrow.", "The order  ships today.")).toEqual([{ removed: "tomorrow.", added: "today." }]);
  expect(diffDraws({ output: "a b", tool_calls: [] }, { output: "a  b", tool_calls: [] })).toEqual({ text: [] });
});
