import { readFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import { Low, Memory } from 'lowdb'
import { createApp, type Logger } from './app.ts'
import { ConfigError } from './config/config-error.ts'
import { KeyRegistry, type KeysDocument } from './config/key-registry.ts'
import { applyFixtureDocument, FixtureError, jsonPath, readFixtureFiles, type FixtureDocument } from './fixtures/fixture-document.ts'
import { createAjv } from './openapi/create-ajv.ts'
import { specId } from './openapi/load-specs.ts'
import { toViolations } from './openapi/violations.ts'
import { createReplayMiddleware, type ReplayOptions } from './replay/replay-middleware.ts'
import { AtomicJsonFile } from './store/atomic-json-file.ts'
import { emptyData, normalizeData, type Data } from './store/data.ts'
import { VENDORS } from './vendors/index.ts'
import { VENDOR_NAMES, type VendorName } from './vendors/vendor-name.ts'
import { VERSION } from './version.ts'

export type EmulatorOptions = {
  /** `:memory:` (the default here; the CLI defaults to `.emulator/db.json`) or a JSON file path. */
  db?: string
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
  /** The lowdb handle: `store.data.<vendor>[tenant]`. */
  store: Low<Data>
  keys: KeyRegistry
  /** The API keys of the tenants in the fixtures given at startup, per vendor (the banner prints them). */
  fixtureKeys: Record<VendorName, string[]>
  /** Starts listening (port 0 = any free port; default 127.0.0.1). */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>
  /** Stops listening and waits for the last write to reach the disk. */
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
  const dbPath = options.db ?? ':memory:'
  const adapter = dbPath === ':memory:' ? new Memory<Data>() : new AtomicJsonFile<Data>(dbPath)
  const store = new Low<Data>(adapter, emptyData())
  try {
    await store.read()
  } catch (error) {
    throw new ConfigError(`${dbPath}: the store file is not valid JSON (${(error as Error).message})`)
  }
  store.data = normalizeData(store.data)

  const vendors = options.vendor === undefined ? VENDORS : VENDORS.filter((v) => v.name === options.vendor)
  const fixtureDocs: { source: string; doc: unknown }[] = []
  const fixtureKeys: Record<VendorName, string[]> = { portkey: [], helicone: [], pulze: [] }
  const paths = (options.fixtures ?? []).filter((f): f is string => typeof f === 'string')
  try {
    const fromFiles = await readFixtureFiles(paths)
    let fileIndex = 0
    for (const f of options.fixtures ?? []) {
      if (typeof f === 'string') continue
      fixtureDocs.push({ source: `fixtures[${fileIndex++}]`, doc: f })
    }
    fixtureDocs.unshift(...fromFiles)
    // Load into a scratch copy first, so a bad file leaves nothing half-loaded.
    const scratch = new Low<Data>(new Memory<Data>(), structuredClone(store.data))
    let changed = false
    for (const { doc } of fixtureDocs) {
      for (const vendor of VENDOR_NAMES) {
        const blocks = (doc as Partial<Record<VendorName, { apiKey?: unknown }[]>> | null)?.[vendor]
        if (!Array.isArray(blocks)) continue
        for (const block of blocks) if (typeof block?.apiKey === 'string') fixtureKeys[vendor].push(block.apiKey)
      }
    }
    for (const { source, doc } of fixtureDocs) {
      const counts = applyFixtureDocument(scratch, source, doc, { vendors: VENDORS, keys, now: now(), onlyMissing: true })
      changed ||= Object.keys(counts).length > 0
    }
    store.data = scratch.data
    if (changed && dbPath !== ':memory:') await store.write()
  } catch (error) {
    if (error instanceof FixtureError) throw new ConfigError(error.message)
    throw error
  }

  const logger: Logger = {
    request: options.quiet === true ? () => {} : (options.logger?.request ?? ((line) => console.log(line))),
    error: options.logger?.error ?? ((message, error) => console.error(message, error)),
  }
  const replay =
    options.replay === undefined
      ? undefined
      : await createReplayMiddleware(options.replay, vendors, options.vendor === undefined ? undefined : vendors[0])
  const app = createApp({
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
      // Any write still in flight finishes before close resolves.
      if (adapter instanceof AtomicJsonFile) await adapter.flush()
    },
    async reset(apiKey) {
      for (const vendor of VENDORS) {
        if (apiKey === undefined) {
          store.data[vendor.name] = {}
          continue
        }
        const resolved = keys.resolve(vendor.name, apiKey)
        if (resolved !== null) delete store.data[vendor.name][resolved.tenant]
      }
      await store.write()
    },
    async seed(doc) {
      const counts = applyFixtureDocument(store, 'seed', doc, { vendors: VENDORS, keys, now: now() })
      await store.write()
      return counts
    },
  }
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
