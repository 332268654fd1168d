import { sdkErrorClassifier } from "./errors.js";
import { chatCompletionsProvider } from "./openai.js";
import type { Provider, ProviderEnvironment } from "./types.js";

/** The api-version sent when neither the variant nor OPENAI_API_VERSION names one (the latest GA at writing). */
export const defaultAzureApiVersion = "2024-10-21";

/**
 * Azure OpenAI through the official client's `AzureOpenAI`: `{endpoint}/openai/deployments/{deployment}/
 * chat/completions?api-version=…`, authenticated by an `api-key` header, or by a Microsoft Entra bearer
 * token from the environment when no key is set. Everything else is Chat Completions (src/providers/openai.ts).
 */
export async function createAzureProvider(model: string, environment: ProviderEnvironment): Promise<Provider> {
  const sdk = await import("openai");
  const azure = environment.azure;
  const token = azure?.bearerToken;
  const client = new sdk.AzureOpenAI({
    // null, not undefined: undefined lets the client read OPENAI_BASE_URL / AZURE_OPENAI_API_KEY from
    // process.env, and the run's environment is the only source of keys and endpoints.
    baseURL: null as unknown as undefined,
    endpoint: environment.baseURL,
    deployment: azure?.deployment ?? model,
    apiVersion: azure?.apiVersion ?? defaultAzureApiVersion,
    ...(token ? { azureADTokenProvider: async () => token, apiKey: null as unknown as undefined } : { apiKey: environment.apiKey }),
    maxRetries: 0, // the runner owns retries
    timeout: environment.timeoutMs,
    ...(environment.fetch ? { fetch: environment.fetch } : {}),
    ...(environment.headers ? { defaultHeaders: environment.headers } : {}),
  });
  return chatCompletionsProvider(client, model, sdkErrorClassifier(sdk));
}
