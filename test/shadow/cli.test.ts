import { writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { expect, onTestFinished, test } from "vitest";
import { runModelgate } from "../support/run-cli.js";
import { spawnModelgate } from "../support/spawn-cli.js";
import { tempFolderForTest } from "../support/temp-folder.js";
import { startChatServer } from "./support/chat-server.js";
import { readLines } from "./support/start-proxy.js";

async function servers(options: Parameters<typeof startChatServer>[0][] = [{}, {}]) {
  const [baseline, candidate] = await Promise.all(options.map((o) => startChatServer(o)));
  onTestFinished(async () => {
    await baseline?.close();
    await candidate?.close();
  });
  return { baseline: baseline as Awaited<ReturnType<typeof startChatServer>>, candidate: candidate as Awaited<ReturnType<typeof startChatServer>> };
}

test("SIGTERM mid-stream: the stream finishes, the copy gets its grace, the log is flushed, exit 0", async () => {
  const { baseline, candidate } = await servers([{ text: () => "y".repeat(80), chunkDelayMs: 40 }, { latencyMs: 300 }]);
  const dir = tempFolderForTest("modelgate-shadow-cli-");
  writeFileSync(
    join(dir, "modelgate.config.yaml"),
    `variants:\n  cand: { provider: openai-compatible, base_url: "${candidate.baseUrl}", model: cand-2025-01-01, api_key_env: CAND_KEY }\n`,
  );
  const child = spawnModelgate(
    [
      "shadow",
      "--listen",
      "127.0.0.1:0",
      "--baseline",
      `openai-compatible:base-2024-01-01`,
      "--candidate",
      "cand",
      "--log",
      "log",
      "--grace",
      "5000",
    ],
    { cwd: dir, env: { CAND_KEY: "sk-cand-0123456789abcdefgh", OPENAI_BASE_URL: baseline.baseUrl } },
  );
  onTestFinished(() => child.kill("SIGKILL"));
  await expect.poll(() => /listening on (http:\/\/\S+)/.exec(child.stderrSoFar())?.[1], { timeout: 20_000 }).toBeTruthy();
  const baseURL = /listening on (http:\/\/\S+)/.exec(child.stderrSoFar())?.[1] as string;
  const openai = new OpenAI({ apiKey: "sk-client-0123456789abcdef", baseURL, maxRetries: 0 });
  const stream = await openai.chat.completions.create({ model: "base-2024-01-01", messages: [{ role: "user", content: "hi" }], stream: true });
  let text = "";
  let signalled = false;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    if (!signalled && text.length > 0) {
      signalled = true;
      child.kill("SIGTERM");
    }
  }
  expect(text).toBe("y".repeat(80));
  const exit = await child.exited;
  expect(exit.stderr).toContain("stopped: 1 requests served, 1 copies sent, 1 traffic lines written");
  expect(exit.exitCode).toBe(0);
  const lines = readLines(join(dir, "log"));
  expect(lines).toHaveLength(1);
  expect(lines[0]?.arms.baseline).toMatchObject({ served: true, output: "y".repeat(80), error: null });
  expect(lines[0]?.arms.candidate).toMatchObject({ served: false, output: "reply from cand-2025-01-01", error: null });
}, 40_000);

test.each([
  { flag: ["--sample", "2"], message: "--sample expects a fraction from 0 to 1" },
  { flag: ["--sample-key", "cookie:x"], message: "--sample-key expects header:<name>" },
  { flag: ["--listen", "nowhere"], message: "--listen expects host:port" },
  { flag: ["--max-in-flight", "0"], message: "--max-in-flight expects an integer from 1" },
])("a bad $flag is a usage error (exit 2)", async ({ flag, message }) => {
  const dir = tempFolderForTest("modelgate-shadow-cli-");
  const args = [
    "shadow",
    "--listen",
    "127.0.0.1:0",
    "--baseline",
    "openai:gpt-4o-2024-08-06",
    "--candidate",
    "openai:gpt-4o-2024-11-20",
    "--log",
    "log",
  ];
  const result = await runModelgate([...args, ...flag], { cwd: dir, env: { OPENAI_API_KEY: "sk-test-0123456789abcdef" } });
  expect(result.stderr).toContain(message);
  expect(result.exitCode).toBe(2);
});

test("a candidate whose key is not in the environment is an error before listening (exit 2)", async () => {
  const dir = tempFolderForTest("modelgate-shadow-cli-");
  const args = [
    "shadow",
    "--listen",
    "127.0.0.1:0",
    "--baseline",
    "openai:gpt-4o-2024-08-06",
    "--candidate",
    "openai:gpt-4o-2024-11-20",
    "--log",
    "log",
  ];
  const result = await runModelgate(args, { cwd: dir, env: {} });
  expect(result.stderr).toContain("missing API key for the candidate");
  expect(result.exitCode).toBe(2);
});

test("an anthropic baseline is refused with what to use instead (exit 2): the served path relays Chat Completions bytes", async () => {
  const dir = tempFolderForTest("modelgate-shadow-cli-");
  const args = ["shadow", "--listen", "127.0.0.1:0", "--baseline", "anthropic:claude-base", "--candidate", "anthropic:claude-cand", "--log", "log"];
  const result = await runModelgate(args, { cwd: dir, env: { ANTHROPIC_API_KEY: "sk-ant-test-0123456789abcdef" } });
  expect(result.stderr).toContain("--baseline");
  expect(result.stderr).toContain("openai-compatible");
  expect(result.stderr).toContain("an anthropic candidate is fine");
  expect(result.exitCode).toBe(2);
});
