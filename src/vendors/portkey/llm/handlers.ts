// The gateway routes' handlers: pick the provider, check the body as the provider would, answer from the
// completion engine (or the cache), log the call as a generation, and answer with the gateway's headers. The
// rules are in specs/portkey.yaml (the API description's Gateway section and the four operations).
import { randomBytes, randomUUID } from 'node:crypto'
import {
  CompletionRequestError,
  tokenCounterFor,
  writeSse,
  type Completion,
  type CompletionApi,
  type SseProgress,
} from '../../../completions/index.ts'
import type { Response } from 'express'
import type { OperationHandler, OperationInput, Reply, VendorContext } from '../../vendor.ts'
import { apiKeyIdOf, keyScope } from '../auth.ts'
import { gatewayFailure, GATEWAY_EXCEPTION, providerFailure } from '../errors.ts'
import { cacheKey, cacheStatusOf, createGatewayCache } from './cache.ts'
import { chooseProvider, GatewayRefusal, type ProviderChoice } from './provider.ts'
import { gatewayGeneration, streamedText, type GatewayCall } from './record.ts'
import {
  gatewayHeaders,
  providerBody,
  providerError,
  providerEvents,
  strictCompliance,
  type CacheStatus,
  type ResponseShape,
} from './response.ts'
import { headerOf, metadataOf, traceOf } from './trace.ts'
import { compileBodyCheck, type BodyRefusal } from './validation.ts'
import { HttpError } from '../../../http/http-error.ts'
import type { PortkeyService } from '../service.ts'

type Route = { operationId: string; api: CompletionApi; path: string; wording: 'openai' | 'anthropic' }

const ROUTES: readonly Route[] = [
  { operationId: 'createChatCompletion', api: 'chat', path: '/v1/chat/completions', wording: 'openai' },
  { operationId: 'createCompletion', api: 'completions', path: '/v1/completions', wording: 'openai' },
  { operationId: 'createEmbedding', api: 'embeddings', path: '/v1/embeddings', wording: 'openai' },
  { operationId: 'createMessage', api: 'messages', path: '/v1/messages', wording: 'anthropic' },
]

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The app's user id the record's `_user` falls back to: the body's `user` (Anthropic: `metadata.user_id`). */
function userOf(api: CompletionApi, body: unknown): string | undefined {
  if (!isObject(body)) return undefined
  const user = api === 'messages' ? (isObject(body['metadata']) ? body['metadata']['user_id'] : undefined) : body['user']
  return typeof user === 'string' ? user : undefined
}

/** A new W3C span id: 16 hex digits. */
const newSpanId = () => randomBytes(8).toString('hex')

export function createGatewayHandlers(ctx: VendorContext, service: PortkeyService): Record<string, OperationHandler> {
  const cache = createGatewayCache()
  const handlers: Record<string, OperationHandler> = {}
  for (const route of ROUTES) {
    const operation = ctx.operations.byId.get(route.operationId)
    if (operation === undefined) throw new Error(`specs/portkey.yaml has no ${route.operationId}`)
    const checkBody = compileBodyCheck(operation, route.wording)
    handlers[route.operationId] = (input) => handle(route, checkBody, input)
  }

  async function handle(route: Route, checkBody: (body: unknown) => BodyRefusal | null, input: OperationInput): Promise<Reply> {
    const startedAt = Date.now()
    const createdAt = ctx.options.now()
    const { grant, bodyAsSent: body } = input
    const headers = input.req.headers
    const model = isObject(body) && typeof body['model'] === 'string' ? body['model'] : undefined
    let choice: ProviderChoice
    try {
      choice = chooseProvider(headers, model)
    } catch (error) {
      if (error instanceof GatewayRefusal) throw gatewayFailure(error.status, error.message, error.errors)
      throw error
    }
    // The gateway's handlers parse the body as JSON: an absent or non-JSON body fails there.
    if (body === undefined) throw HttpError.fromTemplate(GATEWAY_EXCEPTION)

    const forceRefresh = headerOf(headers, 'x-portkey-cache-force-refresh')?.toLowerCase() === 'true'
    const key =
      choice.cache === undefined
        ? null
        : cacheKey(
            {
              tenant: grant.tenant,
              route: route.path,
              provider: choice.provider,
              model: choice.model,
              namespace: headerOf(headers, 'x-portkey-cache-namespace'),
            },
            body,
          )
    const owner = service.generationsOf(grant.tenant)
    const cached = key === null || forceRefresh || owner === undefined ? undefined : cache.get(key, owner, createdAt.getTime())
    const cacheStatus: CacheStatus =
      choice.cache === undefined
        ? 'DISABLED'
        : cacheStatusOf(choice.cache.mode, forceRefresh ? 'refresh' : cached !== undefined ? 'hit' : 'miss')

    const call: GatewayCall = {
      id: randomUUID(),
      trace: traceOf(headers, `POST ${route.path}`, { newTraceId: randomUUID, newSpanId }),
      createdAt,
      choice,
      metadata: metadataOf(headers, userOf(route.api, body)),
      apiKeyId: apiKeyIdOf(grant),
      workspaceSlug: keyScope(grant).workspaceSlug,
      cacheStatus,
    }
    const replyHeaders = gatewayHeaders(call.trace.traceId, choice.provider, cacheStatus, choice.optionIndex)
    const shape: ResponseShape = { provider: choice.provider, strict: strictCompliance(headers), nowMs: createdAt.getTime() }

    const refuse = async (refusal: BodyRefusal): Promise<never> => {
      const param = choice.provider === 'anthropic' ? null : refusal.param
      await service.logGeneration(
        grant.tenant,
        gatewayGeneration(call, { statusCode: 400, promptTokens: 0, completionTokens: 0, latencyMs: Date.now() - startedAt }),
      )
      throw providerFailure(400, providerError(choice.provider, refusal.message, param), replyHeaders)
    }

    const refusal = checkBody(body)
    if (refusal !== null) return refuse(refusal)
    const completion: Completion =
      cached ??
      (await ctx.completions
        .complete({ api: route.api, body, vendor: 'portkey', model: choice.model })
        .catch((error: unknown) =>
          error instanceof CompletionRequestError ? refuse({ message: error.message, param: error.param }) : Promise.reject(error),
        ))
    const hit = cached !== undefined
    /** Stores the call; a fresh answer made under a cache config is cached with it. */
    const log = async (promptTokens: number, completionTokens: number, latencyMs: number, timeToFirstTokenMs?: number) => {
      await service.logGeneration(
        grant.tenant,
        gatewayGeneration(call, { statusCode: 200, promptTokens, completionTokens, latencyMs, timeToFirstTokenMs, free: hit }),
      )
      const records = service.generationsOf(grant.tenant)
      if (key !== null && !hit && choice.cache !== undefined && records !== undefined) {
        cache.set(key, completion, records, ctx.options.now().getTime(), choice.cache)
      }
    }

    const stream = isObject(body) && body['stream'] === true && route.api !== 'embeddings'
    if (!stream) {
      await log(completion.usage.promptTokens, completion.usage.completionTokens, Date.now() - startedAt)
      return { status: 200, body: providerBody(completion, shape), headers: replyHeaders }
    }

    const streamOptions = isObject(body) ? body['stream_options'] : undefined
    const includeUsage = isObject(streamOptions) && streamOptions['include_usage'] === true
    const events = providerEvents(completion, shape, includeUsage)
    return {
      status: 200,
      headers: replyHeaders,
      write: async (res: Response) => {
        let logged = false
        const result = await writeSse(res, events, {
          startedAt,
          // The provider's pace: its latency spread over the events (none for a cached answer) [emulator].
          delayMs: hit ? 0 : Math.round(completion.latencyMs / 4),
          beforeLastEvent: async (progress: SseProgress) => {
            await log(
              completion.usage.promptTokens,
              completion.usage.completionTokens,
              progress.durationMs,
              progress.timeToFirstByteMs ?? undefined,
            )
            logged = true
          },
        })
        if (logged) return
        // The client went away: the call is logged with what it was sent (the gateway logs the provider's 200).
        const counter = await tokenCounterFor(choice.model)
        const text = streamedText(events, result.eventsWritten)
        await log(
          completion.usage.promptTokens,
          text === '' ? 0 : counter.count(text),
          result.durationMs,
          result.timeToFirstByteMs ?? undefined,
        )
      },
    }
  }

  return handlers
}
