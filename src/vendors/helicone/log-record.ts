// What the worker's manual-logging routes (`/custom/v1/log`, `/oai/v1/log`, …) make of a
// `HeliconeManualLogger` post: one request row.
import { invalidLogBody } from './errors.ts'
import { isParsableUuid } from './records.ts'
import { newRecord } from './service.ts'
import type { HeliconeRequestRecord } from './types.ts'

const PROVIDER_BY_ROUTE: Record<string, string> = { oai: 'OPENAI', anthropic: 'ANTHROPIC', googleapis: 'GOOGLE', custom: 'CUSTOM' }
const PROPERTY_PREFIX = 'helicone-property-'

type Json = Record<string, unknown>

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {}
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name]
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined
  return typeof value === 'string' ? value : undefined
}

function instant(value: unknown): number | null {
  const t = object(value)
  const seconds = t['seconds']
  const milliseconds = t['milliseconds']
  if (typeof seconds !== 'number' || typeof milliseconds !== 'number') return null
  return seconds * 1000 + milliseconds
}

/** Token counts from an OpenAI (`usage.prompt_tokens`), Anthropic (`usage.input_tokens`) or Google (`usageMetadata`) response. */
function tokens(response: Json): { prompt: number | null; completion: number | null } {
  const usage = object(response['usage'])
  const google = object(response['usageMetadata'])
  return {
    prompt: int(usage['prompt_tokens']) ?? int(usage['input_tokens']) ?? int(google['promptTokenCount']),
    completion: int(usage['completion_tokens']) ?? int(usage['output_tokens']) ?? int(google['candidatesTokenCount']),
  }
}

/** The row a log post becomes. `route` is the first path part (`custom`, `oai`, `anthropic`, `googleapis`). */
export function recordFromLog(route: string, body: Json, headers: Record<string, unknown>, nowMs: number): HeliconeRequestRecord {
  const providerRequest = object(body['providerRequest'])
  const providerResponse = object(body['providerResponse'])
  const timing = object(body['timing'])
  const requestJson = object(providerRequest['json'])
  const responseJson = object(providerResponse['json'])
  const start = instant(timing['startTime']) ?? nowMs
  const end = instant(timing['endTime']) ?? start
  // A time no date can hold (`seconds: 1e16`), or one past the four-digit years a stored date-time has
  // (so that /state can be seeded back), cannot be stored: the log body is refused as unreadable.
  for (const [name, ms] of [
    ['startTime', start],
    ['endTime', end],
  ] as const) {
    const year = new Date(ms).getUTCFullYear()
    if (!(year >= 0 && year <= 9999)) throw invalidLogBody(`Invalid log body: timing.${name} is not a time a date can hold`)
  }

  // Null prototype: a `Helicone-Property-__proto__` header is a property like any other.
  const properties = Object.create(null) as Record<string, string>
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase().startsWith(PROPERTY_PREFIX) && typeof value === 'string')
      properties[name.slice(PROPERTY_PREFIX.length).toLowerCase()] = value
  }
  const requestId = header(headers, 'helicone-request-id')
  const model = requestJson['model'] ?? responseJson['model']
  const { prompt, completion } = tokens(responseJson)
  const textBody = providerResponse['textBody']
  const provider =
    typeof body['provider'] === 'string' && route === 'custom' ? body['provider'].toUpperCase() : (PROVIDER_BY_ROUTE[route] ?? 'CUSTOM')
  const status = providerResponse['status']

  return newRecord({
    ...(requestId !== undefined && isParsableUuid(requestId) ? { request_id: requestId.toLowerCase() } : {}),
    request_created_at: new Date(start).toISOString(),
    response_created_at: new Date(end).toISOString(),
    model: typeof model === 'string' ? model : '',
    provider,
    user_id: header(headers, 'helicone-user-id') ?? '',
    status: typeof status === 'number' ? Math.round(status) : 200,
    latency: Math.max(0, Math.round(end - start)),
    time_to_first_token: int(timing['timeToFirstToken']),
    prompt_tokens: prompt,
    completion_tokens: completion,
    target_url: typeof providerRequest['url'] === 'string' ? providerRequest['url'] : null,
    properties,
    request_body: providerRequest['json'] ?? '',
    response_body: typeof textBody === 'string' && Object.keys(responseJson).length === 0 ? textBody : (providerResponse['json'] ?? ''),
  })
}
