// `/__emulator`: the control API, served through the same pipeline as the vendors and validated against
// specs/emulator.yaml. Errors are RFC 9457 problem documents.
import type { Low } from 'lowdb'
import type { KeyRegistry } from '../config/key-registry.ts'
import { FixtureError, jsonPath, stateToFixtureDocument, type FixtureDocument } from '../fixtures/fixture-document.ts'
import { HttpError } from '../http/http-error.ts'
import { problem } from '../http/problem.ts'
import type { OperationTable } from '../openapi/operations.ts'
import { formatLocation } from '../openapi/violations.ts'
import type { Data } from '../store/data.ts'
import { isVendorName, type VendorName } from '../vendors/vendor-name.ts'
import type { ApiModule, VendorModule } from '../vendors/vendor.ts'
import { checkControlAccess } from './access.ts'
import type { FaultRules } from './fault-rules.ts'

/** The state changes the control API shares with `createEmulator()`'s `reset()` and `seed()`. */
export type StateControl = {
  reset(options: { apiKey?: string; vendor?: VendorName; empty?: boolean }): Promise<{ removed: number; restored: number }>
  seed(doc: FixtureDocument): Promise<Record<string, number>>
}

export type ControlContext = {
  operations: OperationTable
  db: Low<Data>
  vendors: readonly VendorModule[]
  keys: KeyRegistry
  version: string
  state: StateControl
  faults: FaultRules
  /** `--admin-token`: every control request then needs `Authorization: Bearer <token>`. */
  adminToken?: string | undefined
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
