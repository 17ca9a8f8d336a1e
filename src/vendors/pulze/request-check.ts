// The pydantic view of a request: FastAPI validates path, then query, then body, and reports every error
// at once. Used both to render the pipeline's (ajv) rejections in pydantic's words and, in the handlers,
// to catch what ajv accepts but pydantic does not (e.g. `?size=0x10`, `"date_from": "yesterday"`).
import {
  parseQueryInt,
  parseUuid,
  validateFilterBody,
  validateRatingBody,
  type LogFilter,
  type PydanticError,
  type Rating,
} from './pydantic.ts'

export const PAGE_BOUNDS = { ge: 1 }
export const SIZE_BOUNDS = { ge: 1, le: 100 }

// ---- the checks, per operation ----

export type RawRequest = {
  /** Path parameters as strings (undefined: not known to be wrong). */
  path: Record<string, unknown>
  /** Query parameters as sent (strings, or arrays when repeated). */
  query: Record<string, unknown>
  body: unknown
}

export type Checked =
  | { ok: true; logId: string; rating: Rating | null; filter: LogFilter | null; page: number; size: number }
  | { ok: false; errors: PydanticError[] }

/** Validates a request of one of the Pulze operations as FastAPI + pydantic v2 would. */
export function checkRequest(operationId: string, raw: RawRequest): Checked {
  const errors: PydanticError[] = []
  let logId = ''
  let page = 1
  let size = 50
  let rating: Rating | null = null
  let filter: LogFilter | null = null

  if (operationId === 'Logs_rateById' || operationId === 'Logs_getById') {
    if (raw.path['log_id'] !== undefined) {
      const parsed = parseUuid(raw.path['log_id'], ['path', 'log_id'])
      if ('error' in parsed) errors.push(parsed.error)
      else logId = parsed.uuid
    }
  }
  if (operationId === 'Logs_getMatchingLogs') {
    for (const [name, bounds] of [
      ['page', PAGE_BOUNDS],
      ['size', SIZE_BOUNDS],
    ] as const) {
      const value = raw.query[name]
      if (value === undefined) continue
      const parsed = parseQueryInt(typeof value === 'number' ? String(value) : value, ['query', name], bounds)
      if ('error' in parsed) errors.push(parsed.error)
      else if (name === 'page') page = parsed.value
      else size = parsed.value
    }
  }
  if (operationId === 'Logs_rateById') {
    const parsed = validateRatingBody(raw.body)
    if ('errors' in parsed) errors.push(...parsed.errors)
    else rating = parsed.value
  }
  if (operationId === 'Logs_getMatchingLogs') {
    const parsed = validateFilterBody(raw.body)
    if ('errors' in parsed) errors.push(...parsed.errors)
    else filter = parsed.value
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, logId, rating, filter, page, size }
}
