// Handlers by operationId: re-check the request in pydantic's terms, call the service, answer.
import type { OperationHandler, OperationInput, VendorContext } from '../vendor.ts'
import { validationError } from './errors.ts'
import { toLogFilter, type FilterLogsModel, type Rating } from './pydantic.ts'
import { checkRequest } from './request-check.ts'
import { PulzeService } from './service.ts'

/**
 * ajv let the request through; pydantic may still refuse it (`?size=0x10`, a date it cannot read …).
 * The values come back as pydantic parsed them against the operation's schemas (defaults filled in).
 */
function check(input: OperationInput) {
  const checked = checkRequest(input.operation.operationId, {
    path: input.path,
    query: input.req.query as Record<string, unknown>,
    body: input.bodyAsSent,
  })
  if (!checked.ok) throw validationError(checked.errors)
  return checked
}

export function createHandlers(ctx: VendorContext): Record<string, OperationHandler> {
  const service = new PulzeService(ctx.db)
  return {
    Logs_getById: (input) => {
      const { path } = check(input)
      return { status: 200, body: service.getLog(input.grant, path['log_id'] as string) }
    },
    Logs_rateById: async (input) => {
      const { path, body } = check(input)
      return { status: 200, body: await service.rateLog(input.grant, path['log_id'] as string, body as Rating) }
    },
    Logs_getMatchingLogs: (input) => {
      const { query, body } = check(input)
      const filter = toLogFilter(body as FilterLogsModel)
      return { status: 200, body: service.searchLogs(input.grant, filter, query['page'] as number, query['size'] as number) }
    },
  }
}
