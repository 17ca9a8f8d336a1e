import { STATUS_CODES } from 'node:http'
import { HttpError, type ErrorTemplate } from '../../http/http-error.ts'
import { formatLocation, type Violation } from '../../openapi/violations.ts'
import type { VendorErrors } from '../vendor.ts'
import type { ErrorCode, ErrorResponse, GatewayFailure, ProviderError } from './types.ts'

/** One of Portkey's control-plane errors (api-reference/admin-api/error.mdx in Portkey-AI/docs-core). */
export type PortkeyErrorTemplate = ErrorTemplate<ErrorResponse>

const template = (status: number, errorCode: ErrorCode, message: string): PortkeyErrorTemplate => ({
  status,
  body: { success: false, data: { message, errorCode } },
})

export const VALIDATION_ERROR = template(400, 'AB01', 'Request Validation Error')
export const UNAUTHORIZED = template(401, 'AB05', 'Invalid API Key')
export const SUBSCRIPTION_EXHAUSTED = template(402, 'AB09', 'Subscription exhausted')
export const FORBIDDEN = template(403, 'AB03', 'You do not have enough permissions to execute this request')
export const NOT_FOUND = template(404, 'AB08', 'Resource not found')
export const CONFLICT = template(409, 'AB07', 'Resource already exists')
export const PAYLOAD_TOO_LARGE = template(413, 'AB01', 'Request Validation Error')
export const RATE_LIMITED = template(429, 'AB06', 'Rate limit exceeded')
export const INTERNAL_ERROR = template(500, 'AB04', 'Internal Server Error')

const BY_STATUS: readonly PortkeyErrorTemplate[] = [
  VALIDATION_ERROR,
  UNAUTHORIZED,
  SUBSCRIPTION_EXHAUSTED,
  FORBIDDEN,
  NOT_FOUND,
  CONFLICT,
  PAYLOAD_TOO_LARGE,
  RATE_LIMITED,
  INTERNAL_ERROR,
]

/** `{"success":false,"data":{"message","errorCode"}}`; `message` replaces the template's when given. */
export function portkeyError(t: PortkeyErrorTemplate, message?: string): HttpError {
  return message === undefined
    ? HttpError.fromTemplate(t)
    : HttpError.fromTemplate(t, { body: { ...t.body, data: { ...t.body.data, message } } })
}

/**
 * Portkey's body for a status: the documented code for it (AB01 400 … AB04 500), else the envelope with the
 * class's code (AB01 for 4xx, AB04 for 5xx) and the HTTP reason phrase as message [emulator].
 */
export function portkeyErrorForStatus(status: number): HttpError {
  const known = BY_STATUS.find((t) => t.status === status)
  if (known !== undefined) return portkeyError(known)
  const fallback = status >= 500 ? INTERNAL_ERROR : VALIDATION_ERROR
  return HttpError.fromTemplate(
    { ...fallback, status },
    { body: { success: false, data: { message: STATUS_CODES[status] ?? `HTTP ${status}`, errorCode: fallback.body.data.errorCode } } },
  )
}

/** A 400 AB01 whose message says what failed: `Request Validation Error: body[1].value must be <= 10`. */
export function validationError(detail: string): HttpError {
  return portkeyError(VALIDATION_ERROR, `${VALIDATION_ERROR.body.data.message}: ${detail}`)
}

/**
 * How many faults one AB01 message names. Portkey's own validator is not public and its messages name a
 * field or two; the emulator lists the first 20 (then `…`), so a body of 100,000 bad items answers one line.
 */
export const MAX_MESSAGE_FAULTS = 20

/**
 * Turns ajv violations into one readable line naming each field (with the array index for array bodies).
 * Bodies declared `oneOf: [object, array of object]` report the branch that does not apply as a bare
 * "must be object"/"must be array" at the root; that noise is dropped when a real fault is also reported.
 */
export function describeViolations(violations: readonly Violation[], body: unknown): string {
  const isRootNoise = (v: Violation) =>
    v.location.length === 1 && v.location[0] === 'body' && (v.keyword === 'type' || v.keyword === 'oneOf' || v.keyword === 'anyOf')
  let relevant = violations.filter((v) => v.keyword !== 'oneOf' && v.keyword !== 'anyOf' && v.keyword !== 'if')
  if (relevant.some((v) => !isRootNoise(v))) relevant = relevant.filter((v) => !isRootNoise(v))
  // A Set: each line once, in linear time.
  const lines = new Set<string>()
  // Only the root type is wrong (a scalar body): say which types the operation takes.
  const rootTypes = relevant.filter(isRootNoise).map((v) => String(v.params['type']))
  if (rootTypes.length > 0) lines.add(`body must be ${rootTypes.join(' or ')}`)
  let more = false
  for (const v of relevant) {
    if (isRootNoise(v)) continue
    const where = formatLocation(v.location)
    const line =
      v.keyword === 'required' && v.location.length === 1
        ? 'body is required'
        : v.keyword === 'required'
          ? `${where} is required`
          : `${where} ${v.message}`
    if (lines.size >= MAX_MESSAGE_FAULTS && !lines.has(line)) {
      more = true
      break
    }
    lines.add(line)
  }
  let detail = [...lines].join('; ')
  if (more) detail += '; …'
  if (isIndexKeyedObject(body)) {
    detail += ' (the body is an object with keys "0", "1", …: the portkey-ai Node SDK sends an array that way; send a JSON array)'
  }
  return detail
}

/** `{"0": {...}, "1": {...}}`: what the Node SDK makes of an array body. */
function isIndexKeyedObject(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false
  const keys = Object.keys(body)
  return keys.length > 0 && keys.every((k, i) => k === String(i))
}

// ---- The gateway routes answer in the gateway's own shapes (Portkey-AI/gateway src/middlewares/requestValidator,
// src/handlers/*Handler.ts, src/providers/utils.ts), not in the control-plane envelope.

/** The gateway operations (specs/portkey.yaml, tag Gateway). */
export const GATEWAY_OPERATIONS: ReadonlySet<string> = new Set([
  'createChatCompletion',
  'createCompletion',
  'createEmbedding',
  'createMessage',
])

export type GatewayFailureTemplate = ErrorTemplate<GatewayFailure>

/** 401 on a gateway route without an accepted Portkey key [emulator: hosted Portkey documents no body]. */
export const GATEWAY_UNAUTHORIZED: GatewayFailureTemplate = { status: 401, body: { status: 'failure', message: 'Invalid API Key' } }
/** What the gateway's handlers answer when the request cannot be handled (a body that is not JSON). */
export const GATEWAY_EXCEPTION: GatewayFailureTemplate = { status: 500, body: { status: 'failure', message: 'Something went wrong' } }

/** `{"status":"failure","message"}` (with `errors` for an invalid config): the gateway's own refusal. */
export function gatewayFailure(status: number, message: string, errors?: string[]): HttpError {
  const body: GatewayFailure = errors === undefined ? { status: 'failure', message } : { status: 'failure', message, errors }
  return HttpError.fromTemplate<GatewayFailure>({ status, body })
}

/** A provider's refusal relayed by the gateway, with the gateway's response headers. */
export function providerFailure(status: number, body: ProviderError, headers: Record<string, string>): HttpError {
  return HttpError.fromTemplate<ProviderError>({ status, body }, { headers })
}

export const portkeyErrors: VendorErrors = {
  invalidRequest: (violations, _operation, body) => validationError(describeViolations(violations, body)),
  malformedJson: (_error, operation) =>
    operation !== null && GATEWAY_OPERATIONS.has(operation.operationId)
      ? HttpError.fromTemplate(GATEWAY_EXCEPTION)
      : validationError('the request body is not valid JSON'),
  notFound: (method, path) => portkeyError(NOT_FOUND, `Not found: ${method} ${path}`),
  // Portkey's API has no 405: a path without the method is just an unknown route.
  methodNotAllowed: (method, path) => portkeyError(NOT_FOUND, `Not found: ${method} ${path}`),
  payloadTooLarge: (limit) =>
    portkeyError(PAYLOAD_TOO_LARGE, `${PAYLOAD_TOO_LARGE.body.data.message}: the request body is larger than ${limit}`),
  internal: () => portkeyError(INTERNAL_ERROR),
  forStatus: portkeyErrorForStatus,
}
