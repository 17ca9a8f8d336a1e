import express, { type NextFunction, type Request, type Response, type Router } from 'express'
import { HttpError, isHttpError } from './http-error.ts'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../util/json-depth.ts'
import { formatLocation } from '../openapi/violations.ts'
import type { Operation, OperationTable } from '../openapi/operations.ts'
import type { ApiModule, OperationHandler, Reply } from '../vendors/vendor.ts'

export const BODY_LIMIT = '1mb'

export type VendorRouterOptions = {
  /** Check every response against the spec; a violation becomes a 500 naming the operation and path. */
  strict: boolean
  /** Where unexpected errors are reported (never into a response). */
  logError: (message: string, error: unknown) => void
}

const parseJson = express.json({ limit: BODY_LIMIT, strict: false, type: (req) => isJsonRequest(req as Request) })

/**
 * The request pipeline every vendor shares, in the order the real servers run it:
 * route match → authentication → body parsing → 404/405 → request validation → handler → (strict) response check.
 * Each failure is answered by the vendor's own error template.
 */
export function createOperationRouter<C extends { operations: OperationTable }>(
  vendor: ApiModule<C>,
  ctx: C,
  options: VendorRouterOptions,
): Router {
  const handlers = vendor.createHandlers(ctx)
  for (const operation of ctx.operations.operations) {
    if (handlers[operation.operationId] === undefined) {
      throw new Error(
        `${vendor.name}: no handler for operation ${operation.operationId} (${operation.method.toUpperCase()} ${operation.path})`,
      )
    }
  }

  const router = express.Router()
  router.use(async (req: Request, res: Response) => {
    const match = ctx.operations.match(req.method, req.path)
    const operation = match.operation
    try {
      if (vendor.parseBodyBeforeAuth === true && operation !== null) await parseBody(req, res, vendor, operation)
      const grant = vendor.authenticate(req, operation, ctx)
      if (operation !== null && grant === null)
        throw new Error(`${vendor.name}: authenticate returned no grant for ${operation.operationId}`)
      await parseBody(req, res, vendor, operation)
      if (match.operation === null) {
        throw match.allowed.length > 0
          ? vendor.errors.methodNotAllowed(
              req.method,
              req.path,
              match.allowed.map((m) => m.toUpperCase()),
            )
          : vendor.errors.notFound(req.method, req.path)
      }
      const body = req.body as unknown
      // Validation coerces and fills defaults in place; vendors echo the body as it was sent.
      const bodyAsSent = body !== null && typeof body === 'object' ? structuredClone(body) : body
      const input = {
        operation: match.operation,
        grant: grant!,
        path: match.pathParams,
        query: { ...(req.query as Record<string, unknown>) },
        headers: { ...req.headers } as Record<string, unknown>,
        body,
        bodyAsSent,
        req,
      }
      const violations = match.operation.validateRequest(input)
      if (violations.length > 0) throw vendor.errors.invalidRequest(violations, match.operation, bodyAsSent)
      const handler = handlers[match.operation.operationId] as OperationHandler
      send(res, operation, await handler(input), options)
    } catch (error) {
      if (isHttpError(error)) {
        send(res, operation, { status: error.status, body: error.body, headers: { ...error.headers } }, options)
        return
      }
      options.logError(`${vendor.name} ${req.method} ${req.originalUrl} failed`, error)
      const internal = safeInternal(vendor, error)
      send(res, operation, { status: internal.status, body: internal.body, headers: { ...internal.headers } }, options)
    }
  })
  return router
}

function safeInternal<C extends { operations: OperationTable }>(vendor: ApiModule<C>, error: unknown): HttpError {
  try {
    return vendor.errors.internal(error)
  } catch {
    return new HttpError(500, { message: 'Internal Server Error' })
  }
}

function isJsonRequest(req: Request): boolean {
  const type = req.headers['content-type']
  // Vendors' clients always send JSON; a body without a content type is read as JSON too (as curl -d does not set one).
  return type === undefined || /json/i.test(type)
}

async function parseBody<C extends { operations: OperationTable }>(
  req: Request,
  res: Response,
  vendor: ApiModule<C>,
  operation: Operation | null,
): Promise<void> {
  if (req.body !== undefined) return
  await new Promise<void>((resolve, reject) => {
    parseJson(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return resolve()
      const type = (error as { type?: string }).type
      if (type === 'entity.too.large') return reject(vendor.errors.payloadTooLarge(BODY_LIMIT))
      if (type === 'entity.parse.failed') return reject(vendor.errors.malformedJson(error as Error & { body?: string }, operation))
      // Any other client-side failure to read the body (unsupported charset or encoding, a body that does
      // not match its Content-Encoding, an aborted upload…) is the vendor's malformed-body answer, not a 500.
      const status = (error as { status?: unknown }).status
      if (typeof status === 'number' && status >= 400 && status < 500) return reject(vendor.errors.malformedJson(error as Error, operation))
      reject(error)
    })
  })
  if (jsonDepthExceeds(req.body)) {
    const error = new RangeError(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`)
    req.body = undefined
    throw vendor.errors.malformedJson(error, operation)
  }
  // body-parser leaves an empty body as {} — an absent body must stay absent for "body required" checks.
  if (Number(req.headers['content-length'] ?? '0') === 0 && req.headers['transfer-encoding'] === undefined) req.body = undefined
}

function send(res: Response, operation: Operation | null, reply: Reply, options: VendorRouterOptions): void {
  let { status, body } = reply
  let headers = reply.headers ?? {}
  if (options.strict && operation !== null) {
    const violations = operation.validateResponse(status, body)
    if (violations.length > 0) {
      options.logError(`${operation.operationId}: response ${status} violates the spec`, violations)
      headers = { 'content-type': 'application/problem+json' }
      body = {
        type: 'https://llm-feedback-emulator.local/problems/response-violates-spec',
        title: 'The emulator answered something its spec does not allow',
        status: 500,
        detail: `${operation.operationId} (${operation.method.toUpperCase()} ${operation.path}) answered ${status}: ${violations
          .map((v) => `${formatLocation(v.location)} ${v.message}`)
          .join('; ')}`,
        operation: operation.operationId,
        violations: violations.map((v) => ({ path: formatLocation(v.location), message: v.message })),
      }
      status = 500
    }
  }
  res.status(status)
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  if (body === undefined) {
    res.end()
  } else if (res.getHeader('content-type') !== undefined) {
    res.send(JSON.stringify(body))
  } else {
    res.json(body)
  }
}

/** The final safety net of the whole app: whatever escaped, answer JSON and never a stack trace. */
export function lastResortErrorHandler(logError: VendorRouterOptions['logError']) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const type = (error as { type?: string }).type
    if (type === 'entity.too.large') {
      res
        .status(413)
        .type('application/problem+json')
        .send(JSON.stringify({ title: 'Payload Too Large', status: 413, detail: `The body is over ${BODY_LIMIT}.` }))
      return
    }
    if (type === 'entity.parse.failed') {
      res
        .status(400)
        .type('application/problem+json')
        .send(JSON.stringify({ title: 'Malformed JSON', status: 400, detail: 'The body is not valid JSON.' }))
      return
    }
    logError(`${req.method} ${req.originalUrl} failed`, error)
    if (res.headersSent) return
    res
      .status(500)
      .type('application/problem+json')
      .send(JSON.stringify({ title: 'Internal Server Error', status: 500 }))
  }
}
