// Handlers by operationId: the request arrives as pydantic parsed it (see pydantic-validation.ts); call the
// service, answer.
import type { OperationHandler, VendorContext } from '../vendor.ts'
import { toLogFilter, type FilterLogsModel, type Rating } from './models.ts'
import { PulzeService } from './service.ts'

export function createHandlers(ctx: VendorContext): Record<string, OperationHandler> {
  const service = new PulzeService(ctx.db)
  return {
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
