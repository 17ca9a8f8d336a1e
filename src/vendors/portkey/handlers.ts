import type { OperationHandler, OperationInput, Reply, VendorContext } from '../vendor.ts'
import { aiModelsGraph, countFeedback, feedbacksGraph, scoresGraph, weightedGraph, type CountedFeedback } from './analytics.ts'
import { apiKeyIdOf, keyScope } from './auth.ts'
import { validationError } from './errors.ts'
import { createGatewayHandlers } from './llm/handlers.ts'
import { InvalidFilterError, parseAnalyticsFilter, type AnalyticsFilter } from './filters.ts'
import { PortkeyService } from './service.ts'
import type { AnalyticsQuery, CustomLog, FeedbackInput, FeedbackResponse, FeedbackUpdateRequest, LogInsertResponse } from './types.ts'

/** Portkey's handlers by operationId: parse the validated input, call the service, shape the answer (gateway routes: llm/handlers.ts). */
export function createHandlers(ctx: VendorContext): Record<string, OperationHandler> {
  const service = new PortkeyService(ctx.db, ctx.options.now)

  const graph =
    (render: (counted: CountedFeedback[], filter: AnalyticsFilter) => unknown): OperationHandler =>
    ({ grant, query }) => {
      let filter: AnalyticsFilter
      try {
        filter = parseAnalyticsFilter(query as AnalyticsQuery, keyScope(grant))
      } catch (error) {
        if (error instanceof InvalidFilterError) throw validationError(error.message)
        throw error
      }
      return { status: 200, body: render(countFeedback(service.state(grant.tenant), filter), filter) }
    }

  return {
    ...createGatewayHandlers(ctx, service),

    createFeedback: async ({ grant, body }: OperationInput): Promise<Reply> => {
      const items = (Array.isArray(body) ? body : [body]) as FeedbackInput[]
      const ids = await service.createFeedback(grant.tenant, items)
      const reply: FeedbackResponse = { status: 'success', message: 'Feedback saved successfully', feedback_ids: ids }
      return { status: 200, body: reply }
    },

    updateFeedback: async ({ grant, path, body }: OperationInput): Promise<Reply> => {
      const id = String(path['id'])
      await service.updateFeedback(grant.tenant, id, body as FeedbackUpdateRequest)
      const reply: FeedbackResponse = { status: 'success', message: 'Feedback updated successfully', feedback_ids: [id] }
      return { status: 200, body: reply }
    },

    insertLogs: async ({ grant, body }: OperationInput): Promise<Reply> => {
      const logs = (Array.isArray(body) ? body : [body]) as CustomLog[]
      const generations = await service.insertLogs(grant.tenant, logs, {
        apiKeyId: apiKeyIdOf(grant),
        workspaceSlug: keyScope(grant).workspaceSlug,
      })
      const reply: LogInsertResponse = {
        status: 'success',
        message: `${generations.length} log${generations.length === 1 ? '' : 's'} inserted`,
        log_ids: generations.map((g) => g.id),
        trace_ids: generations.map((g) => g.trace_id),
      }
      return { status: 200, body: reply }
    },

    getFeedbacksGraph: graph((counted, filter) => feedbacksGraph(counted, filter)),
    getFeedbackScoresGraph: graph((counted) => scoresGraph(counted)),
    getFeedbackScoreGraphSdkAlias: graph((counted) => scoresGraph(counted)),
    getWeightedFeedbacksGraph: graph((counted, filter) => weightedGraph(counted, filter)),
    getFeedbackAiModelsGraph: graph((counted) => aiModelsGraph(counted)),
  }
}
