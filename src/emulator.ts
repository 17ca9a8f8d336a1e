// createEmulator(): the programmatic entry the CLI wraps. Builds the store, loads fixtures, wires the app.
import { readFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import { Low, Memory } from 'lowdb'
import { createApp, type Logger } from './app.ts'
import { ConfigError } from './config/config-error.ts'
import { KeyRegistry, type KeysDocument } from './config/key-registry.ts'
import { FaultRules, type FaultRule, type FaultRuleState } from './control/fault-rules.ts'
import {
  applyFixtureDocument,
  FixtureError,
  jsonPath,
  readFixtureFiles,
  type FixtureDocument,
  type TenantFilter,
} from './fixtures/fixture-document.ts'
import { createAjv } from './openapi/create-ajv.ts'
import { specId } from './openapi/load-specs.ts'
import { toViolations } from './openapi/violations.ts'
import { createReplay, type ReplayOptions } from './recordings/replay.ts'
import { AtomicJsonFile } from './store/atomic-json-file.ts'
import { copyTenantMaps, emptyData, emptyTenants, normalizeData, type Data } from './store/data.ts'
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
  /** Seed of the generator fault rules draw their `probability` from (`--seed`). Default 1. */
  seed?: number
  /**
   * The control API (`/__emulator`) then requires `Authorization: Bearer <adminToken>` and serves any Host.
   * Without it, it serves loopback Host names and same-machine pages only (`--admin-token`).
   */
  adminToken?: string
}

/** What `reset` returns to: the startup fixtures (default), or nothing at all (`empty`). */
export type ResetOptions = {
  /** Only the tenant this key resolves to (in every vendor, or only in `vendor`). */
  apiKey?: string
  vendor?: VendorName
  /** Drop the records without loading the startup fixtures again. */
  empty?: boolean
}

/** How many tenant states a reset dropped, and how many it loaded back from the startup fixtures. */
export type ResetResult = { removed: number; restored: number }

/**
 * An MSW-style override (`emulator.use(…)`): the in-process face of the control API's fault rules. Match by
 * `operationId`, or `method` + `path` (full path, `*` globs), optionally narrowed by `vendor` and `apiKey`;
 * answer with `reply` (status, body, headers), or just a `status` (the vendor's own error body for it), and/or
 * wait `delayMs`. `times` limits how often it applies.
 */
export type Override = Pick<FaultRule, 'vendor' | 'operationId' | 'method' | 'path' | 'apiKey' | 'status' | 'delayMs' | 'times'> & {
  reply?: { status: number; body?: unknown; headers?: Record<string, string> }
}

export type Emulator = {
  app: Express
  /** The lowdb handle: `store.data.<vendor>[tenant]`. */
  store: Low<Data>
  keys: KeyRegistry
  /** The API keys of the tenants in the fixtures given at startup, per vendor (the banner prints them). */
  fixtureKeys: Record<VendorName, string[]>
  /** Starts listening (port 0 = any free port; default 127.0.0.1). Rejects when already listening. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>
  /** Stops listening and waits for the last write to reach the disk. */
  close(): Promise<void>
  /**
   * Back to the startup state: every record dropped, the startup fixtures loaded again (anchored to now),
   * replay sequences started over. A string is `{ apiKey }`. Fault rules and overrides stay (resetOverrides).
   */
  reset(options?: ResetOptions | string): Promise<ResetResult>
  /** Loads a fixture document (all or nothing) and persists it. */
  seed(doc: FixtureDocument): Promise<Record<string, number>>
  /** Adds overrides; the newest wins where several match. Returns them as held (with ids). */
  use(...overrides: Override[]): FaultRuleState[]
  /** Drops every override and fault rule. */
  resetOverrides(): void
  /** The fault rules behind `use()` and `/__emulator/faults`. */
  faults: FaultRules
  /** `await using emulator = await createEmulator()`: closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>
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
  // Fixture files are read again on every reset (so an edited fixture is picked up); documents are copied once.
  const fixtureSources = (options.fixtures ?? []).map((f) => (typeof f === 'string' ? f : (structuredClone(f) as FixtureDocument)))
  let startupFixtures: { source: string; doc: unknown }[]
  try {
    startupFixtures = await readStartupFixtures(fixtureSources)
  } catch (error) {
    if (error instanceof FixtureError) throw new ConfigError(error.message)
    throw error
  }
  const fixtureKeys: Record<VendorName, string[]> = { portkey: [], helicone: [], pulze: [] }
  for (const { doc } of startupFixtures) {
    for (const vendor of VENDOR_NAMES) {
      const blocks = (doc as Partial<Record<VendorName, { apiKey?: unknown }[]>> | null)?.[vendor]
      if (!Array.isArray(blocks)) continue
      for (const block of blocks) if (typeof block?.apiKey === 'string') fixtureKeys[vendor].push(block.apiKey)
    }
  }

  /** Loads fixture documents into `target` (all of them, or nothing: a bad one throws first). */
  const loadFixtures = (
    documents: readonly { source: string; doc: unknown }[],
    target: Data,
    filter: { onlyMissing?: boolean; only?: TenantFilter },
  ): number => {
    // Into a scratch copy first, so a bad document leaves nothing half-loaded.
    const scratch = new Low<Data>(new Memory<Data>(), copyTenantMaps(target))
    let loaded = 0
    for (const { source, doc } of documents) {
      const counts = applyFixtureDocument(scratch, source, doc, { vendors: VENDORS, keys, now: now(), ...filter })
      for (const n of Object.values(counts)) loaded += n
    }
    Object.assign(target, scratch.data)
    return loaded
  }

  try {
    if (loadFixtures(startupFixtures, store.data, { onlyMissing: true }) > 0 && dbPath !== ':memory:') await store.write()
    startupFixtures = []
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
      : await createReplay(options.replay, vendors, options.vendor === undefined ? undefined : vendors[0])
  const faults = new FaultRules(options.seed ?? 1)

  async function reset(input: ResetOptions | string = {}): Promise<ResetResult> {
    const request = typeof input === 'string' ? { apiKey: input } : input
    // Read (and check) the fixtures before anything is dropped: a fixture file broken since startup fails the reset whole.
    const fixtures = request.empty === true ? [] : await readStartupFixtures(fixtureSources)
    const next = copyTenantMaps(store.data)
    let removed = 0
    const dropped: { vendor: VendorName; tenant: string }[] = []
    for (const vendor of vendors) {
      if (request.vendor !== undefined && vendor.name !== request.vendor) continue
      const tenants = next[vendor.name]
      if (request.apiKey === undefined) {
        removed += Object.keys(tenants).length
        next[vendor.name] = emptyTenants()
        continue
      }
      const resolved = keys.resolve(vendor.name, request.apiKey)
      if (resolved === null) continue
      dropped.push({ vendor: vendor.name, tenant: resolved.tenant })
      if (Object.hasOwn(tenants, resolved.tenant)) {
        delete tenants[resolved.tenant]
        removed++
      }
    }
    let restored = 0
    if (request.empty !== true) {
      const only: TenantFilter =
        request.apiKey === undefined
          ? (vendor) => request.vendor === undefined || vendor === request.vendor
          : (vendor, tenant) => dropped.some((d) => d.vendor === vendor && d.tenant === tenant)
      restored = loadFixtures(fixtures, next, { only })
    }
    store.data = next
    replay?.reset()
    await store.write()
    return { removed, restored }
  }

  async function seed(doc: FixtureDocument): Promise<Record<string, number>> {
    const counts = applyFixtureDocument(store, 'seed', doc, { vendors: VENDORS, keys, now: now() })
    await store.write()
    return counts
  }

  const app = createApp({
    ...(replay === undefined ? {} : { beforeVendors: replay.handler }),
    db: store,
    keys,
    vendors,
    ...(options.vendor === undefined ? {} : { rootVendor: vendors[0]! }),
    strict: options.strict ?? false,
    version: VERSION,
    logger,
    vendorOptions: { now, heliconeScoreDelayMs: options.heliconeScoreDelayMs ?? 0 },
    faults,
    state: { reset, seed },
    adminToken: options.adminToken,
  })

  let server: Server | null = null
  let listening: string | null = null
  const close = async () => {
    const s = server
    server = null
    listening = null
    if (s !== null) {
      await new Promise<void>((resolve, reject) => {
        s.close((error) => (error ? reject(error) : resolve()))
        s.closeAllConnections()
      })
    }
    // Any write still in flight finishes before close resolves.
    if (adapter instanceof AtomicJsonFile) await adapter.flush()
  }
  return {
    app,
    store,
    keys,
    fixtureKeys,
    faults,
    listen(port = 0, host = '127.0.0.1') {
      if (server !== null) return Promise.reject(new Error(`the emulator is already listening on ${listening ?? host}; close() it first`))
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => {
          if (error) return reject(error)
          const address = s.address() as AddressInfo
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
          listening = `http://${shownHost}:${address.port}`
          resolve({ url: listening, port: address.port })
        })
        server = s
        s.once('error', (error) => {
          if (server === s) server = null
          reject(error)
        })
      })
    },
    close,
    reset,
    seed,
    use(...overrides) {
      return overrides.map((override) => faults.add(overrideToRule(override)))
    },
    resetOverrides() {
      faults.clear()
    },
    [Symbol.asyncDispose]: close,
  }
}

let validateFaultRule: ((rule: unknown) => string[]) | undefined

/** An override as a fault rule, checked against the `FaultRule` schema (a typo is a TypeError, not a silent no-op). */
function overrideToRule(override: Override): FaultRule {
  const { reply, ...rest } = override
  const rule: FaultRule = { ...rest }
  if (reply !== undefined) {
    rule.status = reply.status
    if (reply.body !== undefined) rule.body = reply.body
    if (reply.headers !== undefined) rule.headers = reply.headers
  }
  if (validateFaultRule === undefined) {
    const validate = createAjv({ useDefaults: false }).compile({ $ref: `${specId('emulator')}#/components/schemas/FaultRule` })
    validateFaultRule = (r) =>
      validate(r) ? [] : toViolations('body', validate.errors, r).map((v) => `${jsonPath(v.location.slice(1))} ${v.message}`)
  }
  const problems = validateFaultRule(rule)
  if (problems.length > 0) throw new TypeError(`emulator.use(): ${problems.join('; ')}`)
  return rule
}

/** The documents of `--fixtures` files and folders, then the documents given in-process. Throws FixtureError. */
async function readStartupFixtures(fixtures: readonly (string | FixtureDocument)[]): Promise<{ source: string; doc: unknown }[]> {
  const fromFiles = await readFixtureFiles(fixtures.filter((f): f is string => typeof f === 'string'))
  const documents = fixtures.filter((f): f is FixtureDocument => typeof f !== 'string')
  return [...fromFiles, ...documents.map((doc, i) => ({ source: `fixtures[${i}]`, doc: doc as unknown }))]
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
