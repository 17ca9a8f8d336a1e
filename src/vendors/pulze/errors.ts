// Pulze's error answers: FastAPI's `{"detail": "..."}` and pydantic v2's `{"detail": [{type, loc, msg, input, ctx?}]}`.
import { HttpError } from '../../http/http-error.ts'
import type { Operation } from '../../openapi/operations.ts'
import type { Violation } from '../../openapi/violations.ts'
import type { VendorErrors } from '../vendor.ts'
import { pythonJsonError, type PydanticError } from './pydantic.ts'
import { checkRequest } from './request-check.ts'

type Template = { status: number; detail: string; headers?: Record<string, string> }

const BEARER_CHALLENGE = { 'WWW-Authenticate': 'Bearer' }

/** FastAPI ≥ 0.122 `HTTPBearer`: no usable `Authorization: Bearer …` header. */
export const NOT_AUTHENTICATED: Template = { status: 401, detail: 'Not authenticated', headers: BEARER_CHALLENGE }
/** FastAPI < 0.122 `HTTPBearer`: no `Authorization` header. */
export const NOT_AUTHENTICATED_LEGACY: Template = { status: 403, detail: 'Not authenticated' }
/** FastAPI < 0.122 `HTTPBearer`: an `Authorization` header with another scheme. */
export const INVALID_SCHEME_LEGACY: Template = { status: 403, detail: 'Invalid authentication credentials' }
/** [I] A Bearer key Pulze does not know (text and status inferred). */
export const INVALID_API_KEY: Template = { status: 401, detail: 'Could not validate credentials', headers: BEARER_CHALLENGE }
/** [I] Unknown log, another app's log, or a `privacy_level` 3 log. */
export const LOG_NOT_FOUND: Template = { status: 404, detail: 'Log not found' }
/** Starlette: no route at this path. */
export const ROUTE_NOT_FOUND: Template = { status: 404, detail: 'Not Found' }
/** Starlette: the path exists under other methods (plus an `Allow` header). */
export const METHOD_NOT_ALLOWED: Template = { status: 405, detail: 'Method Not Allowed' }
/** [I] The proxy in front of Pulze: body over the limit. */
export const PAYLOAD_TOO_LARGE: Template = { status: 413, detail: 'Request Entity Too Large' }
export const INTERNAL_ERROR: Template = { status: 500, detail: 'Internal Server Error' }
/** FastAPI: reading the body failed with anything but a `JSONDecodeError` (too deep, not decodable). */
export const BODY_NOT_PARSED: Template = { status: 400, detail: 'There was an error parsing the body' }

export function fromTemplate(template: Template, extraHeaders: Record<string, string> = {}): HttpError {
  return new HttpError(template.status, { detail: template.detail }, { ...template.headers, ...extraHeaders })
}

/** FastAPI's `RequestValidationError` answer. */
export function validationError(errors: PydanticError[]): HttpError {
  return new HttpError(422, { detail: errors })
}

/** Starlette lists HEAD wherever GET is allowed. */
export function allowHeader(allowed: readonly string[]): string {
  const methods = allowed.map((m) => m.toUpperCase())
  if (methods.includes('GET') && !methods.includes('HEAD')) methods.splice(methods.indexOf('GET') + 1, 0, 'HEAD')
  return methods.join(', ')
}

/** What the request pipeline asks for, in Pulze's (FastAPI's) words. */
export const pulzeErrors: VendorErrors = {
  invalidRequest(violations: Violation[], operation: Operation, body: unknown) {
    // Path and query values are known here only where ajv found them wrong; the body is re-checked whole.
    const path: Record<string, unknown> = {}
    const query: Record<string, unknown> = {}
    for (const v of violations) {
      const [part, name] = v.location
      if (typeof name !== 'string') continue
      if (part === 'path') path[name] = v.value
      if (part === 'query') query[name] = v.value
    }
    const checked = checkRequest(operation.operationId, { path, query, body })
    if (!checked.ok) return validationError(checked.errors)
    // ajv and pydantic disagree (e.g. a 32-hex UUID, which pydantic accepts): say what ajv saw.
    return validationError(
      violations.map((v) => ({ type: v.keyword, loc: v.location.slice(0, 2), msg: v.message, input: v.value ?? null })),
    )
  },
  malformedJson(error) {
    if (!(error instanceof SyntaxError)) return fromTemplate(BODY_NOT_PARSED)
    const text = typeof error.body === 'string' ? error.body : ''
    const fault = pythonJsonError(text) ?? { pos: 0, msg: 'Expecting value' }
    return validationError([
      { type: 'json_invalid', loc: ['body', fault.pos], msg: 'JSON decode error', input: {}, ctx: { error: fault.msg } },
    ])
  },
  notFound: () => fromTemplate(ROUTE_NOT_FOUND),
  methodNotAllowed: (_method, _path, allowed) => fromTemplate(METHOD_NOT_ALLOWED, { Allow: allowHeader(allowed) }),
  payloadTooLarge: () => fromTemplate(PAYLOAD_TOO_LARGE),
  internal: () => fromTemplate(INTERNAL_ERROR),
}
