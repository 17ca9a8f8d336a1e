import { HttpError } from '../../http/http-error.ts'
import { formatLocation, type Violation } from '../../openapi/violations.ts'
import type { VendorErrors } from '../vendor.ts'
import type { ErrorCode, ErrorResponse } from './types.ts'

/** One of Portkey's control-plane errors (api-reference/admin-api/error.mdx): status, code, default message. */
export type ErrorTemplate = { status: number; errorCode: ErrorCode; message: string }

export const VALIDATION_ERROR: ErrorTemplate = { status: 400, errorCode: 'AB01', message: 'Request Validation Error' }
export const UNAUTHORIZED: ErrorTemplate = { status: 401, errorCode: 'AB05', message: 'Invalid API Key' }
export const FORBIDDEN: ErrorTemplate = {
  status: 403,
  errorCode: 'AB03',
  message: 'You do not have enough permissions to execute this request',
}
export const NOT_FOUND: ErrorTemplate = { status: 404, errorCode: 'AB08', message: 'Resource not found' }
export const PAYLOAD_TOO_LARGE: ErrorTemplate = { status: 413, errorCode: 'AB01', message: 'Request Validation Error' }
export const INTERNAL_ERROR: ErrorTemplate = { status: 500, errorCode: 'AB04', message: 'Internal Server Error' }

/** `{"success":false,"data":{"message","errorCode"}}`; `message` replaces the template's when given. */
export function portkeyError(template: ErrorTemplate, message?: string): HttpError {
  const body: ErrorResponse = { success: false, data: { message: message ?? template.message, errorCode: template.errorCode } }
  return new HttpError(template.status, body)
}

/** A 400 AB01 whose message says what failed: `Request Validation Error: body[1].value must be <= 10`. */
export function validationError(detail: string): HttpError {
  return portkeyError(VALIDATION_ERROR, `${VALIDATION_ERROR.message}: ${detail}`)
}

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
  const lines: string[] = []
  // Only the root type is wrong (a scalar body): say which types the operation takes.
  const rootTypes = relevant.filter(isRootNoise).map((v) => String(v.params['type']))
  if (rootTypes.length > 0) lines.push(`body must be ${rootTypes.join(' or ')}`)
  for (const v of relevant) {
    if (isRootNoise(v)) continue
    const where = formatLocation(v.location)
    const line =
      v.keyword === 'required' && v.location.length === 1
        ? 'body is required'
        : v.keyword === 'required'
          ? `${where} is required`
          : `${where} ${v.message}`
    if (!lines.includes(line)) lines.push(line)
  }
  let detail = lines.join('; ')
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

export const portkeyErrors: VendorErrors = {
  invalidRequest: (violations, _operation, body) => validationError(describeViolations(violations, body)),
  malformedJson: () => validationError('the request body is not valid JSON'),
  notFound: (method, path) => portkeyError(NOT_FOUND, `Not found: ${method} ${path}`),
  // Portkey's API has no 405: a path without the method is just an unknown route.
  methodNotAllowed: (method, path) => portkeyError(NOT_FOUND, `Not found: ${method} ${path}`),
  payloadTooLarge: (limit) => portkeyError(PAYLOAD_TOO_LARGE, `${PAYLOAD_TOO_LARGE.message}: the request body is larger than ${limit}`),
  internal: () => portkeyError(INTERNAL_ERROR),
}
