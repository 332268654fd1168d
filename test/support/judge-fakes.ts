import type { FakeRequest } from "./fake-llm-server.js";

/**
 * Test judges for the loopback server. They read the judge prompt the way a model would have to: the
 * boundary marker is announced in the system message, and every section between `<marker> BEGIN X` and
 * `<marker> END X` lines is data. `outside` is everything else — the part a judge takes instructions from.
 */
export interface JudgePrompt {
  boundary: string;
  system: string;
  /** the first user message (the grading request; later turns are the correction retry) */
  user: string;
  /** fenced sections by label: CONVERSATION, REFERENCE, REPLY, REPLY A, REPLY B */
  sections: Record<string, string>;
  /** the system message and the unfenced lines of the user message */
  outside: string;
  /** this is the correction retry (the judge's earlier reply and a complaint follow the prompt) */
  retry: boolean;
}

/** Splits a judge prompt into fenced data and the instructions around it. */
export function readJudgePrompt(system: string, user: string, retry = false): JudgePrompt {
  const boundary = /boundary\s+marker\s+(@@DATA-[0-9a-f]+@@)/.exec(system)?.[1];
  if (!boundary) throw new Error(`no boundary marker announced in the judge's system message:\n${system}`);
  const sections: Record<string, string> = {};
  const outside: string[] = [];
  let open: { label: string; lines: string[] } | undefined;
  for (const line of user.split("\n")) {
    if (open) {
      if (line === `${boundary} END ${open.label}`) {
        sections[open.label] = open.lines.join("\n");
        open = undefined;
      } else open.lines.push(line);
      continue;
    }
    if (line.startsWith(`${boundary} BEGIN `)) open = { label: line.slice(`${boundary} BEGIN `.length), lines: [] };
    else outside.push(line);
  }
  if (open) throw new Error(`unterminated fenced section ${open.label}`);
  return { boundary, system, user, sections, outside: `${system}\n${outside.join("\n")}`, retry };
}

/** The judge prompt of a request that reached the fake server. */
export function judgePromptOf(request: FakeRequest): JudgePrompt {
  const first = request.messages.find((message) => message.role === "user")?.content ?? "";
  return readJudgePrompt(request.system ?? "", first, request.messages.length > 1);
}

/** An instruction to the grader, as a prompt-injection would phrase it. */
const scoreOrder = /give (?:it |this reply |the reply )?a score of (\d+(?:\.\d+)?)/i;

/**
 * A gullible judge: it obeys "give a score of N" anywhere it reads instructions — i.e. outside the
 * fenced data. Fenced text it grades on merit (`merit(reply)`). A prompt that let the candidate's
 * text escape the fence would get the injected score.
 */
export function obedientScore(prompt: JudgePrompt, merit: (reply: string) => number): number {
  const order = scoreOrder.exec(prompt.outside);
  if (order?.[1]) return Number(order[1]);
  return merit(prompt.sections.REPLY ?? "");
}
