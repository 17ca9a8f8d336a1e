import type { NextFunction, Request, RequestHandler, Response } from 'express'
import {
  MAX_EXCHANGE_BODY_CHARS,
  snapshotText,
  toExchangeViolations,
  type BodySnapshot,
  type Exchange,
  type ExchangeObserver,
} from '../control/exchange.ts'
import type { FaultRules, FaultRuleState } from '../control/fault-rules.ts'
import { faultFromPrefer, MAX_HOLD_MS } from '../control/fault-rules.ts'
import { isDashboardRequest } from '../control/dashboard.ts'
import type { Operation, OperationTable } from '../openapi/operations.ts'
import { formatLocation } from '../openapi/violations.ts'
import type { ApiModule, OperationHandler, Reply, RequestParts } from '../vendors/vendor.ts'
import { HttpError, isHttpError } from './http-error.ts'
import { problem } from './problem.ts'
import { BODY_LIMIT, BodyReadError, readBody } from './read-body.ts'
import { sendHttpError, serializeReply, writeReply, type SerializedReply } from './reply.ts'

export type PipelineOptions = {
  /** Check every response against the spec; a violation becomes a 500 naming the operation and path. */
  strict: boolean
  /** Where unexpected errors are reported (never into a response). */
  logError: (message: string, error: unknown) => void
  /** Fault rules and overrides, and the `Prefer: code=…, delay=…` shortcuts (vendor routes only). */
  faults?: Pick<FaultRules, 'take'>
  /** Told about every request once it is over (the journal, coverage; vendor routes only). */
  observe?: ExchangeObserver
}

/**
 * The request pipeline every vendor (and the control API) shares, in the order the real servers run it:
 * route match → fault rules → authentication → body → 404/405 → request validation (ajv, or the vendor
 * framework's own rules) → handler → (strict) response check. Each failure is answered by the module's own
 * error template. With an observer, each request leaves an `Exchange` (what was asked, what was answered).
 * A plain handler, not an `express.Router`: mounted with `app.use('/<vendor>', …)` it is called straight from
 * the app's router (a nested router would walk its own layer stack and re-parse the URL for every request).
 */
export function createOperationRouter<C extends { operations: OperationTable }>(
  module: ApiModule<C>,
  ctx: C,
  options: PipelineOptions,
): RequestHandler {
  const handlers = module.createHandlers(ctx)
  const frameworkChecks = new Map<string, (parts: RequestParts) => RequestParts>()
  const frameworks = [module.frameworkValidator ?? []].flat()
  for (const operation of ctx.operations.operations) {
    const where = `${module.name}: ${operation.operationId} (${operation.method.toUpperCase()} ${operation.path})`
    if (handlers[operation.operationId] === undefined) throw new Error(`${where} has no handler`)
    if (operation.validatedBy === null) continue
    const framework = frameworks.find((f) => f.name === operation.validatedBy)
    if (framework === undefined) {
      throw new Error(`${where} is x-emulator-validated-by ${operation.validatedBy}, which the module does not provide`)
    }
    frameworkChecks.set(operation.operationId, framework.compile(operation))
  }

  return async (req: Request, res: Response) => {
    const started = performance.now()
    const match = ctx.operations.match(req.method, req.path)
    const operation = match.operation
    const fullPath = req.originalUrl.split('?')[0] ?? ''
    // The dashboard looks without touching: no faults, no journal, no coverage for its requests.
    const fromDashboard = isDashboardRequest(req)
    const apiKey = options.faults === undefined && options.observe === undefined ? null : module.apiKeyOf(req)
    const exchange = options.observe === undefined || fromDashboard ? null : openExchange(module.name, operation, req, fullPath, apiKey)
    try {
      if (options.faults !== undefined && !fromDashboard) {
        const fault =
          faultFromPrefer(req.headers['prefer']) ??
          options.faults.take({
            vendor: module.name,
            operationId: operation?.operationId ?? null,
            method: req.method,
            path: fullPath,
            apiKey,
          })
        if (fault !== null && (await actOut(fault, req, res, module, exchange))) return
      }
      if (module.parseBodyBeforeAuth === true && operation !== null) await bodyOf(req, res, module, operation)
      const grant = module.authenticate(req, operation, ctx)
      const bodyAsSent = await bodyOf(req, res, module, operation)
      // The body as sent, as text, before a handler could change the parsed object.
      if (exchange !== null) exchange.requestBody = await snapshotBody(req, res)
      if (match.operation === null) {
        exchange?.requestViolations.push({
          location: 'route',
          message:
            match.allowed.length > 0
              ? `specs/${module.name}.yaml has ${req.path} only for ${match.allowed.map((m) => m.toUpperCase()).join(', ')}`
              : `specs/${module.name}.yaml has no operation at ${req.path}`,
        })
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
      if (violations.length > 0) {
        exchange?.requestViolations.push(...toExchangeViolations(violations))
        throw module.errors.invalidRequest(violations, match.operation, bodyAsSent)
      }
      const framework = frameworkChecks.get(match.operation.operationId)
      let parsed: RequestParts = parts
      try {
        if (framework !== undefined) parsed = framework(parts)
      } catch (error) {
        if (isHttpError(error)) {
          exchange?.requestViolations.push({ location: 'request', message: `rejected by ${match.operation.validatedBy} (${error.status})` })
        }
        throw error
      }
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
      await send(res, operation, reply, options, exchange)
    } catch (error) {
      if (res.headersSent) {
        // A streamed answer failed half-way: nothing can be answered any more.
        options.logError(`${module.name} ${req.method} ${req.originalUrl} failed after the answer started`, error)
        res.destroy()
        return
      }
      // Refused before the body was read (401, 404…): the journal still shows what was sent.
      if (exchange !== null && exchange.requestBody === undefined) exchange.requestBody = await snapshotBody(req, res)
      if (isHttpError(error))
        return void (await send(
          res,
          operation,
          { status: error.status, body: error.body, headers: { ...error.headers } },
          options,
          exchange,
        ))
      options.logError(`${module.name} ${req.method} ${req.originalUrl} failed`, error)
      const internal = safeInternal(module, error)
      await send(res, operation, { status: internal.status, body: internal.body, headers: { ...internal.headers } }, options, exchange)
    } finally {
      if (exchange !== null && options.observe !== undefined) {
        exchange.durationMs = performance.now() - started
        if (exchange.status === null) exchange.error ??= 'the client closed the connection before an answer'
        try {
          options.observe(exchange)
        } catch (error) {
          options.logError(`${module.name} ${req.method} ${req.originalUrl}: the journal or coverage failed`, error)
        }
      }
    }
  }
}

function openExchange(vendor: string, operation: Operation | null, req: Request, path: string, apiKey: string | null): Exchange {
  return {
    startedAt: Date.now(),
    durationMs: 0,
    vendor,
    operation,
    method: req.method,
    path,
    query: req.query as Record<string, unknown>,
    requestHeaders: req.headers,
    apiKey,
    requestBody: undefined,
    requestViolations: [],
    status: null,
    responseHeaders: {},
    responseText: undefined,
    responseViolations: null,
  }
}

/** The body as sent, for the journal (JSON re-serialised from what was parsed); undefined when unreadable or absent. */
async function snapshotBody(req: Request, res: Response): Promise<BodySnapshot | undefined> {
  try {
    const body = await readBody(req, res)
    if (body.kind === 'absent') return undefined
    return snapshotText(body.kind, body.text)
  } catch {
    return undefined
  }
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
  exchange: Exchange | null,
): Promise<boolean> {
  const kind = fault.kind ?? (fault.status === undefined ? 'delay' : 'status')
  if (exchange !== null) {
    exchange.fault = { id: fault.id, kind }
    // What the app sent matters most for a faulted request (did it retry with the same body?).
    if (kind !== 'delay') exchange.requestBody = await snapshotBody(req, res)
  }
  if (fault.delayMs !== undefined && fault.delayMs > 0) await waitUnlessClosed(req, fault.delayMs)
  // The socket, not the request: a request whose body was read is "destroyed" once it ended.
  if (req.socket.destroyed || res.writableEnded) return true
  if (kind === 'reset') {
    if (exchange !== null) exchange.error = `connection reset by fault ${fault.id}`
    req.socket.destroy()
    return true
  }
  if (kind === 'timeout') {
    const heldUntil = Date.now() + MAX_HOLD_MS
    await waitUnlessClosed(req, MAX_HOLD_MS)
    if (exchange !== null) {
      exchange.error =
        Date.now() >= heldUntil
          ? `held by fault ${fault.id} for ${MAX_HOLD_MS} ms, then closed`
          : `held by fault ${fault.id} until the client gave up`
    }
    req.socket.destroy()
    return true
  }
  if (fault.status === undefined) return false
  const vendorAnswer = fault.body === undefined ? module.errors.forStatus(fault.status) : null
  const reply = serializeReply(fault.status, fault.body ?? vendorAnswer?.body, { ...vendorAnswer?.headers, ...fault.headers })
  // A fault's answer is what the test chose: it is not checked against the spec.
  if (exchange !== null) recordAnswer(exchange, reply, [])
  writeReply(res, reply)
  return true
}

function recordAnswer(exchange: Exchange, reply: SerializedReply, violations: Exchange['responseViolations']): void {
  exchange.status = reply.status
  exchange.responseHeaders = reply.headers
  if (reply.text !== undefined && reply.text.length > MAX_EXCHANGE_BODY_CHARS) exchange.responseOmittedChars = reply.text.length
  else exchange.responseText = reply.text
  exchange.responseViolations = violations
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

async function send(
  res: Response,
  operation: Operation | null,
  reply: Reply,
  options: PipelineOptions,
  exchange: Exchange | null,
): Promise<void> {
  if ('write' in reply) {
    res.status(reply.status)
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value)
    const tap = exchange === null ? null : tapWrites(res)
    try {
      await reply.write(res)
    } finally {
      if (exchange !== null && tap !== null) {
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(res.getHeaders())) if (value !== undefined) headers[name] = String(value)
        const { text, chars } = tap.stop()
        recordAnswer(exchange, { status: reply.status, headers, text: text ?? undefined }, null)
        if (text === null) exchange.responseOmittedChars = chars
      }
    }
    return
  }
  let serialized = serializeReply(reply.status, reply.body, reply.headers)
  let checked: Exchange['responseViolations'] = null
  if (options.strict && operation !== null) {
    // Check the bytes that go out, parsed back: never the live (often stored) object.
    const sent =
      serialized.text === undefined
        ? undefined
        : serialized.headers['content-type']?.includes('json')
          ? JSON.parse(serialized.text)
          : serialized.text
    const violations = operation.validateResponse(serialized.status, sent, serialized.headers['content-type'])
    checked = toExchangeViolations(violations)
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
  // Non-strict: the journal checks the text sent when it is read (nothing is checked twice, nothing stored).
  if (exchange !== null) recordAnswer(exchange, serialized, checked)
  writeReply(res, serialized)
}

/** Collects what a streamed answer writes (up to MAX_EXCHANGE_BODY_CHARS), for the journal. */
function tapWrites(res: Response): { stop(): { text: string | null; chars: number } } {
  const write = res.write
  const end = res.end
  const chunks: string[] = []
  let chars = 0
  let over = false
  const keep = (chunk: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return
    if (over) {
      chars += typeof chunk === 'string' || Buffer.isBuffer(chunk) ? chunk.length : 0
      return
    }
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : ''
    chars += text.length
    if (chars > MAX_EXCHANGE_BODY_CHARS) over = true
    if (!over) chunks.push(text)
  }
  res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
    keep(chunk)
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as Response['write']
  res.end = function (this: Response, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk)
    return (end as (...args: unknown[]) => Response).call(this, chunk, ...rest)
  } as Response['end']
  return {
    stop() {
      res.write = write
      res.end = end
      return { text: over ? null : chunks.join(''), chars }
    },
  }
}

/** The final safety net of the whole app: whatever escaped, answer JSON and never a stack trace. */
export function lastResortErrorHandler(logError: PipelineOptions['logError']) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    logError(`${req.method} ${req.originalUrl} failed`, error)
    if (res.headersSent) return
    sendHttpError(res, problem(500, 'Internal Server Error'))
  }
}
