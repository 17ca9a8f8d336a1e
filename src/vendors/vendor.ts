import type { Request, Response } from 'express'
import type { CompletionEngine } from '../completions/index.ts'
import type { KeyRegistry } from '../config/key-registry.ts'
import type { HttpError } from '../http/http-error.ts'
import type { Operation, OperationTable } from '../openapi/operations.ts'
import type { Violation } from '../openapi/violations.ts'
import type { Store } from '../store/store.ts'
import type { VendorName } from './vendor-name.ts'

export type { VendorName } from './vendor-name.ts'

/** Options every vendor may read; set by `createEmulator` (and so by the CLI). */
export type VendorOptions = {
  /** The clock. Tests pass a fixed one; fixtures are anchored to it at load. */
  now: () => Date
  /** Helicone: how long a score takes to become visible (the real server's processing delay). */
  heliconeScoreDelayMs: number
}

/** What a vendor module gets to build its services and handlers. One per emulator. */
export type VendorContext = {
  db: Store
  keys: KeyRegistry
  options: VendorOptions
  operations: OperationTable
  /** The completion engine the LLM routes answer with (one per emulator: its scripted rules are shared). */
  completions: CompletionEngine
}

/** Who is calling: the tenant an API key resolves to, and what the key may do. */
export type Grant = {
  /** The API key as sent (after stripping `Bearer `). */
  apiKey: string
  /** The tenant id the records live under (the key itself unless `--keys` maps it). */
  tenant: string
  /** Vendor-specific facts from `--keys` (Portkey scopes, Helicone permissions, Pulze app id …). */
  info: Record<string, unknown>
}

/** The parts of a request a validator reads: path parameters, the query and the body, as sent. */
export type RequestParts = {
  path: Record<string, unknown>
  query: Record<string, unknown>
  body: unknown
}

/**
 * A vendor framework's own request validation, for the operations its spec marks
 * `x-emulator-validated-by: <name>` (jawn's tsoa, Pulze's FastAPI + pydantic): the one validator of those
 * requests. `compile` runs once per operation at startup; the function it returns yields the request as
 * the vendor's code receives it (coerced, defaults filled in) or throws the vendor's error.
 */
export type FrameworkValidator = {
  name: string
  compile(operation: Operation): (parts: RequestParts) => RequestParts
}

/** A request after routing, authentication and validation against its operation. */
export type OperationInput = {
  operation: Operation
  grant: Grant
  /** Path, query and body as the vendor's framework hands them over: coerced, `default`s filled in. */
  path: Record<string, unknown>
  query: Record<string, unknown>
  headers: Record<string, unknown>
  body: unknown
  /** The body exactly as the client sent it (parsed JSON, before coercion and defaults). */
  bodyAsSent: unknown
  /** The raw Express request, for the rare handler that needs more (e.g. `Helicone-Property-*` headers). */
  req: Request
}

/** A JSON answer (the pipeline serialises it, and checks it against the spec in strict mode). */
export type JsonReply = { status: number; body: unknown; headers?: Record<string, string> }

/** An answer the handler writes itself (server-sent events): status and headers are set before `write` runs. */
export type StreamReply = { status: number; headers?: Record<string, string>; write(res: Response): Promise<void> }

export type Reply = JsonReply | StreamReply

export type OperationHandler = (input: OperationInput) => Promise<Reply> | Reply

/** How a vendor answers failures that happen before or around its handlers, in its own error shape. */
export type VendorErrors = {
  /** The request does not match its operation (path, query, header or body); `body` is as the client sent it. */
  invalidRequest(violations: Violation[], operation: Operation, body: unknown): HttpError
  /**
   * The body cannot be read as JSON: a syntax error (`SyntaxError`, with the text in `body`), a `RangeError`
   * for nesting deeper than MAX_JSON_DEPTH, or another client-side read failure (bad charset or encoding).
   */
  malformedJson(error: Error & { body?: string }, operation: Operation | null): HttpError
  /** No operation at this path (under any method). */
  notFound(method: string, path: string): HttpError
  /** The path exists, but not for this method. */
  methodNotAllowed(method: string, path: string, allowed: readonly string[]): HttpError
  /** The body is over the size limit. */
  payloadTooLarge(limit: string): HttpError
  /** Anything unexpected. Logged by the pipeline; never carries a stack trace. */
  internal(error: unknown): HttpError
  /**
   * The vendor's answer for an HTTP status, as its servers send it (a fault rule or an override with a
   * status and no body answers with this): known statuses in the vendor's documented body, others in the
   * vendor's general error shape.
   */
  forStatus(status: number): HttpError
}

/**
 * A fixture block for one tenant, as in the fixture document:
 * `{ "apiKey": "...", ...vendor fields }` (e.g. Portkey `generations`/`feedback`).
 */
export type FixtureBlock = { apiKey: string } & Record<string, unknown>

export type VendorFixtures = {
  /** Turns a validated fixture block into the tenant's stored state. */
  toState(block: FixtureBlock, grant: Grant): unknown
  /** Turns a tenant's stored state back into a fixture block (so state can be saved and seeded back). */
  fromState(state: unknown, apiKey: string): FixtureBlock
  /** Moves every timestamp of a block by `deltaMs` (fixtures are written relative to a `timeAnchor`). */
  shiftTimes(block: FixtureBlock, deltaMs: number): FixtureBlock
}

/** Anything served through the shared pipeline (`createOperationRouter`): a vendor, or the control API. */
export type ApiModule<C extends { operations: OperationTable }> = {
  name: string
  /**
   * Parse the JSON body before authenticating, as frameworks that read the body first do (FastAPI: a
   * malformed body is a 422 even without a key). Default: authenticate first.
   */
  parseBodyBeforeAuth?: boolean
  /** The largest body its routes read (default BODY_LIMIT, 1 MB, as the vendors' servers). */
  bodyLimit?: string
  errors: VendorErrors
  /** The request's API key as the vendor reads it (null when none is sent); fault rules match on it. */
  apiKeyOf(req: Request): string | null
  /**
   * The framework validators the spec's `x-emulator-validated-by` names, if any operation uses one (several
   * when operations are checked by different frameworks: Helicone's jawn routes by tsoa, its proxy routes by
   * the emulated provider).
   */
  frameworkValidator?: FrameworkValidator | readonly FrameworkValidator[]
  /**
   * Resolves the caller from the request, or throws the vendor's 401/403. Runs before validation;
   * `operation` is null for an unknown route: return null there to answer 404/405 without authenticating
   * (FastAPI), or throw to authenticate first (Helicone's router-level middleware).
   */
  authenticate(req: Request, operation: Operation | null, ctx: C): Grant | null
  /** Handlers by operationId; every operation of the module's spec needs one (checked at startup). */
  createHandlers(ctx: C): Record<string, OperationHandler>
}

export type VendorModule = ApiModule<VendorContext> & {
  name: VendorName
  /** The tenant state of a key that has no records yet. */
  emptyState(grant: Grant): unknown
  fixtures: VendorFixtures
}
