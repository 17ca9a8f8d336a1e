// Handlers by operationId: re-check the request in pydantic's terms, call the service, answer.
import type { OperationHandler, OperationInput, VendorContext } from '../vendor.ts'
import { validationError } from './errors.ts'
import { checkRequest } from './request-check.ts'
import { PulzeService } from './service.ts'

/** ajv let the request through; pydantic may still refuse it (`?size=0x10`, a date it cannot read …). */
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
      const { logId } = check(input)
      return { status: 200, body: service.getLog(input.grant, logId) }
    },
    Logs_rateById: async (input) => {
      const { logId, rating } = check(input)
      return { status: 200, body: await service.rateLog(input.grant, logId, rating!) }
    },
    Logs_getMatchingLogs: (input) => {
      const { filter, page, size } = check(input)
      return { status: 200, body: service.searchLogs(input.grant, filter!, page, size) }
    },
  }
}
