/**
 * A candidate that speaks OpenAI Chat Completions (openai, openai-compatible, or any gateway in front of
 * another provider): the copy is the client's body with the candidate's model, params and prompt
 * (candidate-request.ts), sent with the candidate's own headers; the answer is read from its bytes.
 */
import type { Dispatcher } from "undici";
import { requestedRetryAfterMs } from "../providers/errors.js";
import type { JsonObject, VariantSpec } from "../types.js";
import type { CandidateClient, CandidateReply } from "./candidate-copier.js";
import { candidateBody } from "./candidate-request.js";
import { readCompletion } from "./read-completion.js";

export interface OpenAIWireEndpoint {
  /** `http://host:port` */
  origin: string;
  /** `/v1/chat/completions` */
  path: string;
  /** the candidate's own key and variant headers; never the client's */
  headers: Record<string, string>;
}

export function openAIWireClient(endpoint: OpenAIWireEndpoint, variant: VariantSpec, agent: Dispatcher, maxResponseBytes: number): CandidateClient {
  return {
    model: variant.model,
    async call(request: JsonObject, signal: AbortSignal): Promise<CandidateReply> {
      const body = JSON.stringify(candidateBody(request, variant));
      const started = performance.now();
      const response = await agent.request({
        origin: endpoint.origin,
        path: endpoint.path,
        method: "POST",
        headers: { ...endpoint.headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
        body,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let ttft: number | undefined;
      let truncated = false;
      for await (const chunk of response.body) {
        ttft ??= performance.now() - started;
        size += (chunk as Buffer).length;
        if (size > maxResponseBytes) {
          truncated = true;
          response.body.destroy();
          break;
        }
        chunks.push(chunk as Buffer);
      }
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const contentType = header("content-type");
      const answer = readCompletion({
        status: response.statusCode,
        contentType,
        contentEncoding: header("content-encoding"),
        body: Buffer.concat(chunks),
        truncated,
      });
      const streamed = contentType?.includes("text/event-stream") === true;
      const retryAfterMs = response.statusCode === 429 ? requestedRetryAfterMs(response.headers) : undefined;
      return {
        answer,
        status: response.statusCode,
        ...(streamed && ttft !== undefined ? { ttftMs: ttft } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    },
    close: () => agent.close(),
  };
}
