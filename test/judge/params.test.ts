import { describe, expect, test } from "vitest";
import { acceptsTemperature, judgeParams } from "../../src/judge/params.js";
import type { JsonObject } from "../../src/types.js";

const spec = (model: string, params: JsonObject = {}) => ({ model, params });

describe("judgeParams: the judge keeps its own variant's params", () => {
  test.each<{ name: string; model: string; params: JsonObject; sent: JsonObject }>([
    { name: "no params: temperature 0", model: "gpt-4o-2024-08-06", params: {}, sent: { temperature: 0 } },
    {
      name: "other params kept, temperature 0 added",
      model: "gpt-4o-2024-08-06",
      params: { max_tokens: 300 },
      sent: { max_tokens: 300, temperature: 0 },
    },
    { name: "the variant's own temperature wins", model: "gpt-4o-2024-08-06", params: { temperature: 0.3 }, sent: { temperature: 0.3 } },
    {
      name: "a Claude judge: temperature 0",
      model: "claude-3-5-sonnet-20241022",
      params: { max_tokens: 512 },
      sent: { max_tokens: 512, temperature: 0 },
    },
    { name: "an o-series model: no temperature", model: "o3-mini-2025-01-31", params: {}, sent: {} },
    { name: "o1: no temperature", model: "o1", params: { max_completion_tokens: 2000 }, sent: { max_completion_tokens: 2000 } },
    { name: "o4-mini: no temperature", model: "o4-mini", params: {}, sent: {} },
    { name: "gpt-5: no temperature", model: "gpt-5-2025-08-07", params: {}, sent: {} },
    { name: "gpt-5-mini: no temperature", model: "gpt-5-mini", params: {}, sent: {} },
    { name: "gpt-5.1: no temperature", model: "gpt-5.1", params: {}, sent: {} },
    { name: "a gateway-prefixed o-series id: no temperature", model: "openai/o3-mini", params: {}, sent: {} },
    {
      name: "reasoning_effort: kept, no temperature",
      model: "my-gateway-model",
      params: { reasoning_effort: "low" },
      sent: { reasoning_effort: "low" },
    },
    {
      name: "reasoning: kept, no temperature",
      model: "my-gateway-model",
      params: { reasoning: { effort: "low" } },
      sent: { reasoning: { effort: "low" } },
    },
    {
      name: "Claude extended thinking: kept, no temperature",
      model: "claude-sonnet-4-20250514",
      params: { thinking: { type: "enabled", budget_tokens: 2048 }, max_tokens: 4096 },
      sent: { thinking: { type: "enabled", budget_tokens: 2048 }, max_tokens: 4096 },
    },
    {
      name: "Claude thinking disabled: temperature 0",
      model: "claude-sonnet-4-20250514",
      params: { thinking: { type: "disabled" } },
      sent: { thinking: { type: "disabled" }, temperature: 0 },
    },
    { name: "top_p set: sampling left alone", model: "claude-opus-4-1-20250805", params: { top_p: 0.9 }, sent: { top_p: 0.9 } },
    { name: "temperature: null means send none", model: "some-reasoner", params: { temperature: null, max_tokens: 100 }, sent: { max_tokens: 100 } },
    { name: "an explicit temperature on a reasoning model is the user's choice", model: "o3", params: { temperature: 1 }, sent: { temperature: 1 } },
    {
      name: "a model named like o-series but not one (omni-*) gets temperature 0",
      model: "omni-moderation-latest",
      params: {},
      sent: { temperature: 0 },
    },
    { name: "gpt-4.1 gets temperature 0", model: "gpt-4.1-2025-04-14", params: {}, sent: { temperature: 0 } },
  ])("$name", ({ model, params, sent }) => {
    const before = structuredClone(params);
    expect(judgeParams(spec(model, params))).toEqual(sent);
    expect(params).toEqual(before); // the variant's spec is never modified
  });

  test("acceptsTemperature says why judgeParams left temperature out", () => {
    expect(acceptsTemperature(spec("gpt-4o-2024-08-06"))).toBe(true);
    expect(acceptsTemperature(spec("O3-MINI"))).toBe(false);
    expect(acceptsTemperature(spec("gpt-4o", { reasoning_effort: "high" }))).toBe(false);
  });
});
