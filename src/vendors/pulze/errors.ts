// Pulze's error answers: FastAPI's `{"detail": "..."}` and pydantic v2's `{"detail": [{type, loc, msg, input, ctx?}]}`
// (fastapi/exception_handlers.py, fastapi/security/http.py, starlette/exceptions.py).
import { STATUS_CODES } from 'node:http'
import { HttpError, type ErrorTemplate } from '../../http/http-error.ts'
import type { Violation } from '../../openapi/violations.ts'
import type { VendorErrors } from '../vendor.ts'
import { pythonJsonError } from './pydantic/python-json-error.ts'
import type { PydanticError } from './pydantic/scalars.ts'

export type PulzeErrorTemplate = ErrorTemplate<{ detail: string }>

const BEARER_CHALLENGE = { 'WWW-Authenticate': 'Bearer' }
const template = (status: number, detail: string, headers?: Record<string, string>): PulzeErrorTemplate =>
  headers === undefined ? { status, body: { detail } } : { status, body: { detail }, headers }

/** FastAPI ≥ 0.122 `HTTPBearer`: no usable `Authorization: Bearer …` header. */
export const NOT_AUTHENTICATED = template(401, 'Not authenticated', BEARER_CHALLENGE)
/** FastAPI < 0.122 `HTTPBearer`: no `Authorization` header. */
export const NOT_AUTHENTICATED_LEGACY = template(403, 'Not authenticated')
/** FastAPI < 0.122 `HTTPBearer`: an `Authorization` header with another scheme. */
export const INVALID_SCHEME_LEGACY = template(403, 'Invalid authentication credentials')
/** [I] A Bearer key Pulze does not know (text and status inferred). */
export const INVALID_API_KEY = template(401, 'Could not validate credentials', BEARER_CHALLENGE)
/** [I] Unknown log, another app's log, or a `privacy_level` 3 log. */
export const LOG_NOT_FOUND = template(404, 'Log not found')
/** Starlette: no route at this path. */
export const ROUTE_NOT_FOUND = template(404, 'Not Found')
/** Starlette: the path exists under other methods (plus an `Allow` header). */
export const METHOD_NOT_ALLOWED = template(405, 'Method Not Allowed')
/** [I] The proxy in front of Pulze: body over the limit. */
export const PAYLOAD_TOO_LARGE = template(413, 'Request Entity Too Large')
export const INTERNAL_ERROR = template(500, 'Internal Server Error')
/** FastAPI: reading the body failed with anything but a `JSONDecodeError` (too deep, not decodable). */
export const BODY_NOT_PARSED = template(400, 'There was an error parsing the body')

/** [I] A completion request the model cannot answer as asked (the engine's `CompletionRequestError`). */
export function completionRejected(message: string): HttpError {
  return HttpError.fromTemplate(template(400, message))
}

/** FastAPI's `RequestValidationError` answer. */
export function validationError(errors: PydanticError[]): HttpError {
  return HttpError.fresh(422, { detail: errors })
}

/** Starlette lists HEAD wherever GET is allowed. */
export function allowHeader(allowed: readonly string[]): string {
  const methods = allowed.map((m) => m.toUpperCase())
  if (methods.includes('GET') && !methods.includes('HEAD')) methods.splice(methods.indexOf('GET') + 1, 0, 'HEAD')
  return methods.join(', ')
}

/** Starlette's `HTTPException(status)`: `{"detail": "<reason phrase>"}` for any status without a template. */
export function pulzeErrorForStatus(status: number): HttpError {
  const known = [NOT_AUTHENTICATED, ROUTE_NOT_FOUND, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, INTERNAL_ERROR].find((t) => t.status === status)
  return HttpError.fromTemplate(known ?? template(status, STATUS_CODES[status] ?? `HTTP ${status}`))
}

/** What the request pipeline asks for, in Pulze's (FastAPI's) words. */
export const pulzeErrors: VendorErrors = {
  // pydantic validates every Pulze operation (pydantic-validation.ts); ajv only sees what pydantic does not.
  invalidRequest: (violations: Violation[]) =>
    validationError(violations.map((v) => ({ type: v.keyword, loc: v.location, msg: v.message, input: v.value ?? null }))),
  malformedJson(error) {
    if (!(error instanceof SyntaxError)) return HttpError.fromTemplate(BODY_NOT_PARSED)
    const text = typeof error.body === 'string' ? error.body : ''
    const fault = pythonJsonError(text) ?? { pos: 0, msg: 'Expecting value' }
    return validationError([
      { type: 'json_invalid', loc: ['body', fault.pos], msg: 'JSON decode error', input: {}, ctx: { error: fault.msg } },
    ])
  },
  notFound: () => HttpError.fromTemplate(ROUTE_NOT_FOUND),
  methodNotAllowed: (_method, _path, allowed) => HttpError.fromTemplate(METHOD_NOT_ALLOWED, { headers: { Allow: allowHeader(allowed) } }),
  payloadTooLarge: () => HttpError.fromTemplate(PAYLOAD_TOO_LARGE),
  internal: () => HttpError.fromTemplate(INTERNAL_ERROR),
  forStatus: pulzeErrorForStatus,
}
