import { describe, expect, test } from "vitest";
import { pairwiseVerdict } from "../../src/checks/judge.js";

type View = "win" | "loss" | "tie";

describe("pairwiseVerdict (first order: candidate as B; second: candidate as A)", () => {
  test.each<{ first: View; second: View; pairwise: string; status: string; score: number }>([
    { first: "win", second: "win", pairwise: "win", status: "pass", score: 1 },
    { first: "loss", second: "loss", pairwise: "loss", status: "fail", score: 0 },
    { first: "tie", second: "tie", pairwise: "tie", status: "pass", score: 0.5 },
    // a position-biased judge ("always A"): loss as B, win as A — never a win
    { first: "loss", second: "win", pairwise: "inconsistent", status: "pass", score: 0.5 },
    // "always B": win as B, loss as A
    { first: "win", second: "loss", pairwise: "inconsistent", status: "pass", score: 0.5 },
    { first: "win", second: "tie", pairwise: "tie", status: "pass", score: 0.5 },
    { first: "tie", second: "win", pairwise: "tie", status: "pass", score: 0.5 },
    { first: "loss", second: "tie", pairwise: "tie", status: "pass", score: 0.5 },
    { first: "tie", second: "loss", pairwise: "tie", status: "pass", score: 0.5 },
  ])("$first then $second → $pairwise", ({ first, second, pairwise, status, score }) => {
    expect(pairwiseVerdict(first, second, "r1", "r2")).toMatchObject({ pairwise, status, score });
  });

  test("a win counts only when both orders agree", () => {
    const views: View[] = ["win", "loss", "tie"];
    for (const first of views) {
      for (const second of views) {
        const verdict = pairwiseVerdict(first, second, "", "").pairwise;
        expect(verdict === "win").toBe(first === "win" && second === "win");
        expect(verdict === "loss").toBe(first === "loss" && second === "loss");
      }
    }
  });
});
