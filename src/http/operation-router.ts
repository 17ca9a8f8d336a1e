import express, { type NextFunction, type Request, type Response, type Router } from 'express'
import type { FaultRules, FaultRuleState } from '../control/fault-rules.ts'
import { MAX_HOLD_MS } from '../control/fault-rules.ts'
import type { Operation, OperationTable } from '../openapi/operations.ts'
import { formatLocation } from '../openapi/violations.ts'
import type { ApiModule, OperationHandler, Reply, RequestParts } from '../vendors/vendor.ts'
import { HttpError, isHttpError } from './http-error.ts'
import { problem } from './problem.ts'
import { BODY_LIMIT, BodyReadError, readBody } from './read-body.ts'
import { sendHttpError, serializeReply, writeReply } from './reply.ts'

export type PipelineOptions = {
  /** Check every response against the spec; a violation becomes a 500 naming the operation and path. */
  strict: boolean
  /** Where unexpected errors are reported (never into a response). */
  logError: (message: string, error: unknown) => void
  /** Fault rules and overrides (vendor routes only). */
  faults?: Pick<FaultRules, 'take'>
}

/**
 * The request pipeline every vendor (and the control API) shares, in the order the real servers run it:
 * route match → fault rules → authentication → body → 404/405 → request validation (ajv, or the vendor
 * framework's own rules) → handler → (strict) response check. Each failure is answered by the module's own
 * error template.
 */
export function createOperationRouter<C extends { operations: OperationTable }>(
  module: ApiModule<C>,
  ctx: C,
  options: PipelineOptions,
): Router {
  const handlers = module.createHandlers(ctx)
  const frameworkChecks = new Map<string, (parts: RequestParts) => RequestParts>()
  for (const operation of ctx.operations.operations) {
    const where = `${module.name}: ${operation.operationId} (${operation.method.toUpperCase()} ${operation.path})`
    if (handlers[operation.operationId] === undefined) throw new Error(`${where} has no handler`)
    if (operation.validatedBy === null) continue
    if (module.frameworkValidator?.name !== operation.validatedBy) {
      throw new Error(`${where} is x-emulator-validated-by ${operation.validatedBy}, which the module does not provide`)
    }
    frameworkChecks.set(operation.operationId, module.frameworkValidator.compile(operation))
  }

  const router = express.Router()
  router.use(async (req: Request, res: Response) => {
    const match = ctx.operations.match(req.method, req.path)
    const operation = match.operation
    try {
      if (options.faults !== undefined) {
        const fault = options.faults.take({
          vendor: module.name,
          operationId: operation?.operationId ?? null,
          method: req.method,
          path: req.originalUrl.split('?')[0] ?? '',
          apiKey: module.apiKeyOf(req),
        })
        if (fault !== null && (await actOut(fault, req, res, module))) return
      }
      if (module.parseBodyBeforeAuth === true && operation !== null) await bodyOf(req, res, module, operation)
      const grant = module.authenticate(req, operation, ctx)
      const bodyAsSent = await bodyOf(req, res, module, operation)
      if (match.operation === null) {
        throw match.allowed.length > 0
          ? module.errors.methodNotAllowed(
              req.method,
              req.path,
              match.allowed.map((m) => m.toUpperCase()),
            )
          : module.errors.notFound(req.method, req.path)
      }
      if (grant === null) throw new Error(`${module.name}: authenticate returned no grant for ${match.operation.operationId}`)
      // Path, query and headers are coerced in place (copies); the body never is: ajv checks it without
      // defaults, tsoa and pydantic build their values beside it. So no copy of a body (a copy of one of
      // 60,000 keys cost more than its parse).
      const parts = {
        path: match.pathParams as Record<string, unknown>,
        query: { ...(req.query as Record<string, unknown>) },
        headers: { ...req.headers } as Record<string, unknown>,
        body: bodyAsSent,
      }
      const violations = match.operation.validateRequest(parts)
      if (violations.length > 0) throw module.errors.invalidRequest(violations, match.operation, bodyAsSent)
      const framework = frameworkChecks.get(match.operation.operationId)
      const parsed = framework === undefined ? parts : framework(parts)
      const handler = handlers[match.operation.operationId] as OperationHandler
      const reply = await handler({
        operation: match.operation,
        grant,
        path: parsed.path,
        query: parsed.query,
        headers: parts.headers,
        body: parsed.body,
        bodyAsSent,
        req,
      })
      await send(res, operation, reply, options)
    } catch (error) {
      if (res.headersSent) {
        // A streamed answer failed half-way: nothing can be answered any more.
        options.logError(`${module.name} ${req.method} ${req.originalUrl} failed after the answer started`, error)
        res.destroy()
        return
      }
      if (isHttpError(error))
        return void (await send(res, operation, { status: error.status, body: error.body, headers: { ...error.headers } }, options))
      options.logError(`${module.name} ${req.method} ${req.originalUrl} failed`, error)
      const internal = safeInternal(module, error)
      await send(res, operation, { status: internal.status, body: internal.body, headers: { ...internal.headers } }, options)
    }
  })
  return router
}

/** The JSON body as sent (undefined when absent or not JSON: vendors read only JSON), or the vendor's error. */
async function bodyOf<C extends { operations: OperationTable }>(
  req: Request,
  res: Response,
  module: ApiModule<C>,
  operation: Operation | null,
): Promise<unknown> {
  const limit = module.bodyLimit ?? BODY_LIMIT
  try {
    const body = await readBody(req, res, limit)
    return body.kind === 'json' ? body.value : undefined
  } catch (error) {
    if (!(error instanceof BodyReadError)) throw error
    throw error.reason === 'tooLarge' ? module.errors.payloadTooLarge(limit) : module.errors.malformedJson(error.cause, operation)
  }
}

function safeInternal<C extends { operations: OperationTable }>(module: ApiModule<C>, error: unknown): HttpError {
  try {
    return module.errors.internal(error)
  } catch {
    return problem(500, 'Internal Server Error')
  }
}

/**
 * Acts out a fault: waits `delayMs`, then resets, holds or answers. Returns false when the request is to be
 * served normally (a delay-only rule). A faulted request never reaches a handler, so it changes no state.
 */
async function actOut<C extends { operations: OperationTable }>(
  fault: FaultRuleState,
  req: Request,
  res: Response,
  module: ApiModule<C>,
): Promise<boolean> {
  if (fault.delayMs !== undefined && fault.delayMs > 0) await waitUnlessClosed(req, fault.delayMs)
  if (req.destroyed || res.writableEnded) return true
  if (fault.kind === 'reset') {
    req.socket.destroy()
    return true
  }
  if (fault.kind === 'timeout') {
    await waitUnlessClosed(req, MAX_HOLD_MS)
    req.socket.destroy()
    return true
  }
  if (fault.status === undefined) return false
  const vendorAnswer = fault.body === undefined ? module.errors.forStatus(fault.status) : null
  writeReply(res, serializeReply(fault.status, fault.body ?? vendorAnswer?.body, { ...vendorAnswer?.headers, ...fault.headers }))
  return true
}

/** Resolves after `ms`, or as soon as the client goes away; never keeps the process alive. */
function waitUnlessClosed(req: Request, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      req.socket.off('close', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    timer.unref()
    req.socket.once('close', done)
  })
}

async function send(res: Response, operation: Operation | null, reply: Reply, options: PipelineOptions): Promise<void> {
  if ('write' in reply) {
    res.status(reply.status)
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value)
    await reply.write(res)
    return
  }
  let serialized = serializeReply(reply.status, reply.body, reply.headers)
  if (options.strict && operation !== null) {
    // Check the bytes that go out, parsed back: never the live (often stored) object.
    const sent =
      serialized.text === undefined
        ? undefined
        : serialized.headers['content-type']?.includes('json')
          ? JSON.parse(serialized.text)
          : serialized.text
    const violations = operation.validateResponse(serialized.status, sent)
    if (violations.length > 0) {
      options.logError(`${operation.operationId}: response ${serialized.status} violates the spec`, violations)
      const error = problem(500, 'The emulator answered something its spec does not allow', {
        type: 'response-violates-spec',
        detail: `${operation.operationId} (${operation.method.toUpperCase()} ${operation.path}) answered ${serialized.status}: ${violations
          .map((v) => `${formatLocation(v.location)} ${v.message}`)
          .join('; ')}`,
        operation: operation.operationId,
        violations: violations.map((v) => ({ path: formatLocation(v.location), message: v.message })),
      })
      serialized = serializeReply(error.status, error.body, error.headers)
    }
  }
  writeReply(res, serialized)
}

/** The final safety net of the whole app: whatever escaped, answer JSON and never a stack trace. */
export function lastResortErrorHandler(logError: PipelineOptions['logError']) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    logError(`${req.method} ${req.originalUrl} failed`, error)
    if (res.headersSent) return
    sendHttpError(res, problem(500, 'Internal Server Error'))
  }
}
