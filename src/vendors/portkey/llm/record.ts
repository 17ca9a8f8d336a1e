// A gateway call as the generation Portkey logs for it (the record `POST /v1/logs` also stores, so the
// feedback graphs count feedback on its trace). Pure: ids, times and counts come from the caller.
import type { SseEvent } from '../../../completions/index.ts'
import { costInCents } from '../../../pricing/prices.ts'
import type { ProviderChoice } from './provider.ts'
import type { CacheStatus } from './response.ts'
import type { GatewayTrace } from './trace.ts'
import type { Generation } from '../types.ts'

export type GatewayCall = {
  id: string
  trace: GatewayTrace
  createdAt: Date
  choice: ProviderChoice
  metadata: Record<string, string>
  apiKeyId: string
  workspaceSlug?: string | undefined
  cacheStatus: CacheStatus
}

export type CallOutcome = {
  statusCode: number
  promptTokens: number
  completionTokens: number
  latencyMs: number
  timeToFirstTokenMs?: number | undefined
  /** A cache hit costs nothing: the provider was not called [emulator]. */
  free?: boolean
}

export function gatewayGeneration(call: GatewayCall, outcome: CallOutcome): Generation {
  const { choice, trace } = call
  const model = choice.model === '' ? 'unknown' : choice.model
  const generation: Generation = {
    id: call.id,
    trace_id: trace.traceId,
    created_at: call.createdAt.toISOString(),
    provider: choice.provider,
    model,
    status_code: outcome.statusCode,
    prompt_tokens: outcome.promptTokens,
    completion_tokens: outcome.completionTokens,
    total_tokens: outcome.promptTokens + outcome.completionTokens,
    cost: outcome.free === true ? 0 : costInCents(model, outcome.promptTokens, outcome.completionTokens),
    latency_ms: Math.max(0, Math.round(outcome.latencyMs)),
    api_key_id: call.apiKeyId,
    cache_status: call.cacheStatus,
    metadata: call.metadata,
  }
  if (trace.spanId !== undefined) generation.span_id = trace.spanId
  if (trace.spanName !== undefined) generation.span_name = trace.spanName
  if (trace.parentSpanId !== undefined) generation.parent_span_id = trace.parentSpanId
  if (choice.virtualKey !== undefined) generation.virtual_key = choice.virtualKey
  if (choice.configSlug !== undefined) generation.config = choice.configSlug
  if (call.workspaceSlug !== undefined) generation.workspace_slug = call.workspaceSlug
  if (outcome.timeToFirstTokenMs !== undefined) generation.time_to_first_token_ms = Math.max(0, Math.round(outcome.timeToFirstTokenMs))
  return generation
}

/**
 * The generated text among the first `count` stream events (chat and legacy completion deltas, tool-call
 * argument fragments, Anthropic text and JSON deltas): what a client that went away had received.
 */
export function streamedText(events: readonly SseEvent[], count: number): string {
  const parts: string[] = []
  for (const event of events.slice(0, count)) {
    if (event.data === null || typeof event.data !== 'object') continue
    const data = event.data as { choices?: unknown; delta?: unknown }
    if (Array.isArray(data.choices)) {
      for (const choice of data.choices as { text?: unknown; delta?: { content?: unknown; tool_calls?: unknown } }[]) {
        if (typeof choice.text === 'string') parts.push(choice.text)
        if (typeof choice.delta?.content === 'string') parts.push(choice.delta.content)
        if (Array.isArray(choice.delta?.tool_calls)) {
          for (const call of choice.delta.tool_calls as { function?: { arguments?: unknown } }[]) {
            if (typeof call.function?.arguments === 'string') parts.push(call.function.arguments)
          }
        }
      }
    } else if (data.delta !== null && typeof data.delta === 'object') {
      const delta = data.delta as { text?: unknown; partial_json?: unknown }
      if (typeof delta.text === 'string') parts.push(delta.text)
      if (typeof delta.partial_json === 'string') parts.push(delta.partial_json)
    }
  }
  return parts.join('')
}
