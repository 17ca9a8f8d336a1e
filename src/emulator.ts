import { readFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import { createApp, type Logger } from './app.ts'
import { ConfigError } from './config/config-error.ts'
import { KeyRegistry, type KeysDocument } from './config/key-registry.ts'
import { FixtureError, jsonPath, readFixtureFiles, stageFixtureDocument, type FixtureDocument } from './fixtures/fixture-document.ts'
import { createAjv } from './openapi/create-ajv.ts'
import { specId } from './openapi/load-specs.ts'
import { toViolations } from './openapi/violations.ts'
import { createReplayMiddleware, type ReplayOptions } from './replay/replay-middleware.ts'
import type { ResetOperation, StagedTenant } from './store/operations.ts'
import { Store } from './store/store.ts'
import { VENDORS } from './vendors/index.ts'
import { VENDOR_NAMES, type VendorName } from './vendors/vendor-name.ts'
import { VERSION } from './version.ts'

export type EmulatorOptions = {
  /**
   * `:memory:` (the default here; the CLI defaults to `.emulator/db.json`) or a store file path: the
   * snapshot, with its operation log `<db>.log` and lock `<db>.lock` beside it.
   */
  db?: string
  /** The file store's compaction threshold and where its warnings go (default: stderr). */
  store?: { compactLogBytes?: number; warn?: (message: string) => void }
  /** Fixture files or folders, or fixture documents, loaded at startup into tenants that have no state yet. */
  fixtures?: (string | FixtureDocument)[]
  /** A `--keys` file path or document. Without it every non-empty key is accepted as its own tenant. */
  keys?: string | KeysDocument
  /** Check every response against the spec; a violation becomes a 500 naming the operation and JSON path. */
  strict?: boolean
  /** Serve only this vendor, at the root. */
  vendor?: VendorName
  /** No request log lines. */
  quiet?: boolean
  logger?: Partial<Logger>
  /** The clock (tests pin it). */
  now?: () => Date
  /** Helicone: delay before a score becomes visible (the real server's processing delay). Default 0. */
  heliconeScoreDelayMs?: number
  /** Serve recorded interactions first (`--replay FILE`, `--replay-strict`). */
  replay?: ReplayOptions
}

export type Emulator = {
  app: Express
  /** The store: `store.data.<vendor>[tenant]`; every change goes through `store.commit(op)`. */
  store: Store
  keys: KeyRegistry
  /** The API keys of the tenants in the fixtures given at startup, per vendor (the banner prints them). */
  fixtureKeys: Record<VendorName, string[]>
  /** Starts listening (port 0 = any free port; default 127.0.0.1). */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>
  /** Stops listening, waits for the writes in flight, compacts the store and releases its lock. */
  close(): Promise<void>
  /** Drops every record (or one tenant's, in every vendor) and persists that. Fixtures are not reloaded. */
  reset(apiKey?: string): Promise<void>
  /** Loads a fixture document (all or nothing) and persists it. */
  seed(doc: FixtureDocument): Promise<Record<string, number>>
}

export { ConfigError }

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? (() => new Date())
  const keys = new KeyRegistry(await loadKeys(options.keys))
  const vendors = options.vendor === undefined ? VENDORS : VENDORS.filter((v) => v.name === options.vendor)
  const logger: Logger = {
    request: options.quiet === true ? () => {} : (options.logger?.request ?? ((line) => console.log(line))),
    error: options.logger?.error ?? ((message, error) => console.error(message, error)),
  }
  const replay =
    options.replay === undefined
      ? undefined
      : await createReplayMiddleware(options.replay, vendors, options.vendor === undefined ? undefined : vendors[0])
  const dbPath = options.db ?? ':memory:'
  const compactLogBytes = options.store?.compactLogBytes ?? envCount('EMULATOR_COMPACT_LOG_BYTES')
  const store = await Store.open({
    path: dbPath,
    ...(compactLogBytes === undefined ? {} : { compactLogBytes }),
    ...(options.store?.warn === undefined ? {} : { warn: options.store.warn }),
  })

  const fixtureDocs: { source: string; doc: unknown }[] = []
  const fixtureKeys: Record<VendorName, string[]> = { portkey: [], helicone: [], pulze: [] }
  const paths = (options.fixtures ?? []).filter((f): f is string => typeof f === 'string')
  let app: Express
  try {
    const fromFiles = await readFixtureFiles(paths)
    let fileIndex = 0
    for (const f of options.fixtures ?? []) {
      if (typeof f === 'string') continue
      fixtureDocs.push({ source: `fixtures[${fileIndex++}]`, doc: f })
    }
    fixtureDocs.unshift(...fromFiles)
    for (const { doc } of fixtureDocs) {
      for (const vendor of VENDOR_NAMES) {
        const blocks = (doc as Partial<Record<VendorName, { apiKey?: unknown }[]>> | null)?.[vendor]
        if (!Array.isArray(blocks)) continue
        for (const block of blocks) if (typeof block?.apiKey === 'string') fixtureKeys[vendor].push(block.apiKey)
      }
    }
    // Every file is checked and converted before anything is stored: a bad file leaves nothing half-loaded.
    const staged: StagedTenant[] = []
    const scratch = { ...store.data }
    for (const vendor of VENDOR_NAMES) scratch[vendor] = { ...store.data[vendor] }
    for (const { source, doc } of fixtureDocs) {
      const { tenants } = stageFixtureDocument(scratch, source, doc, { vendors: VENDORS, keys, now: now(), onlyMissing: true })
      for (const t of tenants) Object.defineProperty(scratch[t.vendor], t.tenant, { value: t.state, enumerable: true })
      staged.push(...tenants)
    }
    if (staged.length > 0) await store.commit({ type: 'seed', tenants: staged })
    app = createApp({
      ...(replay === undefined ? {} : { beforeVendors: replay }),
      db: store,
      keys,
      vendors,
      ...(options.vendor === undefined ? {} : { rootVendor: vendors[0]! }),
      strict: options.strict ?? false,
      version: VERSION,
      logger,
      vendorOptions: { now, heliconeScoreDelayMs: options.heliconeScoreDelayMs ?? 0 },
    })
  } catch (error) {
    await store.close()
    if (error instanceof FixtureError) throw new ConfigError(error.message)
    throw error
  }

  let server: Server | null = null
  return {
    app,
    store,
    keys,
    fixtureKeys,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => {
          if (error) return reject(error)
          server = s
          const address = s.address() as AddressInfo
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
          resolve({ url: `http://${shownHost}:${address.port}`, port: address.port })
        })
        s.once('error', reject)
      })
    },
    async close() {
      const s = server
      server = null
      if (s !== null) {
        await new Promise<void>((resolve, reject) => {
          s.close((error) => (error ? reject(error) : resolve()))
          s.closeAllConnections()
        })
      }
      // Writes still in flight finish (and the store is compacted) before close resolves.
      await store.close()
    },
    async reset(apiKey) {
      const targets: ResetOperation['targets'] = []
      for (const vendor of VENDORS) {
        if (apiKey === undefined) {
          targets.push({ vendor: vendor.name })
          continue
        }
        const resolved = keys.resolve(vendor.name, apiKey)
        if (resolved !== null) targets.push({ vendor: vendor.name, tenant: resolved.tenant })
      }
      await store.commit({ type: 'reset', targets })
    },
    async seed(doc) {
      const { tenants, counts } = stageFixtureDocument(store.data, 'seed', doc, { vendors: VENDORS, keys, now: now() })
      await store.commit({ type: 'seed', tenants })
      return counts
    },
  }
}

/** A whole number from the environment (the CLI's fallbacks for options without a flag), or undefined. */
function envCount(name: string): number | undefined {
  const value = process.env[name]
  if (value === undefined || value === '') return undefined
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got "${value}"`)
  return Number(value)
}

let validateKeys: ((doc: unknown) => string[]) | undefined

async function loadKeys(source: string | KeysDocument | undefined): Promise<KeysDocument> {
  if (source === undefined) return {}
  let doc: unknown = source
  const name = typeof source === 'string' ? source : 'keys'
  if (typeof source === 'string') {
    try {
      doc = JSON.parse(await readFile(source, 'utf8'))
    } catch (error) {
      throw new ConfigError(`${source}: ${(error as Error).message}`)
    }
  }
  if (validateKeys === undefined) {
    const validate = createAjv().compile({ $ref: `${specId('emulator')}#/components/schemas/KeysDocument` })
    validateKeys = (d) =>
      validate(d) ? [] : toViolations('body', validate.errors, d).map((v) => `${jsonPath(v.location.slice(1))}: ${v.message}`)
  }
  const problems = validateKeys(doc)
  if (problems.length > 0) throw new ConfigError(`${name}: ${problems.join('; ')}`)
  return doc as KeysDocument
}
