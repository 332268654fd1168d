import { onTestFinished } from "vitest";
import { type FakeServer, type FakeServerOptions, startFakeLlmServer } from "./fake-llm-server.js";

/** Start a fake LLM server that is closed when the current test finishes, passed or failed. */
export async function fakeServerForTest(options?: FakeServerOptions): Promise<FakeServer> {
  const server = await startFakeLlmServer(options);
  onTestFinished(() => server.close());
  return server;
}
