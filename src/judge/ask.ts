import type { ChatMessage, JudgeCaller } from "../types.js";

/** What the judge answered, or why it could not be used (a judge error, never a verdict on the output). */
export type JudgeAnswer<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Asks the judge and parses its reply; an unparseable reply gets one retry with a correction message
 * (the judge sees its own reply and what was wrong), then it is a judge error.
 */
export async function askJudge<T>(
  judge: JudgeCaller,
  messages: ChatMessage[],
  parse: (reply: string) => T | string,
  shape: string,
  call: { variant?: string; label: string },
): Promise<JudgeAnswer<T>> {
  let conversation = messages;
  for (let attempt = 0; attempt < 2; attempt++) {
    const outcome = await judge(
      { messages: conversation, params: {}, draw: 0, json_mode: true },
      { ...call, label: attempt === 0 ? call.label : `${call.label}, retry` },
    );
    if (outcome.status === "error") return { ok: false, error: `judge request failed: ${outcome.error.message}` };
    const reply = outcome.response.text;
    const parsed = parse(reply);
    if (typeof parsed !== "string") return { ok: true, value: parsed };
    if (attempt === 1) return { ok: false, error: `judge reply unusable after a retry: ${parsed}` };
    conversation = [
      ...messages,
      // An empty turn is rejected by some APIs (Anthropic: "text content blocks must be non-empty").
      { role: "assistant", content: reply.trim() === "" ? "(no reply)" : reply },
      {
        role: "user",
        content: `Your reply could not be used: ${parsed}. Reply again with exactly one JSON object of the form ${shape} and nothing else.`,
      },
    ];
  }
  return { ok: false, error: "unreachable" };
}
