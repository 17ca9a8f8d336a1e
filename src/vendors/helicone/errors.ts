// Helicone's error bodies, as jawn sends them (auth middleware, tsoa's ValidateError handler, the global
// error handler in production, and the `Result` objects its controllers return).
import { HttpError } from '../../http/http-error.ts'
import type { FieldErrors } from './tsoa-validation.ts'

export const NO_AUTHORIZATION_HEADER = { status: 401, error: 'No authorization header' } as const
export const NO_API_KEY_FOUND = { status: 401, error: 'No API key found' } as const
/** The key is valid but lacks the permission the method needs: the auth result succeeded, so `error` is null. */
export const MISSING_PERMISSION = { status: 401, error: null } as const
export const INTERNAL_SERVER_ERROR = { status: 500, message: 'Internal Server Error' } as const
export const INVALID_REQUEST_ID = 'Invalid requestId: must be a valid UUID'
export const INVALID_TIME_FILTER = 'Invalid time filter'
export const INVALID_TIME_ZONE_DIFFERENCE = 'Invalid time zone difference'
/** jawn's friendly text for a ClickHouse query timeout (notes §4.4). */
export const QUERY_TIMEOUT = 'Query timeout. Try a shorter time range or simpler filters.'

export function authError(template: { status: number; error: string | null }): HttpError {
  return new HttpError(template.status, { error: template.error, trace: 'isAuthenticated.error' })
}

export function validationFailed(details: FieldErrors): HttpError {
  return new HttpError(422, { message: 'Validation Failed', details })
}

/** The global handler's answer to an uncaught error (`NODE_ENV=production`: no message, no stack). */
export function internalServerError(status = 500): HttpError {
  return new HttpError(status, { message: INTERNAL_SERVER_ERROR.message, details: INTERNAL_SERVER_ERROR.message })
}

/** A controller's `err(...)` result. */
export function resultError(status: number, error: string): HttpError {
  return new HttpError(status, { data: null, error })
}

/** The worker's answer to a log body it cannot read. */
export function logError(message: string): HttpError {
  return new HttpError(400, { error: message })
}

export function notFound(method: string, path: string): HttpError {
  return new HttpError(404, { error: `Cannot ${method} ${path}` })
}

/** An error the real server raises as a JS exception (→ the global handler's 500). */
export class UncaughtServerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UncaughtServerError'
  }
}
