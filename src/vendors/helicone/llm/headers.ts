// The `Helicone-*` request headers of a proxied call, read as the worker reads them (Helicone/helicone
// worker/src/lib/models/HeliconeHeaders.ts `getHeliconeHeaders`, `getHeliconeProperties`, `getValidUUID`;
// worker/src/lib/util/cache/cacheSettings.ts; worker/src/lib/RequestWrapper.ts prompt settings). Pure.
import { randomUUID } from 'node:crypto'

/** A header the worker itself throws on while reading the request (answered by its error handler, 500). */
export class WorkerHeaderError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WorkerHeaderError'
  }
}

export type CacheSettings = {
  /** `Helicone-Cache-Enabled` is exactly `true` (the column `cache_enabled` and the property). */
  enabled: boolean
  shouldSave: boolean
  shouldRead: boolean
  /** `Helicone-Cache-Bucket-Max-Size` (default 1); over 20 the worker refuses the call. */
  bucketSize: number
  seed: string | null
  ignoreKeys: string[]
  /** How long an entry lives, in seconds (`Cache-Control` max-age / s-maxage; default 7 days, at most 365). */
  maxAgeSeconds: number
}

export type HeliconeHeaders = {
  /** `Helicone-Request-Id` when it is a UUID of version 1–5 (kept as sent), else a fresh UUIDv4. */
  requestId: string
  userId: string | null
  properties: Record<string, string>
  cache: CacheSettings
  modelOverride: string | null
  omitRequest: boolean
  omitResponse: boolean
  streamUsage: boolean
  targetUrl: string | null
  openAiApiBase: string | null
  /** `__helicone-mock-response` (a non-empty value). */
  mockResponse: string | null
}

export const MAX_CACHE_BUCKET_SIZE = 20
const DEFAULT_CACHE_AGE = 60 * 60 * 24 * 7
const MAX_CACHE_AGE = 60 * 60 * 24 * 365
const PROPERTY_PREFIX = 'helicone-property-'
const VERSION_1_TO_5 = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/** One header's value as the Fetch API's `Headers.get` gives it (repeated headers joined by `, `). */
export function headerValue(headers: Record<string, unknown>, name: string): string | null {
  const value = headers[name.toLowerCase()]
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(', ')
  return typeof value === 'string' ? value : null
}

/** The worker's `getValidUUID`: the sent id when it is a UUID of version 1–5, else a new random one. */
export function validRequestId(sent: string | null): string {
  return sent !== null && VERSION_1_TO_5.test(sent) ? sent : randomUUID()
}

/** `parseInt` as the worker applies it to a header (NaN when it does not start with a number). */
function parseIntHeader(value: string | null): number | null {
  return value === null || value === '' ? null : Number.parseInt(value, 10)
}

/** `Cache-Control` → seconds, as `buildCacheControl` does (s-maxage first, then max-age). */
function maxAgeOf(cacheControl: string): number {
  const sMaxAge = /s-maxage=(\d+)/.exec(cacheControl)?.[1]
  const maxAge = /max-age=(\d+)/.exec(cacheControl)?.[1]
  const seconds = sMaxAge ?? maxAge
  if (seconds === undefined) return DEFAULT_CACHE_AGE
  const parsed = Number.parseInt(seconds, 10)
  return parsed > MAX_CACHE_AGE ? MAX_CACHE_AGE : parsed
}

/** `Helicone-Cache-Ignore-Keys: "a","b"` is read as the JSON array `["a","b"]` (anything else throws, as in the worker). */
function ignoreKeysOf(value: string | null): string[] {
  if (value === null || value === '') return []
  let parsed: unknown
  try {
    parsed = JSON.parse(`[${value}]`)
  } catch (error) {
    throw new WorkerHeaderError((error as Error).message)
  }
  return (parsed as unknown[]).filter((k): k is string => typeof k === 'string')
}

function cacheSettingsOf(headers: Record<string, unknown>): CacheSettings {
  const flag = (name: string) => (headerValue(headers, name) ?? '').toLowerCase() === 'true'
  const enabledLoose = flag('helicone-cache-enabled')
  const bucket = parseIntHeader(headerValue(headers, 'helicone-cache-bucket-max-size'))
  return {
    enabled: headerValue(headers, 'helicone-cache-enabled') === 'true',
    shouldSave: enabledLoose || flag('helicone-cache-save'),
    shouldRead: enabledLoose || flag('helicone-cache-read'),
    bucketSize: bucket === null ? 1 : bucket,
    seed: headerValue(headers, 'helicone-cache-seed'),
    ignoreKeys: ignoreKeysOf(headerValue(headers, 'helicone-cache-ignore-keys')),
    maxAgeSeconds: maxAgeOf(headerValue(headers, 'cache-control') ?? ''),
  }
}

/**
 * The properties the row gets: every `Helicone-Property-<Name>` under its lower-case name (Node lower-cases
 * header names as the worker's `Headers` does), then the keys the worker adds under capitalised names.
 */
function propertiesOf(headers: Record<string, unknown>): Record<string, string> {
  const properties: Record<string, string> = Object.create(null) as Record<string, string>
  for (const name of Object.keys(headers)) {
    if (name.startsWith(PROPERTY_PREFIX) && name.length > PROPERTY_PREFIX.length) {
      properties[name.slice(PROPERTY_PREFIX.length)] = headerValue(headers, name) ?? ''
    }
  }
  const set = (key: string, value: string | null) => {
    if (value !== null && value !== '') properties[key] = value
  }
  set('stripe_customer_id', headerValue(headers, 'x-stripe-customer-id'))
  if (headerValue(headers, 'helicone-posthog-key')) properties['Helicone-Sent-To-Posthog'] = 'true'
  set('Helicone-Prompt-Id', headerValue(headers, 'helicone-prompt-id'))
  set('Helicone-Session-Name', headerValue(headers, 'helicone-session-name'))
  set('Helicone-Session-Id', headerValue(headers, 'helicone-session-id'))
  set('Helicone-Session-Path', headerValue(headers, 'helicone-session-path'))
  set('Helicone-Experiment-Id', headerValue(headers, 'helicone-experiment-id'))
  if (headerValue(headers, 'helicone-cache-enabled') === 'true') properties['Helicone-Cache-Enabled'] = 'true'
  // parseInt, then only when truthy (a seed of 0 or one that is not a number is left out), as the worker does.
  const seed = parseIntHeader(headerValue(headers, 'helicone-cache-seed'))
  if (seed) properties['Helicone-Cache-Seed'] = String(seed)
  const bucket = parseIntHeader(headerValue(headers, 'helicone-cache-bucket-max-size'))
  if (bucket) properties['Helicone-Cache-Bucket-Max-Size'] = String(bucket)
  set('Helicone-Cache-Control', headerValue(headers, 'helicone-cache-control'))
  return properties
}

const PROMPT_MODES = ['production', 'testing', 'deactivated']

/** Reads the headers; throws `WorkerHeaderError` where the worker's request reading throws. */
export function readHeliconeHeaders(headers: Record<string, unknown>): HeliconeHeaders {
  const promptMode = headerValue(headers, 'helicone-prompt-mode')
  if (promptMode !== null && promptMode !== '' && !PROMPT_MODES.includes(promptMode)) throw new WorkerHeaderError('Invalid prompt mode')
  const mock = headerValue(headers, '__helicone-mock-response')
  return {
    requestId: validRequestId(headerValue(headers, 'helicone-request-id')),
    userId: headerValue(headers, 'helicone-user-id') || null,
    properties: propertiesOf(headers),
    cache: cacheSettingsOf(headers),
    modelOverride: headerValue(headers, 'helicone-model-override') || null,
    omitRequest: headerValue(headers, 'helicone-omit-request') === 'true',
    omitResponse: headerValue(headers, 'helicone-omit-response') === 'true',
    streamUsage: headerValue(headers, 'helicone-stream-usage') === 'true',
    targetUrl: headerValue(headers, 'helicone-target-url') || null,
    openAiApiBase: headerValue(headers, 'helicone-openai-api-base') || null,
    mockResponse: mock === null || mock === '' ? null : mock,
  }
}
