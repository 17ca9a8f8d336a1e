// Helicone: jawn's score, feedback, request-query and scores-dashboard endpoints, and the worker's manual
// logging routes, under /helicone.
import type { Request } from 'express'
import { HttpError } from '../../http/http-error.ts'
import type { Operation } from '../../openapi/operations.ts'
import { formatLocation, type Violation } from '../../openapi/violations.ts'
import type { Grant, VendorModule } from '../vendor.ts'
import {
  authError,
  internalServerError,
  logError,
  MISSING_PERMISSION,
  NO_API_KEY_FOUND,
  NO_AUTHORIZATION_HEADER,
  notFound,
  validationFailed,
} from './errors.ts'
import { heliconeFixtures } from './fixtures.ts'
import { createHeliconeHandlers } from './routes.ts'
import { emptyHeliconeState } from './service.ts'
import { bodySchemaOf, validateTsoaBody, type FieldErrors } from './tsoa-validation.ts'

const LOG_OPERATIONS = new Set(['logCustomRequest', 'logOpenAiRequest', 'logAnthropicRequest', 'logGoogleRequest'])

/**
 * jawn's auth middleware: runs for every `/v1/...` path (known or not) and for the logging routes.
 * The whole header value, minus the first `Bearer `, is the key; `key_permissions` need `r` for GET and
 * `w` for other methods.
 */
function authenticate(req: Request, operation: Operation | null, ctx: Parameters<VendorModule['authenticate']>[2]): Grant | null {
  if (operation === null && !req.path.startsWith('/v1/')) return null
  const header = req.headers.authorization
  if (header === undefined || header === '') throw authError(NO_AUTHORIZATION_HEADER)
  const apiKey = header.replace('Bearer ', '')
  const resolved = ctx.keys.resolve('helicone', apiKey)
  if (resolved === null) throw authError(NO_API_KEY_FOUND)
  const permissions = typeof resolved.info['permissions'] === 'string' ? resolved.info['permissions'] : 'rw'
  const needed = req.method === 'GET' || req.method === 'HEAD' ? 'r' : 'w'
  if (!permissions.includes(needed)) throw authError(MISSING_PERMISSION)
  return { apiKey, tenant: resolved.tenant, info: resolved.info }
}

/** tsoa's 422 for a body ajv rejected (re-validated as tsoa does, on the body as sent). */
function invalidRequest(violations: Violation[], operation: Operation, body: unknown): HttpError {
  if (LOG_OPERATIONS.has(operation.operationId)) {
    return logError(`Invalid log body: ${violations.map((v) => `${formatLocation(v.location)} ${v.message}`).join('; ')}`)
  }
  const { errors } = validateTsoaBody(bodySchemaOf(operation.path, operation.method), structuredClone(body))
  if (Object.keys(errors).length > 0) return validationFailed(errors)
  // ajv is stricter than tsoa here (rare): report its findings in tsoa's form.
  const details: FieldErrors = {}
  for (const v of violations) {
    const key = ['requestBody', ...v.location.slice(1)].join('.')
    details[key] = v.value === undefined ? { message: v.message } : { message: v.message, value: v.value }
  }
  return validationFailed(details)
}

export const heliconeVendor: VendorModule = {
  name: 'helicone',
  compile: { coerceBody: true },
  errors: {
    invalidRequest,
    // body-parser's SyntaxError reaches jawn's global error handler.
    malformedJson: () => internalServerError(),
    notFound: (method, path) => notFound(method, path),
    methodNotAllowed: (method, path) => notFound(method, path),
    payloadTooLarge: () => internalServerError(413),
    internal: (error) => (error instanceof HttpError ? error : internalServerError()),
  },
  authenticate,
  createHandlers: createHeliconeHandlers,
  emptyState: (grant) => emptyHeliconeState(grant),
  fixtures: heliconeFixtures,
}
