// Handlers by operationId: the request arrives as pydantic parsed it (see pydantic-validation.ts); call the
// service (and, for completions, the completion engine), answer.
import { randomUUID } from 'node:crypto'
import type { Response } from 'express'
import { CompletionRequestError, formatSseEvent, tokenCounterFor, writeSse, type Completion } from '../../completions/index.ts'
import type { OperationHandler, OperationInput, Reply, VendorContext } from '../vendor.ts'
import {
  answerOf,
  buildLog,
  choicesFromEvents,
  choicesOf,
  lastUserText,
  pulzeCosts,
  pulzeStreamEvents,
  routeModel,
  type AnswerContext,
  type ChoiceOutcome,
  type CompletionRoute,
  type Usage,
} from './llm/handlers.ts'
import { completionRejected } from './errors.ts'
import { readPulzeHeaders } from './llm/headers.ts'
import { toLogFilter, type FilterLogsModel, type Rating } from './models.ts'
import { PulzeService } from './service.ts'

export type PulzeHandlerOptions = { nullFinishReason: boolean }

/** Seconds with 3 decimals, as Pulze reports `latency`. */
const seconds = (ms: number): number => Math.round(ms) / 1000

/** The status and error a log gets when its client left before the end of the stream [I]. */
const DISCONNECTED = { status: 499, error: 'client disconnected' }

export function createHandlers(
  ctx: VendorContext,
  options: PulzeHandlerOptions = { nullFinishReason: false },
): Record<string, OperationHandler> {
  const service = new PulzeService(ctx.db)

  /** One completion call: answer it (JSON, or a stream) and store its log. */
  async function complete(route: CompletionRoute, input: OperationInput): Promise<Reply> {
    const started = performance.now()
    const createdMs = ctx.options.now().getTime()
    const body = input.body as Record<string, unknown>
    const headers = readPulzeHeaders(input.req.headers, input.headers)
    const model = routeModel(typeof body['model'] === 'string' ? body['model'] : null)
    const id = randomUUID()
    const appId = service.appId(input.grant)
    const labels = headers.labels ?? (Object.create(null) as Record<string, string>)

    let completion: Completion
    try {
      completion = await ctx.completions.complete({
        api: route,
        body: engineRequest(body, input.bodyAsSent),
        vendor: 'pulze',
        model: model.namespace,
        id,
        created: createdMs,
      })
    } catch (error) {
      if (error instanceof CompletionRequestError) throw completionRejected(error.message)
      throw error
    }

    const answer = (choices: readonly ChoiceOutcome[], usage: Usage, latencySeconds: number, fault?: typeof DISCONNECTED) => {
      const context: AnswerContext = {
        id,
        createdMs,
        appId,
        route: model,
        labels,
        usage,
        costs: pulzeCosts(model.namespace, usage),
        latencySeconds,
        temperature: body['temperature'],
        maxTokens: body['max_tokens'],
        statusCode: fault?.status ?? 200,
        nullFinishReason: options.nullFinishReason,
        ...(fault === undefined ? {} : { error: fault.error }),
      }
      return answerOf(route, choices, context)
    }
    const store = (choices: readonly ChoiceOutcome[], answered: ReturnType<typeof answer>) =>
      service.addLog(
        input.grant,
        buildLog({
          route,
          answer: answered,
          choices,
          appId,
          payload: { ...body, labels: headers.labels, weights: headers.weights, policies: headers.policies },
          prompt: route === 'chat' ? lastUserText(body['messages']) : String(body['prompt']),
          latencySeconds: answered.metadata.latency ?? 0,
          statusCode: answered.metadata.status_code ?? 200,
          privacyLevel: headers.privacyLevel,
        }),
      )
    const fullUsage: Usage = { prompt: completion.usage.promptTokens, completion: completion.usage.completionTokens }

    if (!completion.stream) {
      const choices = choicesOf(completion)
      const answered = answer(choices, fullUsage, seconds(performance.now() - started))
      await store(choices, answered)
      return { status: 200, body: answered }
    }

    const { chunks, done } = pulzeStreamEvents(completion.streamEvents())
    return {
      status: 200,
      write: async (res: Response) => {
        // The log is on disk before the client reads `data: [DONE]`: whoever has read the whole stream finds
        // its log. So the stream's end waits for the commit (writeSse ends the response once every chunk is out).
        const end = res.end
        let completing: Promise<void> | null = null
        res.end = function (this: Response, ...args: unknown[]) {
          res.end = end
          const choices = choicesOf(completion)
          const answered = answer(choices, fullUsage, seconds(performance.now() - started))
          completing = store(choices, answered).then(() => {
            if (done !== null && !res.destroyed) res.write(formatSseEvent(done))
            ;(end as (...a: unknown[]) => Response).apply(res, args)
          })
          // A failed commit: the client must not get `[DONE]` (rethrown below, after writeSse is over).
          completing.catch(() => res.destroy())
          return res
        } as Response['end']
        const result = await writeSse(res, chunks)
        res.end = end
        if (completing !== null) return void (await completing)
        // The client went away: the log holds what it was sent.
        const choices = choicesFromEvents(chunks.slice(0, result.eventsWritten))
        const counter = await tokenCounterFor(model.namespace)
        const streamed = choices.map((c) => c.text + c.toolCalls.map((t) => t.name + t.arguments).join('')).join('')
        const usage: Usage = { prompt: fullUsage.prompt, completion: counter.count(streamed) }
        const answered = answer(choices, usage, seconds(performance.now() - started), DISCONNECTED)
        await store(choices, answered)
      },
    }
  }

  return {
    Chat_performCompletionRequest: (input) => complete('chat', input),
    Completions_performTextRequest: (input) => complete('completions', input),
    Logs_getById: ({ grant, path }) => ({ status: 200, body: service.getLog(grant, path['log_id'] as string) }),
    Logs_rateById: async ({ grant, path, body }) => ({
      status: 200,
      body: await service.rateLog(grant, path['log_id'] as string, body as Rating),
    }),
    Logs_getMatchingLogs: ({ grant, query, body }) => {
      const filter = toLogFilter(body as FilterLogsModel)
      return { status: 200, body: service.searchLogs(grant, filter, query['page'] as number, query['size'] as number) }
    },
  }
}

/**
 * What the engine is asked: the fields of Pulze's model the client sent, as pydantic parsed them (Pulze
 * forwards its model, so unknown fields go no further, and a default the client did not send, such as
 * `tool_choice: "none"`, changes nothing), plus `stream_options` (its usage chunk is honoured).
 */
function engineRequest(parsed: Record<string, unknown>, asSent: unknown): Record<string, unknown> {
  const sent = asSent !== null && typeof asSent === 'object' ? (asSent as Record<string, unknown>) : {}
  const request: Record<string, unknown> = {}
  for (const key of Object.keys(parsed)) if (Object.hasOwn(sent, key)) request[key] = parsed[key]
  if (Object.hasOwn(sent, 'stream_options')) request['stream_options'] = sent['stream_options']
  return request
}
