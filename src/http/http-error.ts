/**
 * An error that already knows the exact HTTP answer it stands for: status, body and headers in the
 * vendor's own shape. Vendors build these from their error templates; the pipeline sends them as they are.
 */
export class HttpError extends Error {
  readonly status: number
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>

  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`HTTP ${status}`)
    this.name = 'HttpError'
    this.status = status
    this.body = body
    this.headers = headers
  }
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError
}
