// The handlers, by operationId: thin — take the input as tsoa hands it to the controller (the pipeline ran
// tsoa's validation), call the service and the pure computations, answer. The worker's LLM routes are in
// llm/handlers.ts.
import type { OperationHandler, OperationInput, VendorContext } from '../vendor.ts'
import { internalServerError, QUERY_TIMEOUT, resultError, UncaughtServerError } from './errors.ts'
import { compileFilter, FilterBuilderError, QueryTimeoutError, type CompiledFilter, type FilterRow } from './filters.ts'
import { createLlmHandlers } from './llm/handlers.ts'
import { recordFromLog } from './log-record.ts'
import { ZERO_UUID } from './records.ts'
import { scoredTest, sortRows, toHeliconeRequest } from './request-view.ts'
import { checkOverTimeParams, scoresOverTime } from './scores-over-time.ts'
import { HeliconeService } from './service.ts'
import type { DataOverTimeRequest, RequestQueryParams, ScoreRequest } from './types.ts'

/** A filter's predicate or query error; where the real query builder throws, its global 500. */
function compile(filter: unknown): CompiledFilter {
  try {
    return compileFilter(filter)
  } catch (error) {
    if (error instanceof FilterBuilderError) throw internalServerError()
    throw error
  }
}

/** The rows a predicate keeps, or null when the query ran out of time (jawn's QUERY_TIMEOUT). */
function filterRows(rows: FilterRow[], keep: (row: FilterRow) => boolean): FilterRow[] | null {
  try {
    return rows.filter(keep)
  } catch (error) {
    if (error instanceof QueryTimeoutError) return null
    throw error
  }
}

export function createHandlers(ctx: VendorContext): Record<string, OperationHandler> {
  const service = new HeliconeService(ctx.db, ctx.options)

  const log: OperationHandler = async (input: OperationInput) => {
    const route = input.operation.path.split('/')[1] ?? 'custom'
    const record = recordFromLog(route, input.body as Record<string, unknown>, input.headers, ctx.options.now().getTime())
    const stored = await service.logRequest(input.grant, record)
    return { status: 200, body: {}, headers: { 'helicone-id': stored.request_id } }
  }

  return {
    getScoresOverTime(input) {
      const body = input.body as DataOverTimeRequest
      const range = checkOverTimeParams(body)
      if (!range.ok) return { status: 200, body: { data: null, error: range.error } }
      const filter = compile(body.userFilter)
      if (!filter.ok) return { status: 200, body: { data: null, error: filter.error } }
      const rows = filterRows(service.rows(input.grant, range), filter.predicate)
      if (rows === null) return { status: 200, body: { data: null, error: QUERY_TIMEOUT } }
      return { status: 200, body: { data: scoresOverTime(rows, body, range), error: null } }
    },

    getRequests(input) {
      const body = input.body as RequestQueryParams
      const filter = compile(body.filter)
      if (!filter.ok) throw resultError(500, filter.error)
      const predicate = filter.predicate
      const scored = scoredTest(body.isScored)
      const cached =
        body.isCached === true ? (r: { cache_reference_id: string }) => r.cache_reference_id.toLowerCase() !== ZERO_UUID : () => true
      const offset = Math.max(0, Math.floor(body.offset ?? 0))
      const limit = Math.max(0, Math.floor(body.limit ?? 10))
      const matching = filterRows(service.rows(input.grant), (r) => predicate(r) && scored(r) && cached(r))
      if (matching === null) throw resultError(500, QUERY_TIMEOUT)
      const rows = sortRows(matching, body.sort).slice(offset, offset + limit)
      return { status: 201, body: { data: rows.map(toHeliconeRequest), error: null } }
    },

    async addScores(input) {
      const body = input.body as ScoreRequest
      try {
        await service.addScores(input.grant, String(input.path['requestId']), body.scores)
      } catch (error) {
        if (error instanceof UncaughtServerError) throw internalServerError()
        throw error
      }
      return { status: 201, body: { data: null, error: null } }
    },

    async feedbackRequest(input) {
      const body = input.body as { rating: boolean }
      await service.addFeedback(input.grant, String(input.path['requestId']), body.rating)
      return { status: 201, body: { data: null, error: null } }
    },

    getEvalScores(input) {
      return { status: 200, body: { data: service.scoreKeys(input.grant), error: null } }
    },

    logCustomRequest: log,
    logOpenAiRequest: log,
    logAnthropicRequest: log,
    logGoogleRequest: log,

    ...createLlmHandlers(ctx, service),
  }
}
