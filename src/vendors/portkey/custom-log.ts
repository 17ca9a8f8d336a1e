import { costInCents } from '../../pricing/prices.ts'
import type { CustomLog, Generation } from './types.ts'

/** Known provider hosts → Portkey provider names. Checked in order; `*.` patterns match any subdomain. */
const PROVIDER_HOSTS: readonly [RegExp, string][] = [
  [/^api\.openai\.com$/, 'openai'],
  [/\.openai\.azure\.com$/, 'azure-openai'],
  [/^api\.anthropic\.com$/, 'anthropic'],
  [/^generativelanguage\.googleapis\.com$/, 'google'],
  [/aiplatform\.googleapis\.com$/, 'vertex-ai'],
  [/^bedrock-runtime\.[^.]+\.amazonaws\.com$/, 'bedrock'],
  [/^api\.mistral\.ai$/, 'mistral-ai'],
  [/^api\.groq\.com$/, 'groq'],
  [/^api\.cohere\.(ai|com)$/, 'cohere'],
  [/^api\.together\.(xyz|ai)$/, 'together-ai'],
  [/^api\.deepseek\.com$/, 'deepseek'],
  [/^api\.fireworks\.ai$/, 'fireworks-ai'],
  [/^api\.perplexity\.ai$/, 'perplexity-ai'],
  [/^api\.x\.ai$/, 'x-ai'],
  [/^openrouter\.ai$/, 'openrouter'],
]

/** The provider of a request URL: a known host's name, else the host's second-level label, else `unknown`. */
export function providerFromUrl(url: string): string {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return 'unknown'
  }
  for (const [pattern, name] of PROVIDER_HOSTS) if (pattern.test(host)) return name
  const labels = host.split('.').filter((l) => l !== '')
  if (labels.length >= 2) return labels[labels.length - 2]!
  return labels[0] ?? 'unknown'
}

export type DeriveContext = {
  id: string
  /** Used when the log's metadata has no `trace_id`. */
  newTraceId: string
  now: Date
  apiKeyId: string
  workspaceSlug?: string | undefined
}

const TRACE_FIELDS = new Set(['trace_id', 'span_id', 'span_name'])

/** A custom log (`POST /v1/logs`) as the generation it becomes. Pure: ids and time come from `ctx`. */
export function deriveGeneration(log: CustomLog, ctx: DeriveContext): Generation {
  const requestBody = asRecord(log.request.body)
  const responseBody = asRecord(log.response.body)
  const model = stringOr(requestBody['model'], stringOr(responseBody['model'], 'unknown'))
  const provider =
    log.request.provider !== undefined && log.request.provider !== '' ? log.request.provider : providerFromUrl(log.request.url)

  const usage = asRecord(responseBody['usage'])
  const promptTokens = count(usage['prompt_tokens'] ?? usage['input_tokens'])
  const completionTokens = count(usage['completion_tokens'] ?? usage['output_tokens'])
  const totalTokens = usage['total_tokens'] === undefined ? promptTokens + completionTokens : count(usage['total_tokens'])

  const metadataIn = log.metadata ?? {}
  // Null prototype: a metadata key named `__proto__` is stored like any other.
  const metadata = Object.create(null) as Record<string, string>
  for (const [key, value] of Object.entries(metadataIn)) {
    if (TRACE_FIELDS.has(key) || value === undefined || value === null) continue
    metadata[key] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  const headers = lowerCaseKeys(log.request.headers ?? {})
  const latency = log.response.response_time ?? log.response.time

  const generation: Generation = {
    id: ctx.id,
    trace_id: nonEmpty(metadataIn.trace_id) ?? ctx.newTraceId,
    created_at: ctx.now.toISOString(),
    provider,
    model,
    status_code: log.response.status ?? 200,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: totalTokens,
    cost: costInCents(model, promptTokens, completionTokens),
    api_key_id: ctx.apiKeyId,
    metadata,
  }
  const spanId = nonEmpty(metadataIn.span_id)
  if (spanId !== undefined) generation.span_id = spanId
  const spanName = nonEmpty(metadataIn.span_name)
  if (spanName !== undefined) generation.span_name = spanName
  if (latency !== undefined && latency >= 0) generation.latency_ms = latency
  const virtualKey = nonEmpty(headers['x-portkey-virtual-key'])
  if (virtualKey !== undefined) generation.virtual_key = virtualKey
  // A config slug (`pc-…`); an inline JSON config has no slug to filter on.
  const config = nonEmpty(headers['x-portkey-config'])
  if (config !== undefined && !config.trimStart().startsWith('{')) generation.config = config
  if (ctx.workspaceSlug !== undefined) generation.workspace_slug = ctx.workspaceSlug
  return generation
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A token count: a non-negative integer, else 0. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}
