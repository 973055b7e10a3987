// Azure OpenAI (Cognitive Services / AI Foundry) host names: the account's name is the first label of
// the endpoint's host in every cloud. No imports: the language server uses this too.

const AZURE_AI_HOST = /^([a-z0-9][a-z0-9-]*)\.(openai\.azure\.(com|us|cn)|cognitiveservices\.azure\.(com|us|cn)|services\.ai\.azure\.(com|us|cn))$/i;

/** `https://contoso.openai.azure.com/...` → `contoso`; null for another host (a gateway, localhost). */
export function azureAccountName(endpoint: string): string | null {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return null;
  }
  return AZURE_AI_HOST.exec(host)?.[1]?.toLowerCase() ?? null;
}
