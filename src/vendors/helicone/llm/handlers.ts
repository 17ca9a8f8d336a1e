// The worker's LLM routes: the proxy (`/oai`, `/anthropic`, `/gateway`) and the AI gateway (`/ai-gateway`).
// Each call runs the worker's steps in its order (Helicone/helicone worker/src/lib/HeliconeProxyRequest/
// ProxyForwarder.ts, ProxyRequestHandler.ts, worker/src/lib/clients/ProviderClient.ts,
// worker/src/lib/ai-gateway/SimpleAIGateway.ts): read the Helicone headers, resolve the upstream, the cache,
// then `__helicone-mock-response` or the provider (here the completion engine, with the provider's own
// checks), and log the call as one request row — before answering, or for a stream before its last byte,
// so a score sent right after the call finds it.
import { performance } from 'node:perf_hooks'
import type { Response } from 'express'
import { CompletionRequestError, formatSseEvent, writeSse, type Completion, type SseEvent } from '../../../completions/index.ts'
import type { Grant, JsonReply, OperationHandler, OperationInput, Reply, StreamReply, VendorContext } from '../../vendor.ts'
import { proxyLogGrant } from '../auth.ts'
import { AI_GATEWAY_MISSING_MODEL, AI_GATEWAY_MODEL_NOT_STRING, PLAIN_TEXT_TYPE, workerError } from '../errors.ts'
import { MAX_CACHE_BUCKET_SIZE, readHeliconeHeaders, WorkerHeaderError, type HeliconeHeaders } from './headers.ts'
import { modelOfBody, recordFromCall, usageOfBody, type CallLog, type TokenCounts } from './record.ts'
import { LLM_ROUTES, pathAfterMount, type LlmRoute } from './routes.ts'
import {
  aiGatewayBodyProblem,
  anthropicError,
  invalidBodyError,
  openAiError,
  providerAuthError,
  type ProviderError,
} from './provider-errors.ts'
import { ZERO_UUID } from '../records.ts'
import { cacheKeyBase, readCache, saveToCache } from './cache.ts'
import type { HeliconeService } from '../service.ts'
import { aiGatewayModel, isApprovedApiBase, isAzureApiBase, providerOfTargetUrl } from './upstream.ts'

type Json = Record<string, unknown>

const JSON_TYPE = 'application/json'
const SSE_TYPE = 'text/event-stream; charset=utf-8'
const AI_GATEWAY_DOCS = 'https://docs.helicone.ai/rest/ai-gateway/post-v1-chat-completions'

/** Where the call goes and what the row calls the provider. */
type Upstream = { provider: string; targetUrl: string; gatewayModel?: string }

/** Everything a call's row needs that is known before the answer. */
type CallContext = {
  route: LlmRoute
  input: OperationInput
  helicone: HeliconeHeaders
  /** The organization the row is logged under; null: not logged (the proxy's missing or invalid key). */
  logGrant: Grant | null
  upstream: Upstream
  /** The body as forwarded (the worker's overrides applied). */
  body: unknown
  isStream: boolean
  startedAtMs: number
  t0: number
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A body written as it is (mock and cached answers, plain-text errors): not re-serialised, not checked. */
function rawReply(
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
  beforeSend?: () => Promise<void>,
): StreamReply {
  return {
    status,
    headers: { ...headers, 'content-type': contentType },
    async write(res: Response) {
      if (beforeSend !== undefined) await beforeSend()
      res.end(text)
    },
  }
}

function textReply(status: number, text: string): StreamReply {
  return rawReply(status, PLAIN_TEXT_TYPE, text)
}

/** Token counts from a stream's data objects: OpenAI's usage chunk; Anthropic's `message_start` and last `message_delta`. */
export function usageOfStream(data: readonly unknown[]): TokenCounts | null {
  let found: TokenCounts | null = null
  let anthropicInput: number | null = null
  let anthropicOutput: number | null = null
  for (const item of data) {
    if (!isObject(item)) continue
    if (item['type'] === 'message_start' && isObject(item['message'])) {
      const usage = usageOfBody(item['message'])
      if (usage !== null) {
        anthropicInput = usage.prompt
        anthropicOutput = usage.completion
      }
    } else if (item['type'] === 'message_delta' && isObject(item['usage'])) {
      const output = item['usage']['output_tokens']
      if (typeof output === 'number') anthropicOutput = output
    } else {
      found = usageOfBody(item) ?? found
    }
  }
  if (anthropicInput !== null || anthropicOutput !== null) return { prompt: anthropicInput ?? 0, completion: anthropicOutput ?? 0 }
  return found
}

/** The data objects of an SSE text (a cached stream). */
function sseData(text: string): unknown[] {
  const out: unknown[] = []
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ')) continue
    try {
      out.push(JSON.parse(line.slice(6)))
    } catch {
      // `[DONE]`
    }
  }
  return out
}

/** The first `model` a stream's data names. */
function modelOfStream(data: readonly unknown[]): string | null {
  for (const item of data) {
    const model = modelOfBody(item) ?? (isObject(item) ? modelOfBody(item['message']) : null)
    if (model !== null) return model
  }
  return null
}

export function createLlmHandlers(ctx: VendorContext, service: HeliconeService): Record<string, OperationHandler> {
  const handlers: Record<string, OperationHandler> = {}
  for (const [operationId, route] of Object.entries(LLM_ROUTES)) handlers[operationId] = (input) => handle(route, input)
  return handlers

  async function handle(route: LlmRoute, input: OperationInput): Promise<Reply> {
    const t0 = performance.now()
    const startedAtMs = ctx.options.now().getTime()
    let helicone: HeliconeHeaders
    try {
      helicone = readHeliconeHeaders(input.headers)
    } catch (error) {
      if (error instanceof WorkerHeaderError) throw workerError(error.message)
      throw error
    }
    const gateway = route.mount === 'ai-gateway'
    const logGrant = gateway ? input.grant : proxyLogGrant(input.headers, ctx.keys)
    const search = input.req.originalUrl.includes('?') ? input.req.originalUrl.slice(input.req.originalUrl.indexOf('?')) : ''
    const path = pathAfterMount(input.req.path, route.mount) + search

    const prepared = gateway
      ? await aiGatewayUpstream(route, input, helicone, logGrant, path, startedAtMs, t0)
      : proxyUpstream(route, input, helicone, path)
    if ('reply' in prepared) return prepared.reply
    const { upstream, body } = prepared
    const call = context(route, input, helicone, logGrant, upstream, body, startedAtMs, t0)

    const cache = helicone.cache
    if (cache.bucketSize > MAX_CACHE_BUCKET_SIZE) return textReply(500, `Cache bucket size cannot be greater than ${MAX_CACHE_BUCKET_SIZE}`)
    const cacheBase = cache.shouldRead || cache.shouldSave ? cacheKeyBase(input.req.originalUrl, body, input.headers, cache) : null
    if (cache.shouldRead && logGrant !== null && cacheBase !== null) {
      const scope = service.cacheScope(logGrant)
      const found = scope === undefined ? null : readCache(scope, cacheBase, cache, ctx.options.now().getTime())
      if (found !== null) return cacheHit(call, found.hit, found.bucketIndex)
    }
    const save = (status: number, contentType: string, text: string) => {
      if (!cache.shouldSave || logGrant === null || cacheBase === null || status < 200 || status >= 300) return
      const scope = service.cacheScope(logGrant)
      if (scope === undefined) return
      saveToCache(
        scope,
        cacheBase,
        cache,
        { status, contentType, text, heliconeId: helicone.requestId, latencyMs: Math.round(elapsed(call)) },
        ctx.options.now().getTime(),
      )
    }

    if (helicone.mockResponse !== null) return mockAnswer(call, helicone.mockResponse, save)

    if (!gateway) {
      const refused = providerAuthError(route.api, input.headers) ?? invalidBodyError(route.api, body)
      if (refused !== null) return providerFailure(call, refused)
    }
    let completion: Completion
    try {
      completion = await ctx.completions.complete({ api: route.api, body, vendor: 'helicone', model: upstream.gatewayModel })
    } catch (error) {
      if (!(error instanceof CompletionRequestError)) throw error
      if (gateway) {
        // A provider's 400 through the AI gateway: its failed attempt, answered as a 500 `request_failed`.
        const source = `${upstream.gatewayModel ?? ''}/${upstream.provider}`
        return gatewayFailure(call, 500, error.message, [{ source, type: 'request_failed', message: error.message, statusCode: 400 }])
      }
      const refusal: ProviderError =
        route.api === 'messages'
          ? { status: 400, body: anthropicError('invalid_request_error', error.message) }
          : { status: 400, body: openAiError(error.message, error.param, null) }
      return providerFailure(call, refusal)
    }
    if (completion.stream) return streamAnswer(call, completion, save)

    const answer: JsonReply = { status: 200, body: completion.body, headers: responseHeaders(call) }
    await log(call, {
      status: 200,
      usage: usageOfBody(completion.body),
      responseModel: modelOfBody(completion.body),
      responseBody: completion.body,
      timeToFirstTokenMs: 0,
    })
    save(200, `${JSON_TYPE}; charset=utf-8`, JSON.stringify(completion.body))
    return answer
  }

  function context(
    route: LlmRoute,
    input: OperationInput,
    helicone: HeliconeHeaders,
    logGrant: Grant | null,
    upstream: Upstream,
    body: unknown,
    startedAtMs: number,
    t0: number,
  ): CallContext {
    return { route, input, helicone, logGrant, upstream, body, isStream: isObject(body) && body['stream'] === true, startedAtMs, t0 }
  }

  /**
   * The AI gateway reads the body first (a model, a string, providers it knows, a body its schema accepts),
   * forces usage into streams, and picks the attempt; its refusals are text, or logged `request_failed`s.
   */
  async function aiGatewayUpstream(
    route: LlmRoute,
    input: OperationInput,
    helicone: HeliconeHeaders,
    logGrant: Grant | null,
    path: string,
    startedAtMs: number,
    t0: number,
  ): Promise<{ upstream: Upstream; body: unknown } | { reply: Reply }> {
    const sent = input.bodyAsSent
    if (!isObject(sent) || !sent['model']) return { reply: textReply(400, AI_GATEWAY_MISSING_MODEL) }
    const body = sent['stream'] === true ? withUsageForced(sent) : sent
    if (typeof sent['model'] !== 'string') return { reply: textReply(400, AI_GATEWAY_MODEL_NOT_STRING) }
    const attempt = aiGatewayModel(sent['model'])
    if (!attempt.ok && attempt.reason === 'text') return { reply: textReply(400, attempt.message) }
    // Refusals before any attempt are logged by the gateway's error forwarder as a CUSTOM call to itself.
    const refused = context(
      route,
      input,
      helicone,
      logGrant,
      { provider: 'CUSTOM', targetUrl: `https://ai-gateway.helicone.ai${path}` },
      body,
      startedAtMs,
      t0,
    )
    if (!attempt.ok) {
      const message =
        'No available providers for the requested models. Check provider names and see supported models at https://helicone.ai/models'
      return {
        reply: await gatewayFailure(refused, 400, message, [
          { source: 'No available providers', type: 'request_failed', message, statusCode: 400 },
        ]),
      }
    }
    const problem = aiGatewayBodyProblem(body)
    if (problem !== null) {
      const message = `${problem}. See API reference: ${AI_GATEWAY_DOCS}`
      return { reply: await gatewayFailure(refused, 400, message, [{ type: 'invalid_format', statusCode: 400, message }]) }
    }
    return { upstream: { provider: attempt.provider, targetUrl: attempt.targetUrl, gatewayModel: attempt.model }, body }
  }

  /**
   * The proxy's upstream: `/oai` and `/anthropic` take an approved api base (`Helicone-OpenAI-Api-Base`, else
   * `Helicone-Target-URL`), `/gateway` `Helicone-Target-URL`; the body as forwarded (`Helicone-Stream-Usage`).
   */
  function proxyUpstream(
    route: LlmRoute,
    input: OperationInput,
    helicone: HeliconeHeaders,
    path: string,
  ): { upstream: Upstream; body: unknown } | { reply: Reply } {
    let origin: string
    let provider: string
    if (route.mount === 'gateway') {
      const target = helicone.targetUrl
      if (target === null) return { reply: textReply(400, 'Missing target base url') }
      try {
        origin = new URL(target).origin
      } catch (error) {
        throw workerError((error as Error).message)
      }
      provider = providerOfTargetUrl(target)
    } else {
      const apiBase = helicone.openAiApiBase ?? helicone.targetUrl
      if (apiBase !== null && !isApprovedApiBase(apiBase)) return { reply: textReply(500, `Invalid API base "${apiBase}"`) }
      const azure = helicone.openAiApiBase !== null && isAzureApiBase(helicone.openAiApiBase)
      provider = route.mount === 'anthropic' ? 'ANTHROPIC' : azure ? 'AZURE' : 'OPENAI'
      try {
        origin = new URL(
          (apiBase ?? (route.mount === 'anthropic' ? 'https://api.anthropic.com' : 'https://api.openai.com')).replace(/\/$/, ''),
        ).origin
      } catch (error) {
        throw workerError((error as Error).message)
      }
    }
    const sent = input.bodyAsSent
    const body = helicone.streamUsage && isObject(sent) ? withUsageForced(sent) : sent
    return { upstream: { provider, targetUrl: `${origin}${path}` }, body }
  }

  function elapsed(call: CallContext): number {
    return performance.now() - call.t0
  }

  function responseHeaders(call: CallContext, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'helicone-status': 'success', 'helicone-id': call.helicone.requestId }
    if (call.upstream.gatewayModel !== undefined) {
      headers['helicone-gateway-mode'] = 'PTB'
      headers['helicone-provider'] = call.upstream.provider
      headers['helicone-model'] = call.upstream.gatewayModel
    }
    if (call.helicone.cache.shouldRead) headers['helicone-cache'] = 'MISS'
    return { ...headers, ...extra }
  }

  /** Stores the call's row, when the call is logged at all. */
  async function log(
    call: CallContext,
    outcome: {
      status: number
      usage: TokenCounts | null
      responseModel: string | null
      responseBody: unknown
      timeToFirstTokenMs: number
      cacheReferenceId?: string
      latencyMs?: number
    },
  ): Promise<void> {
    if (call.logGrant === null) return
    const body = call.body
    const user = isObject(body) ? body['user'] : undefined
    const record: CallLog = {
      requestId: call.helicone.requestId,
      startedAtMs: call.startedAtMs,
      latencyMs: outcome.latencyMs ?? elapsed(call),
      timeToFirstTokenMs: outcome.timeToFirstTokenMs,
      status: outcome.status,
      provider: call.upstream.provider,
      requestModel: modelOfBody(body),
      responseModel: outcome.responseModel,
      gatewayModel: call.upstream.gatewayModel,
      modelOverride: call.helicone.modelOverride,
      // The body's `user` as text; any JSON value may come (String() of {"toString": 1} throws).
      userId: call.helicone.userId ?? (user === undefined || user === null ? '' : typeof user === 'string' ? user : JSON.stringify(user)),
      properties: call.helicone.properties,
      targetUrl: call.upstream.targetUrl,
      usage: outcome.usage,
      cacheReferenceId: outcome.cacheReferenceId ?? ZERO_UUID,
      cacheEnabled: call.helicone.cache.enabled,
      requestBody: body ?? '',
      responseBody: outcome.responseBody,
      omitRequest: call.helicone.omitRequest,
      omitResponse: call.helicone.omitResponse,
      requestReferrer: call.route.mount === 'ai-gateway' ? 'ai-gateway' : '',
      passthroughBilling: call.upstream.gatewayModel !== undefined,
    }
    await service.logRequest(call.logGrant, recordFromCall(record))
  }

  /** The provider's refusal, answered with the Helicone headers and logged with its status. */
  async function providerFailure(call: CallContext, refusal: ProviderError): Promise<Reply> {
    await log(call, { status: refusal.status, usage: null, responseModel: null, responseBody: refusal.body, timeToFirstTokenMs: 0 })
    return { status: refusal.status, body: refusal.body, headers: responseHeaders(call) }
  }

  /** The AI gateway's own refusal (`createErrorResponse` → `errorForwarder`): logged, answered without Helicone headers. */
  async function gatewayFailure(call: CallContext, status: number, message: string, details: Json[]): Promise<Reply> {
    const error = { code: 'request_failed', message, details }
    await log(call, { status, usage: null, responseModel: null, responseBody: { success: false, error }, timeToFirstTokenMs: 0 })
    return { status, body: { success: false, error: { ...error, param: null } } }
  }

  /** `__helicone-mock-response`: its JSON answered as it is (200), or the worker's 400 when it does not parse. */
  async function mockAnswer(
    call: CallContext,
    mock: string,
    save: (status: number, contentType: string, text: string) => void,
  ): Promise<Reply> {
    let status = 200
    let parsed: unknown
    try {
      parsed = JSON.parse(mock)
    } catch (error) {
      status = 400
      parsed = {
        error: 'Invalid mock response format',
        message: 'The __helicone-mock-response header must contain valid JSON',
        details: (error as Error).message,
      }
    }
    const text = JSON.stringify(parsed)
    return rawReply(status, JSON_TYPE, text, responseHeaders(call), async () => {
      await log(call, {
        status,
        usage: status === 200 ? usageOfBody(parsed) : null,
        responseModel: modelOfBody(parsed),
        responseBody: parsed,
        timeToFirstTokenMs: call.isStream ? elapsed(call) : 0,
      })
      save(status, JSON_TYPE, text)
    })
  }

  /** A cache hit: the stored bytes, a new id, the row pointing at the original call. */
  function cacheHit(
    call: CallContext,
    hit: { status: number; contentType: string; text: string; heliconeId: string; latencyMs: number },
    bucketIndex: number,
  ): Reply {
    const headers = responseHeaders(call, {
      'helicone-cache': 'HIT',
      'helicone-cache-bucket-idx': String(bucketIndex),
      'helicone-cache-latency': String(hit.latencyMs),
    })
    return rawReply(hit.status, hit.contentType, hit.text, headers, async () => {
      const sse = hit.contentType.startsWith('text/event-stream')
      const data = sse ? sseData(hit.text) : [safeParse(hit.text)]
      await log(call, {
        status: hit.status,
        usage: sse ? usageOfStream(data) : usageOfBody(data[0]),
        responseModel: sse ? modelOfStream(data) : modelOfBody(data[0]),
        responseBody: sse ? hit.text : data[0],
        timeToFirstTokenMs: call.isStream ? elapsed(call) : 0,
        cacheReferenceId: hit.heliconeId.toLowerCase(),
      })
    })
  }

  /** A streamed answer: the row is stored once every event is out, before the response ends; -3 if the client leaves first. */
  function streamAnswer(
    call: CallContext,
    completion: Completion,
    save: (status: number, contentType: string, text: string) => void,
  ): StreamReply {
    const includeUsage = call.route.mount === 'ai-gateway' || completion.includeUsage
    const events: SseEvent[] = completion.streamEvents({ includeUsage })
    return {
      status: 200,
      headers: responseHeaders(call),
      async write(res: Response) {
        let logged = false
        const startedAt = Date.now() - elapsed(call)
        const data = events.map((e) => e.data)
        const usage = usageOfStream(data)
        const result = await writeSse(res, events, {
          startedAt,
          beforeLastEvent: async (progress) => {
            logged = true
            const responseBody = usage === null && isObject(completion.body) ? withoutUsage(completion.body) : completion.body
            await log(call, {
              status: 200,
              usage,
              responseModel: completion.model,
              responseBody,
              timeToFirstTokenMs: progress.timeToFirstByteMs ?? 0,
              latencyMs: progress.durationMs,
            })
          },
        })
        if (!logged) {
          const written = events.slice(0, result.eventsWritten)
          await log(call, {
            status: -3,
            usage: usageOfStream(written.map((e) => e.data)),
            responseModel: completion.model,
            responseBody: written.map(formatSseEvent).join(''),
            timeToFirstTokenMs: result.timeToFirstByteMs ?? 0,
            latencyMs: result.durationMs,
          })
        }
        if (result.completed) save(200, SSE_TYPE, events.map(formatSseEvent).join(''))
      },
    }
  }
}

/** The body with `stream_options.include_usage: true` (the worker's body override). */
function withUsageForced(body: Json): Json {
  return { ...body, stream_options: { ...(isObject(body['stream_options']) ? body['stream_options'] : {}), include_usage: true } }
}

function withoutUsage(body: Json): Json {
  const { usage: _usage, ...rest } = body
  return rest
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
