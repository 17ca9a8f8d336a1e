/**
 * One error answer of a vendor (or of the control API), as data: status, body in the vendor's own shape,
 * and any headers it always carries. Each vendor's `errors.ts` declares its templates (SCREAMING_SNAKE
 * constants); `HttpError.fromTemplate` is the one way to turn a template into a thrown answer.
 */
export type ErrorTemplate<Body = unknown> = {
  readonly status: number
  readonly body: Body
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * An error that already knows the exact HTTP answer it stands for. Services and handlers throw it; the
 * pipeline sends it as it is (Prism's `ProblemJsonError.fromTemplate` is the model).
 */
export class HttpError extends Error {
  readonly status: number
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>

  private constructor(status: number, body: unknown, headers: Record<string, string>) {
    super(`HTTP ${status}`)
    this.name = 'HttpError'
    this.status = status
    this.body = body
    this.headers = headers
  }

  /**
   * An answer whose body was built for this request alone (a validation error list, a problem): sent as it
   * is. Templates are shared constants, so `fromTemplate` copies theirs; a body that may hold most of a 1 MB
   * request (pydantic echoes inputs) must not be copied again.
   */
  static fresh(status: number, body: unknown, headers: Record<string, string> = {}): HttpError {
    return new HttpError(status, body, { ...headers })
  }

  /** The template's answer; `body` replaces the template's body (vendors fill their message slot here). */
  static fromTemplate<Body>(template: ErrorTemplate<Body>, override: { body?: Body; headers?: Record<string, string> } = {}): HttpError {
    const body = override.body === undefined ? structuredClone(template.body) : override.body
    return new HttpError(template.status, body, { ...template.headers, ...override.headers })
  }
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError
}
