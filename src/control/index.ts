import type { KeyRegistry } from '../config/key-registry.ts'
import { FixtureError, jsonPath, stageFixtureDocument, stateToFixtureDocument } from '../fixtures/fixture-document.ts'
import { HttpError } from '../http/http-error.ts'
import type { OperationTable } from '../openapi/operations.ts'
import { formatLocation } from '../openapi/violations.ts'
import type { ResetOperation } from '../store/operations.ts'
import type { Store } from '../store/store.ts'
import { isVendorName } from '../vendors/vendor-name.ts'
import type { ApiModule, VendorModule } from '../vendors/vendor.ts'

export type ControlContext = {
  operations: OperationTable
  db: Store
  vendors: readonly VendorModule[]
  keys: KeyRegistry
  version: string
  now: () => Date
}

const PROBLEM = { 'content-type': 'application/problem+json' }

function problem(status: number, title: string, detail?: string, errors?: { path: string; message: string }[]): HttpError {
  return new HttpError(
    status,
    { title, status, ...(detail === undefined ? {} : { detail }), ...(errors === undefined ? {} : { errors }) },
    PROBLEM,
  )
}

/** `/__emulator`: health, reset, seed and state, validated against `specs/emulator.yaml` like any vendor. */
export const controlApi: ApiModule<ControlContext> = {
  name: 'emulator',
  errors: {
    invalidRequest: (violations) =>
      problem(
        400,
        'Invalid request',
        violations.map((v) => `${formatLocation(v.location)} ${v.message}`).join('; '),
        violations.map((v) => ({ path: jsonPath(v.location.slice(1)), message: v.message })),
      ),
    malformedJson: (error) => problem(400, 'Malformed JSON', error.message),
    notFound: (method, path) => problem(404, 'Not Found', `${method} /__emulator${path} is not an emulator endpoint`),
    methodNotAllowed: (method, path, allowed) =>
      problem(405, 'Method Not Allowed', `${method} /__emulator${path}; allowed: ${allowed.join(', ')}`),
    payloadTooLarge: (limit) => problem(413, 'Payload Too Large', `The body is over ${limit}.`),
    internal: () => problem(500, 'Internal Server Error'),
  },
  authenticate: () => ({ apiKey: '', tenant: '', info: {} }),
  createHandlers(ctx) {
    return {
      getHealth: () => ({ status: 200, body: { status: 'ok', version: ctx.version, vendors: ctx.vendors.map((v) => v.name) } }),

      reset: async ({ query }) => {
        const apiKey = query['apiKey'] as string | undefined
        const only = isVendorName(query['vendor']) ? query['vendor'] : undefined
        let removed = 0
        const targets: ResetOperation['targets'] = []
        for (const vendor of ctx.vendors) {
          if (only !== undefined && vendor.name !== only) continue
          const tenants = ctx.db.data[vendor.name]
          if (apiKey === undefined) {
            removed += Object.keys(tenants).length
            targets.push({ vendor: vendor.name })
            continue
          }
          const resolved = ctx.keys.resolve(vendor.name, apiKey)
          if (resolved !== null && Object.hasOwn(tenants, resolved.tenant)) {
            targets.push({ vendor: vendor.name, tenant: resolved.tenant })
            removed++
          }
        }
        await ctx.db.commit({ type: 'reset', targets })
        return { status: 200, body: { status: 'ok', ...(apiKey === undefined ? {} : { apiKey }), removed } }
      },

      seed: async ({ body }) => {
        let staged: ReturnType<typeof stageFixtureDocument>
        try {
          staged = stageFixtureDocument(ctx.db.data, 'request body', body, { vendors: ctx.vendors, keys: ctx.keys, now: ctx.now() })
        } catch (error) {
          if (error instanceof FixtureError) {
            throw problem(400, 'Invalid fixture document', error.problems.map((p) => `${p.path}: ${p.message}`).join('; '), error.problems)
          }
          throw error
        }
        await ctx.db.commit({ type: 'seed', tenants: staged.tenants })
        return { status: 200, body: { status: 'ok', tenants: staged.counts } }
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
