// What a call through the proxy or the AI gateway becomes in `request_response_rmt`: the worker's log
// message (Helicone/helicone worker/src/lib/dbLogger/DBLoggable.ts) as jawn maps it
// (valhalla/jawn/src/lib/handlers/LoggingHandler.ts `mapRequestResponseVersionedCH`,
// ResponseBodyHandler.ts, utils/modelMapper.ts `calculateModel`). Pure.
import { costInUsd } from '../../../pricing/prices.ts'
import { ZERO_UUID } from '../records.ts'
import { newRecord } from '../service.ts'
import type { HeliconeRequestRecord } from '../types.ts'

export type TokenCounts = { prompt: number; completion: number }

export type CallLog = {
  requestId: string
  /** When the call arrived (the emulator's clock), in ms. */
  startedAtMs: number
  /** Until the body was answered or the stream ended. */
  latencyMs: number
  /** Streams: until the first event; 0 otherwise (jawn writes `timeToFirstToken ?? 0`). */
  timeToFirstTokenMs: number
  /** The provider's status, or the worker's negative codes for streams cut short (-3: the client left). */
  status: number
  provider: string
  requestModel: string | null
  responseModel: string | null
  /** AI gateway: the model part of `<model>/<provider>`, which wins over everything else. */
  gatewayModel?: string | undefined
  modelOverride: string | null
  userId: string
  properties: Record<string, string>
  targetUrl: string
  /** The answer's usage; null when it had none (an error, an OpenAI stream without a usage chunk). */
  usage: TokenCounts | null
  /** Served from the cache: the row's tokens are 0, its cost still priced from the stored usage. */
  cacheReferenceId: string
  cacheEnabled: boolean
  requestBody: unknown
  responseBody: unknown
  omitRequest: boolean
  omitResponse: boolean
  requestReferrer: string
  passthroughBilling: boolean
}

/** Token counts from an answer's `usage` (OpenAI `prompt_tokens`, Anthropic `input_tokens`), or null. */
export function usageOfBody(body: unknown): TokenCounts | null {
  if (body === null || typeof body !== 'object') return null
  const usage = (body as Record<string, unknown>)['usage']
  if (usage === null || typeof usage !== 'object') return null
  const u = usage as Record<string, unknown>
  const count = (...values: unknown[]) => {
    const found = values.find((v) => typeof v === 'number' && Number.isFinite(v))
    return found === undefined ? null : Math.max(0, Math.round(found as number))
  }
  const prompt = count(u['prompt_tokens'], u['input_tokens'])
  const completion = count(u['completion_tokens'], u['output_tokens'])
  return prompt === null && completion === null ? null : { prompt: prompt ?? 0, completion: completion ?? 0 }
}

/** The answer's `model`, if it names one. */
export function modelOfBody(body: unknown): string | null {
  if (body === null || typeof body !== 'object') return null
  const model = (body as Record<string, unknown>)['model']
  return typeof model === 'string' && model !== '' ? model : null
}

/** The row a call is logged as. */
export function recordFromCall(call: CallLog): HeliconeRequestRecord {
  const model = call.gatewayModel ?? (call.modelOverride || call.responseModel || call.requestModel || '')
  const priced = call.usage ?? { prompt: 0, completion: 0 }
  const cacheHit = call.cacheReferenceId !== ZERO_UUID
  const stored = cacheHit ? { prompt: 0, completion: 0 } : priced
  return newRecord({
    request_id: call.requestId.toLowerCase(),
    request_created_at: new Date(call.startedAtMs).toISOString(),
    response_created_at: new Date(call.startedAtMs + call.latencyMs).toISOString(),
    model,
    provider: call.provider,
    user_id: call.userId,
    status: call.status,
    latency: Math.max(0, Math.round(call.latencyMs)),
    time_to_first_token: Math.max(0, Math.round(call.timeToFirstTokenMs)),
    cost: costInUsd(model, priced.prompt, priced.completion),
    prompt_tokens: stored.prompt,
    completion_tokens: stored.completion,
    target_url: call.targetUrl,
    cache_enabled: call.cacheEnabled,
    cache_reference_id: call.cacheReferenceId,
    // Own data properties, whatever the names (a property may be called `__proto__`).
    properties: Object.fromEntries(Object.entries(call.properties)),
    request_body: call.omitRequest ? { model: call.requestModel ?? '' } : call.requestBody,
    response_body: call.omitResponse ? { model: call.responseModel ?? model } : call.responseBody,
    request_referrer: call.requestReferrer,
    is_passthrough_billing: call.passthroughBilling,
  })
}
