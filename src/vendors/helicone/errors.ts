// Helicone's error bodies, as jawn sends them (auth middleware, tsoa's ValidateError handler, the global
// error handler in production, the `Result` objects its controllers return), as the worker answers a log
// body it cannot read, and the worker's own answers on its LLM routes (the AI gateway's plain texts, its
// error handler). Sources: Helicone/helicone valhalla/jawn/src/middleware/auth.ts, src/index.ts,
// src/lib/requestWrapper, worker/src/index.ts, worker/src/routers.
import { STATUS_CODES } from 'node:http'
import { HttpError, type ErrorTemplate } from '../../http/http-error.ts'
import type { Operation } from '../../openapi/operations.ts'
import { formatLocation, type Violation } from '../../openapi/violations.ts'
import type { VendorErrors } from '../vendor.ts'
import { llmMountOf, llmRouteOf, pathAfterMount } from './llm/routes.ts'
import { malformedBodyError, providerNotFound } from './llm/provider-errors.ts'
import type { FieldErrors } from './tsoa-validation.ts'

type AuthErrorBody = { error: string | null; trace: 'isAuthenticated.error' }
type InternalErrorBody = { message: string; details: string }
type ValidationFailedBody = { message: 'Validation Failed'; details: FieldErrors }
type ResultErrorBody = { data: null; error: string }
type PlainErrorBody = { error: string }

export const NO_AUTHORIZATION_HEADER: ErrorTemplate<AuthErrorBody> = {
  status: 401,
  body: { error: 'No authorization header', trace: 'isAuthenticated.error' },
}
export const NO_API_KEY_FOUND: ErrorTemplate<AuthErrorBody> = {
  status: 401,
  body: { error: 'No API key found', trace: 'isAuthenticated.error' },
}
/** The key is valid but lacks the permission the method needs: the auth result succeeded, so `error` is null. */
export const MISSING_PERMISSION: ErrorTemplate<AuthErrorBody> = { status: 401, body: { error: null, trace: 'isAuthenticated.error' } }
/** tsoa's ValidateError, answered by jawn's error handler. */
export const VALIDATION_FAILED: ErrorTemplate<ValidationFailedBody> = { status: 422, body: { message: 'Validation Failed', details: {} } }
/** jawn's rate limiter (only when Redis is configured), with its `RateLimit-*` headers left out. */
export const RATE_LIMITED: ErrorTemplate<PlainErrorBody> = { status: 429, body: { error: 'Too many requests, please try again later.' } }
/** The global handler's answer to an uncaught error (`NODE_ENV=production`: no message, no stack). */
export const INTERNAL_SERVER_ERROR: ErrorTemplate<InternalErrorBody> = {
  status: 500,
  body: { message: 'Internal Server Error', details: 'Internal Server Error' },
}
/** A controller's `err(...)` result (status set by the controller). */
export const RESULT_ERROR: ErrorTemplate<ResultErrorBody> = { status: 500, body: { data: null, error: 'Internal Server Error' } }
/** The worker's answer to a log body it cannot read. */
export const INVALID_LOG_BODY: ErrorTemplate<PlainErrorBody> = { status: 400, body: { error: 'Invalid log body' } }
/** Express's 404 for a path jawn has no route for (after authentication). */
export const ROUTE_NOT_FOUND: ErrorTemplate<PlainErrorBody> = { status: 404, body: { error: 'Not Found' } }

/** The AI gateway's plain-text 401s (worker/src/routers/aiGatewayRouter.ts), in the order it checks. */
const PLAIN_TEXT = { 'content-type': 'text/plain;charset=UTF-8' }
export const AI_GATEWAY_KEY_MISSING: ErrorTemplate<string> = { status: 401, body: 'Invalid Helicone API key (hshed)', headers: PLAIN_TEXT }
export const AI_GATEWAY_KEY_INVALID: ErrorTemplate<string> = { status: 401, body: 'Invalid Helicone API key', headers: PLAIN_TEXT }
export const AI_GATEWAY_ORGANIZATION_NOT_FOUND: ErrorTemplate<string> = { status: 401, body: 'Organization not found', headers: PLAIN_TEXT }
/** The AI gateway's answer to any method but POST (and `GET /v1/models`, not emulated). */
export const AI_GATEWAY_METHOD_NOT_ALLOWED: ErrorTemplate<string> = {
  status: 405,
  body: 'Method not allowed. AI Gateway only accepts POST requests.',
  headers: { ...PLAIN_TEXT, allow: 'POST, GET' },
}
/** [emulator] A POST under `/ai-gateway` the emulator does not serve (the real gateway takes any path as chat). */
export const AI_GATEWAY_NOT_FOUND: ErrorTemplate<string> = { status: 404, body: 'Not Found', headers: PLAIN_TEXT }
/** The AI gateway's 400s before any provider is tried (worker/src/lib/ai-gateway/SimpleAIGateway.ts). */
export const AI_GATEWAY_MISSING_MODEL = 'Invalid body or missing model. See supported models at https://helicone.ai/models'
export const AI_GATEWAY_MODEL_NOT_STRING = 'Invalid model type. Model must be a string. See supported models at https://helicone.ai/models'
export const PLAIN_TEXT_TYPE = PLAIN_TEXT['content-type']

/** The worker's `handleError` answer to anything thrown while serving a call (worker/src/index.ts). */
export function workerError(message: string): HttpError {
  return HttpError.fromTemplate(
    { status: 500, body: null },
    {
      body: {
        'helicone-message': `Helicone ran into an error servicing your request: ${message}`,
        support: "Please reach out on our discord or email us at help@helicone.ai, we'd love to help!",
        'helicone-error': '{}',
      },
      headers: { 'content-type': 'application/json;charset=UTF-8', 'helicone-error': 'true' },
    },
  )
}

/** The answer to a path under an LLM mount that the emulator does not serve: the provider's 404, or the AI gateway's 405. */
export function llmRouteNotFound(method: string, path: string): HttpError | undefined {
  const mount = llmMountOf(path)
  if (mount === undefined) return undefined
  if (mount === 'ai-gateway') return HttpError.fromTemplate(method === 'POST' ? AI_GATEWAY_NOT_FOUND : AI_GATEWAY_METHOD_NOT_ALLOWED)
  const body = providerNotFound(mount === 'anthropic' ? 'anthropic' : 'openai', method, pathAfterMount(path, mount))
  return HttpError.fresh(404, body)
}

export const INVALID_REQUEST_ID = 'Invalid requestId: must be a valid UUID'
export const INVALID_TIME_FILTER = 'Invalid time filter'
export const INVALID_TIME_ZONE_DIFFERENCE = 'Invalid time zone difference'
/** jawn's friendly text for a ClickHouse query timeout (jawn src/lib/shared/db/clickhouse: "Query timeout"). */
export const QUERY_TIMEOUT = 'Query timeout. Try a shorter time range or simpler filters.'

export function validationFailed(details: FieldErrors): HttpError {
  return HttpError.fromTemplate(VALIDATION_FAILED, { body: { ...VALIDATION_FAILED.body, details } })
}

/** The global handler's 500 body (also sent, oddly, with 413 for a body over the limit). */
export function internalServerError(status = 500): HttpError {
  return HttpError.fromTemplate({ ...INTERNAL_SERVER_ERROR, status })
}

/** A controller's `err(...)` result. */
export function resultError(status: number, error: string): HttpError {
  return HttpError.fromTemplate({ ...RESULT_ERROR, status }, { body: { data: null, error } })
}

export function invalidLogBody(message: string): HttpError {
  return HttpError.fromTemplate(INVALID_LOG_BODY, { body: { error: message } })
}

export function routeNotFound(method: string, path: string): HttpError {
  return HttpError.fromTemplate(ROUTE_NOT_FOUND, { body: { error: `Cannot ${method} ${path}` } })
}

/** An error the real server raises as a JS exception (→ the global handler's 500). */
export class UncaughtServerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UncaughtServerError'
  }
}

/**
 * Helicone's body for a status: 401, 404, 422 and 429 as jawn answers them, 5xx the global handler's body,
 * any other status a controller's `{"data":null,"error":"<reason phrase>"}` result [emulator].
 */
export function heliconeErrorForStatus(status: number): HttpError {
  if (status === 401) return HttpError.fromTemplate(NO_API_KEY_FOUND)
  if (status === 404) return HttpError.fromTemplate(ROUTE_NOT_FOUND)
  if (status === 422) return HttpError.fromTemplate(VALIDATION_FAILED)
  if (status === 429) return HttpError.fromTemplate(RATE_LIMITED)
  if (status >= 500) return internalServerError(status)
  return resultError(status, STATUS_CODES[status] ?? `HTTP ${status}`)
}

/** The answer to an LLM route's body that is not JSON: the provider's 400, or the AI gateway's (it reads it as no body). */
function llmMalformedBody(operation: Operation | null): HttpError | undefined {
  const route = llmRouteOf(operation?.operationId)
  if (route === undefined) return undefined
  if (route.mount === 'ai-gateway') {
    return HttpError.fromTemplate({ status: 400, body: AI_GATEWAY_MISSING_MODEL, headers: PLAIN_TEXT })
  }
  const { status, body } = malformedBodyError(route.api)
  return HttpError.fromTemplate({ status, body })
}

export const heliconeErrors: VendorErrors = {
  // Only the worker's logging routes are checked by ajv (jawn's are tsoa's, the LLM routes' the provider's):
  // the worker's 400.
  invalidRequest: (violations: Violation[]) =>
    invalidLogBody(`Invalid log body: ${violations.map((v) => `${formatLocation(v.location)} ${v.message}`).join('; ')}`),
  // body-parser's SyntaxError reaches jawn's global error handler; an LLM route's body is the provider's.
  malformedJson: (_error, operation) => llmMalformedBody(operation) ?? internalServerError(),
  notFound: (method, path) => llmRouteNotFound(method, path) ?? routeNotFound(method, path),
  methodNotAllowed: (method, path) => llmRouteNotFound(method, path) ?? routeNotFound(method, path),
  payloadTooLarge: () => internalServerError(413),
  internal: () => internalServerError(),
  forStatus: heliconeErrorForStatus,
}
