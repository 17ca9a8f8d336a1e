// `/__emulator`: the control API, served through the same pipeline as the vendors and validated against
// specs/emulator.yaml. Errors are RFC 9457 problem documents.
import { CompletionRuleError, type CompletionRule, type CompletionRuleSet } from '../completions/index.ts'
import type { KeyRegistry } from '../config/key-registry.ts'
import { FixtureError, jsonPath, stateToFixtureDocument, type FixtureDocument } from '../fixtures/fixture-document.ts'
import { HttpError } from '../http/http-error.ts'
import { problem } from '../http/problem.ts'
import type { OperationTable } from '../openapi/operations.ts'
import { formatLocation } from '../openapi/violations.ts'
import type { Store } from '../store/store.ts'
import { isVendorName, type VendorName } from '../vendors/vendor-name.ts'
import type { ApiModule, VendorModule } from '../vendors/vendor.ts'
import { ClockError, type ClockChange, type TestClock } from './clock.ts'
import type { Coverage } from './coverage.ts'
import { FaultRuleError, type FaultRule, type FaultRules } from './fault-rules.ts'
import { toHar } from './har.ts'
import type { Journal, RequestFilter, RequestMatcher } from './journal.ts'
import { operationTable } from '../openapi/operations.ts'
import { checkControlAccess } from './access.ts'
import { MAX_EVENT_STREAMS, type ChangeFeed } from './change-feed.ts'
import { tenantOverview, type VendorEndpoint } from './overview.ts'

/** The state changes the control API shares with `createEmulator()`'s `reset()` and `seed()`. */
export type StateControl = {
  reset(options: { apiKey?: string; vendor?: VendorName; empty?: boolean }): Promise<{ removed: number; restored: number }>
  seed(doc: FixtureDocument): Promise<Record<string, number>>
}

export type ControlContext = {
  operations: OperationTable
  db: Store
  vendors: readonly VendorModule[]
  keys: KeyRegistry
  version: string
  state: StateControl
  faults: FaultRules
  /** null: the journal is off (`--journal-size 0`). */
  journal: Journal | null
  coverage: Coverage
  clock: TestClock
  /** The scripted answers of the LLM routes. */
  completions: CompletionRuleSet
  /** `--admin-token`: every control request then needs `Authorization: Bearer <token>`. */
  adminToken?: string | undefined
  /** The served vendors as the banner prints them. */
  endpoints: readonly VendorEndpoint[]
  /** Last writes per tenant and the `/events` stream. */
  feed: ChangeFeed
}

/** The journal, or the 409 that says it is off (so a count cannot silently be 0). */
function journalOf(ctx: ControlContext): Journal {
  if (ctx.journal === null) {
    throw problem(409, 'The request journal is off', {
      detail: 'The emulator runs with --journal-size 0 (journalSize: 0): nothing is journaled.',
    })
  }
  return ctx.journal
}

/** The journal filters of a (validated, coerced) query. */
function filterOf(query: Record<string, unknown>): RequestFilter {
  const filter: RequestFilter = {}
  for (const name of ['vendor', 'apiKey', 'method', 'path', 'operationId', 'since'] as const) {
    const value = query[name]
    if (typeof value === 'string') (filter as Record<string, unknown>)[name] = value
  }
  if (typeof query['status'] === 'number') filter.status = query['status']
  if (typeof query['limit'] === 'number') filter.limit = query['limit']
  return filter
}

/**
 * A fault rule that names an operation no served vendor has would never fire: refused, naming the
 * operations it could have meant (also used by `emulator.use()`).
 */
export function unknownOperationProblem(rule: Pick<FaultRule, 'vendor' | 'operationId'>, vendors: readonly VendorModule[]): string | null {
  if (rule.operationId === undefined) return null
  const candidates = vendors.filter((v) => rule.vendor === undefined || v.name === rule.vendor)
  if (candidates.some((v) => operationTable(v.name).byId.has(rule.operationId!))) return null
  const where = rule.vendor === undefined ? 'the served vendors' : rule.vendor
  return `operationId "${rule.operationId}" is not an operation of ${where} (see specs/<vendor>.yaml)`
}

/** A fixture document that cannot be loaded: 400 naming each fault's JSON path. */
function fixtureProblem(error: FixtureError): HttpError {
  return problem(400, 'Invalid fixture document', {
    detail: error.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    errors: error.problems,
  })
}

/**
 * The control API reads bodies up to this size: `/seed` must take back whatever `/state` gave, and a store
 * can hold more than a vendor's 1 MB request limit.
 */
export const CONTROL_BODY_LIMIT = '256mb'

export const controlApi: ApiModule<ControlContext> = {
  name: 'emulator',
  bodyLimit: CONTROL_BODY_LIMIT,
  errors: {
    invalidRequest: (violations) =>
      problem(400, 'Invalid request', {
        detail: violations.map((v) => `${formatLocation(v.location)} ${v.message}`).join('; '),
        errors: violations.map((v) => ({ path: jsonPath(v.location.slice(1)), message: v.message })),
      }),
    malformedJson: (error) => problem(400, 'Malformed JSON', { detail: error.message }),
    notFound: (method, path) => problem(404, 'Not Found', { detail: `${method} /__emulator${path} is not an emulator endpoint` }),
    methodNotAllowed: (method, path, allowed) =>
      problem(405, 'Method Not Allowed', { detail: `${method} /__emulator${path}; allowed: ${allowed.join(', ')}` }),
    payloadTooLarge: (limit) => problem(413, 'Payload Too Large', { detail: `The body is over ${limit}.` }),
    internal: () => problem(500, 'Internal Server Error'),
    forStatus: (status) => problem(status, `HTTP ${status}`),
  },
  apiKeyOf: () => null,
  authenticate: (req, _operation, ctx) => {
    checkControlAccess(req, ctx.adminToken)
    return { apiKey: '', tenant: '', info: {} }
  },
  createHandlers(ctx) {
    return {
      getHealth: () => ({ status: 200, body: { status: 'ok', version: ctx.version, vendors: ctx.vendors.map((v) => v.name) } }),

      reset: async ({ query }) => {
        const apiKey = query['apiKey'] as string | undefined
        const vendor = isVendorName(query['vendor']) ? query['vendor'] : undefined
        let result
        try {
          result = await ctx.state.reset({
            ...(apiKey === undefined ? {} : { apiKey }),
            ...(vendor === undefined ? {} : { vendor }),
            empty: query['empty'] === true,
          })
        } catch (error) {
          if (error instanceof FixtureError) throw fixtureProblem(error)
          throw error
        }
        return { status: 200, body: { status: 'ok', ...(apiKey === undefined ? {} : { apiKey }), ...result } }
      },

      seed: async ({ body }) => {
        try {
          return { status: 200, body: { status: 'ok', tenants: await ctx.state.seed(body as FixtureDocument) } }
        } catch (error) {
          if (error instanceof FixtureError) throw fixtureProblem(error)
          throw error
        }
      },

      addFault: ({ body }) => {
        const rule = body as FaultRule
        const unknown = unknownOperationProblem(rule, ctx.vendors)
        if (unknown !== null) throw problem(400, 'Invalid fault rule', { detail: unknown })
        try {
          return { status: 201, body: ctx.faults.add(rule) }
        } catch (error) {
          if (error instanceof FaultRuleError) throw problem(400, 'Invalid fault rule', { detail: error.message })
          throw error
        }
      },
      listFaults: () => ({ status: 200, body: { faults: ctx.faults.list() } }),
      clearFaults: () => ({ status: 200, body: { removed: ctx.faults.clear() } }),
      getFault: ({ path }) => {
        const rule = ctx.faults.get(path['id'] as string)
        if (rule === undefined) throw problem(404, 'No such fault rule', { detail: `no fault rule has the id ${String(path['id'])}` })
        return { status: 200, body: rule }
      },
      removeFault: ({ path }) => {
        if (!ctx.faults.remove(path['id'] as string)) {
          throw problem(404, 'No such fault rule', { detail: `no fault rule has the id ${String(path['id'])}` })
        }
        return { status: 200, body: { removed: 1 } }
      },

      listRequests: ({ query }) => ({ status: 200, body: { requests: journalOf(ctx).list(filterOf(query)) } }),
      clearRequests: ({ query }) => ({ status: 200, body: { removed: journalOf(ctx).clear(filterOf(query)) } }),
      getRequest: ({ path }) => {
        const entry = journalOf(ctx).get(path['id'] as string)
        if (entry === undefined) {
          throw problem(404, 'No such journal entry', {
            detail: `no journaled request has the id ${String(path['id'])} (it may have been dropped)`,
          })
        }
        return { status: 200, body: entry }
      },
      countRequests: ({ body }) => ({ status: 200, body: { count: journalOf(ctx).count((body ?? {}) as RequestMatcher) } }),
      exportHar: ({ query }) => ({
        status: 200,
        body: toHar(journalOf(ctx).chronological(filterOf(query)), ctx.version),
        headers: { 'content-disposition': 'attachment; filename="llm-feedback-emulator.har"' },
      }),

      getClock: () => ({ status: 200, body: ctx.clock.get() }),
      setClock: ({ body }) => {
        try {
          return { status: 200, body: ctx.clock.apply(body as ClockChange) }
        } catch (error) {
          if (error instanceof ClockError) throw problem(400, 'Invalid clock change', { detail: error.message })
          throw error
        }
      },
      resetClock: () => ({ status: 200, body: ctx.clock.reset() }),

      listCompletionRules: () => ({ status: 200, body: { rules: ctx.completions.list() } }),
      addCompletionRules: ({ body }) => {
        try {
          // The parsed body is this request's own: adopted, not copied (a rule can be most of a 1 MB body).
          ctx.completions.add(body as CompletionRule | CompletionRule[], { adopt: true })
        } catch (error) {
          if (error instanceof CompletionRuleError) {
            throw problem(400, 'Invalid completion rule', { detail: error.message, errors: error.problems })
          }
          throw error
        }
        return { status: 201, body: { rules: ctx.completions.list() } }
      },
      clearCompletionRules: () => {
        const removed = ctx.completions.list().length
        ctx.completions.clear()
        return { status: 200, body: { removed } }
      },

      getCoverage: () => ({ status: 200, body: ctx.coverage.get() }),
      resetCoverage: () => ({ status: 200, body: ctx.coverage.reset() }),

      listTenants: () => ({
        status: 200,
        body: tenantOverview({
          data: ctx.db.data,
          endpoints: ctx.endpoints,
          keys: ctx.keys,
          version: ctx.version,
          lastWriteOf: (vendor, tenant) => ctx.feed.lastWriteOf(vendor, tenant),
        }),
      }),

      streamEvents: () => {
        if (ctx.feed.full)
          throw problem(503, 'Too many event streams', { detail: `At most ${MAX_EVENT_STREAMS} event streams are open at once.` })
        return {
          status: 200,
          headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
          write: (res) => ctx.feed.stream(res),
        }
      },

      getState: ({ query }) => {
        const apiKey = query['apiKey'] as string | undefined
        return {
          status: 200,
          body: stateToFixtureDocument(ctx.db, { vendors: ctx.vendors, keys: ctx.keys, ...(apiKey === undefined ? {} : { apiKey }) }),
        }
      },
    }
  },
}
