// Where a proxied call would have gone, and what Helicone calls that provider: the worker's provider table
// (Helicone/helicone packages/cost/providers/mappings.ts, upstream patterns), its target-URL rules
// (worker/src/lib/clients/ProviderClient.ts `buildTargetUrl`, worker/src/routers/gatewayRouter.ts
// `getProviderFromTargetUrl`, worker/src/lib/models/HeliconeProxyRequest.ts `getApiBase`) and, for the AI
// gateway, a provider per model family (the registry itself is not emulated). Pure.

/** Helicone's provider table: the first pattern that matches the lower-cased URL names the provider. */
const PROVIDER_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/^https:\/\/(us\.)?api\.openai\.com(\/|$)/, 'OPENAI'],
  [/^https:\/\/api\.anthropic\.com/, 'ANTHROPIC'],
  [/^https:\/\/api\.llama\.com/, 'LLAMA'],
  [/^https:\/\/integrate\.api\.nvidia\.com/, 'NVIDIA'],
  [/^(https?:\/\/)?([^.]*\.)?(openai\.azure\.com|azure-api\.net|cognitiveservices\.azure\.com|services\.ai\.azure\.com)(\/.*)?$/, 'AZURE'],
  [/^https:\/\/api\.tokenfactory\.nebius\.com/, 'NEBIUS'],
  [/^http:\/\/127\.0\.0\.1:\d+\/v\d+\/?$/, 'LOCAL'],
  [/^https:\/\/oai\.hconeai\.com/, 'HELICONE'],
  [/^https:\/\/inference\.helicone\.ai/, 'HELICONE'],
  [/^https:\/\/.*\.amdbartek\.dev/, 'AMDBARTEK'],
  [/^https:\/\/api\.endpoints\.anyscale\.com/, 'ANYSCALE'],
  [/^https:\/\/gateway\.ai\.cloudflare\.com/, 'CLOUDFLARE'],
  [/^https:\/\/api\.x\.ai/, 'X'],
  [/^https:\/\/api\.2yfv\.com/, '2YFV'],
  [/^https:\/\/api\.together\.xyz/, 'TOGETHER'],
  [/^https:\/\/api\.lemonfox\.ai/, 'LEMONFOX'],
  [/^https:\/\/api\.fireworks\.ai/, 'FIREWORKS'],
  [/^https:\/\/api\.perplexity\.ai/, 'PERPLEXITY'],
  [/^https:\/\/(.*\.)?googleapis\.com/, 'GOOGLE'],
  [/^https:\/\/(api\.)?openrouter\.ai/, 'OPENROUTER'],
  [/^https:\/\/api\.wisdominanutshell\.academy/, 'WISDOMINANUTSHELL'],
  [/^https:\/\/api\.groq\.com/, 'GROQ'],
  [/^https:\/\/api\.cohere\.ai/, 'COHERE'],
  [/^https:\/\/api\.mistral\.ai/, 'MISTRAL'],
  [/^https:\/\/api\.deepinfra\.com/, 'DEEPINFRA'],
  [/^https:\/\/qstash\.upstash\.io/, 'QSTASH'],
  [/^https:\/\/api\.firecrawl\.dev/, 'FIRECRAWL'],
  [/^https:\/\/bedrock-runtime\.[a-z0-9-]+\.amazonaws\.com\/.*/, 'AWS'],
  [/^https:\/\/api\.deepseek\.com/, 'DEEPSEEK'],
  [/^https:\/\/api\.avian\.io/, 'AVIAN'],
  [/^https:\/\/api\.novita\.ai/, 'NOVITA'],
  [/^https:\/\/api\.openpipe\.ai/, 'OPENPIPE'],
  [/^https:\/\/(llm\.)?chutes\.com/, 'CHUTES'],
  [/^https:\/\/ai-gateway\.vercel\.sh/, 'VERCEL'],
  [/^https:\/\/api\.cerebras\.ai/, 'CEREBRAS'],
  [/^https:\/\/inference\.canopywave\.io/, 'CANOPYWAVE'],
]

/** Target URLs longer than this are not matched against the table (they name no listed provider anyway). */
const MAX_MATCHED_URL = 2048

/** The provider Helicone records for a target URL: the table's, else the lower-cased URL itself. */
export function providerOfTargetUrl(targetUrl: string): string {
  const lower = targetUrl.toLowerCase()
  if (lower.length > MAX_MATCHED_URL) return lower
  return PROVIDER_PATTERNS.find(([pattern]) => pattern.test(lower))?.[1] ?? lower
}

/** An api base the oai/anthropic proxy accepts: one on Helicone's list of approved provider hosts. */
export function isApprovedApiBase(apiBase: string): boolean {
  return apiBase.length <= MAX_MATCHED_URL && PROVIDER_PATTERNS.some(([pattern]) => pattern.test(apiBase))
}

export function isAzureApiBase(apiBase: string): boolean {
  return PROVIDER_PATTERNS.some(([pattern, name]) => name === 'AZURE' && pattern.test(apiBase))
}

/** The AI gateway's provider names (the registry's `ModelProviderName`s). */
export const AI_GATEWAY_PROVIDERS: readonly string[] = [
  'anthropic',
  'azure',
  'baseten',
  'bedrock',
  'canopywave',
  'cerebras',
  'chutes',
  'deepinfra',
  'deepseek',
  'fireworks',
  'google-ai-studio',
  'groq',
  'helicone',
  'mistral',
  'nebius',
  'novita',
  'openai',
  'openrouter',
  'perplexity',
  'vertex',
  'xai',
]

/** [emulator] A provider per model family, for models sent without `/<provider>`; anything else is `openai`. */
const FAMILIES: readonly (readonly [string, string])[] = [
  ['gpt-', 'openai'],
  ['chatgpt', 'openai'],
  ['o1', 'openai'],
  ['o3', 'openai'],
  ['o4', 'openai'],
  ['text-embedding', 'openai'],
  ['claude', 'anthropic'],
  ['gemini', 'google-ai-studio'],
  ['grok', 'xai'],
  ['mistral', 'mistral'],
  ['codestral', 'mistral'],
  ['deepseek', 'deepseek'],
  ['llama', 'groq'],
]

/** [emulator] Each provider's chat URL, for the row's `target_url`. */
const CHAT_URLS: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com/v1/chat/completions',
  anthropic: 'https://api.anthropic.com/v1/messages',
  'google-ai-studio': 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions',
  xai: 'https://api.x.ai/v1/chat/completions',
  mistral: 'https://api.mistral.ai/v1/chat/completions',
  deepseek: 'https://api.deepseek.com/chat/completions',
  groq: 'https://api.groq.com/openai/v1/chat/completions',
  openrouter: 'https://openrouter.ai/api/v1/chat/completions',
  perplexity: 'https://api.perplexity.ai/chat/completions',
  fireworks: 'https://api.fireworks.ai/inference/v1/chat/completions',
  cerebras: 'https://api.cerebras.ai/v1/chat/completions',
}

export type AiGatewayModel =
  | { ok: true; model: string; provider: string; targetUrl: string }
  | { ok: false; reason: 'no-provider'; model: string; provider: string }
  | { ok: false; reason: 'text'; message: string }

/**
 * The attempt the AI gateway makes for a `model` string (`gpt-4o`, `gpt-4o/openai`, `a,b/anthropic,!groq`):
 * the first entry that is not a `!provider` exclusion (each of which must name a provider); its provider as
 * given, or inferred from the family.
 */
export function aiGatewayModel(modelString: string): AiGatewayModel {
  const entries = modelString.split(',').map((m) => m.trim())
  for (const entry of entries) {
    if (!entry.startsWith('!')) continue
    const excluded = entry.slice(1)
    if (excluded === '') return { ok: false, reason: 'text', message: 'Invalid global ignore syntax. Use !provider (e.g., !openai)' }
    if (!AI_GATEWAY_PROVIDERS.includes(excluded)) {
      return {
        ok: false,
        reason: 'text',
        message: `Invalid provider in global ignore list: ${excluded}. See supported providers at https://helicone.ai/models`,
      }
    }
  }
  const first = entries.find((m) => m !== '' && !m.startsWith('!')) ?? ''
  const slash = first.indexOf('/')
  const model = slash === -1 ? first : first.slice(0, slash)
  const named = slash === -1 ? null : first.slice(slash + 1).toLowerCase()
  const lower = model.toLowerCase()
  const provider = named ?? FAMILIES.find(([prefix]) => lower.startsWith(prefix))?.[1] ?? 'openai'
  // A name with characters no header can carry (control characters) is in no registry: no provider serves it
  // (the answer names the model in `Helicone-Model`, which such a name could not be written to).
  if (model === '' || !AI_GATEWAY_PROVIDERS.includes(provider) || /[^\t\x20-\x7e\x80-\xff]/.test(model))
    return { ok: false, reason: 'no-provider', model, provider }
  return { ok: true, model, provider, targetUrl: CHAT_URLS[provider] ?? 'https://ai-gateway.helicone.ai/v1/chat/completions' }
}
