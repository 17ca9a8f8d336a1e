import express, { type Express, type Request, type RequestHandler, type Response } from 'express'
import type { KeyRegistry } from './config/key-registry.ts'
import type { CompletionEngine } from './completions/index.ts'
import { TestClock } from './control/clock.ts'
import { Coverage } from './control/coverage.ts'
import { createObserver } from './control/exchange.ts'
import type { FaultRules } from './control/fault-rules.ts'
import { ChangeFeed } from './control/change-feed.ts'
import { createDashboardRouter, DASHBOARD_PATH, isDashboardRequest } from './control/dashboard.ts'
import { controlApi, type StateControl } from './control/index.ts'
import { servedEndpoints } from './control/overview.ts'
import type { Journal } from './control/journal.ts'
import { createOperationRouter, lastResortErrorHandler } from './http/operation-router.ts'
import { problem } from './http/problem.ts'
import { sendHttpError } from './http/reply.ts'
import { operationTable } from './openapi/operations.ts'
import type { Store } from './store/store.ts'
import { scrubUrl } from './recordings/scrub.ts'
import type { VendorModule, VendorOptions } from './vendors/vendor.ts'
import type { VendorName } from './vendors/vendor-name.ts'

export type Logger = {
  /** One line per request: method, path, status, milliseconds. Absent (`--quiet`): no per-request work at all. */
  request?: ((line: string) => void) | undefined
  error(message: string, error: unknown): void
}

/** Everything the app is built from; `createEmulator` assembles it (the app itself is internal). */
export type AppOptions = {
  db: Store
  keys: KeyRegistry
  vendors: readonly VendorModule[]
  /** Serve this one vendor at the root (for clients that cannot take a path prefix). */
  rootVendor?: VendorModule
  strict: boolean
  version: string
  logger: Logger
  vendorOptions: VendorOptions
  /** Runs before the vendor routers (recorded-interaction replay). */
  beforeVendors?: RequestHandler
  /** Fault rules and overrides, applied to vendor routes. */
  faults: FaultRules
  /** Reset and seed, as `createEmulator` implements them (the control API calls the same functions). */
  state: StateControl
  /** The request journal (default: off). */
  journal?: Journal | null
  /** Default: a fresh one. */
  coverage?: Coverage
  /** The clock the control API moves (default: one over `vendorOptions.now`). */
  clock?: TestClock
  /** The completion engine of the vendors' LLM routes (its rules are `/__emulator/completions`). */
  completions: CompletionEngine
  /** `--admin-token`: the control API then requires `Authorization: Bearer <token>`. */
  adminToken?: string | undefined
  /** The keys of the startup fixtures, per vendor (the banner and the dashboard list them). Default: none. */
  fixtureKeys?: Readonly<Record<VendorName, readonly string[]>>
  /** Last writes per tenant and the `/__emulator/events` stream; told about every journaled request. Default: a fresh one. */
  feed?: ChangeFeed
}

/** The Express app: every vendor under `/<vendor>`, the control API under `/__emulator`. Never listens. */
export function createApp(options: AppOptions): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.set('query parser', 'simple')
  const logRequest = options.logger.request
  if (logRequest !== undefined) {
    app.use((req: Request, res: Response, next) => {
      // The dashboard's own traffic would drown the app's lines.
      if (isDashboardRequest(req) || req.path.startsWith(DASHBOARD_PATH)) return next()
      const started = process.hrtime.bigint()
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6
        // Scrubbed: a `?api_key=…` must not land in CI logs.
        logRequest(`${req.method} ${scrubUrl(req.originalUrl)} ${res.statusCode} ${ms.toFixed(1)}ms`)
      })
      next()
    })
  }

  const pipeline = { strict: options.strict, logError: options.logger.error }
  const journal = options.journal ?? null
  const coverage = options.coverage ?? new Coverage(options.vendors.map((v) => ({ name: v.name, operations: operationTable(v.name) })))
  const clock = options.clock ?? new TestClock(options.vendorOptions.now)
  const feed = options.feed ?? new ChangeFeed(options.vendorOptions.now)
  app.use('/__emulator/ui', createDashboardRouter({ adminToken: options.adminToken }))
  if (options.rootVendor === undefined) app.get('/', (_req: Request, res: Response) => res.redirect(302, DASHBOARD_PATH))
  app.use(
    '/__emulator',
    createOperationRouter(
      controlApi,
      {
        operations: operationTable('emulator'),
        db: options.db,
        vendors: options.vendors,
        keys: options.keys,
        version: options.version,
        state: options.state,
        faults: options.faults,
        journal,
        coverage,
        clock,
        completions: options.completions.rules,
        adminToken: options.adminToken,
        endpoints: servedEndpoints({
          served: options.vendors.map((v) => v.name),
          rootVendor: options.rootVendor?.name,
          fixtureKeys: options.fixtureKeys ?? { portkey: [], helicone: [], pulze: [] },
          keys: options.keys,
        }),
        feed,
      },
      pipeline,
    ),
  )
  const replay = options.beforeVendors
  if (replay !== undefined) app.use((req, res, next) => (isDashboardRequest(req) ? next() : replay(req, res, next)))
  const observe = createObserver(journal, coverage, feed)
  for (const vendor of options.vendors) {
    const ctx = {
      db: options.db,
      keys: options.keys,
      options: options.vendorOptions,
      operations: operationTable(vendor.name),
      completions: options.completions,
    }
    const router = createOperationRouter(vendor, ctx, { ...pipeline, faults: options.faults, observe })
    if (options.rootVendor === vendor) app.use(router)
    else app.use(`/${vendor.name}`, router)
  }

  app.use((req: Request, res: Response) => {
    sendHttpError(
      res,
      problem(404, 'Not Found', {
        detail: `${req.method} ${req.path}: not an emulated endpoint. Vendors are served under ${options.vendors.map((v) => `/${v.name}`).join(', ')}; the control API under /__emulator.`,
      }),
    )
  })
  app.use(lastResortErrorHandler(options.logger.error))
  return app
}
