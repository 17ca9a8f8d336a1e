// createEmulator(): the programmatic entry the CLI wraps. Builds the store, loads fixtures, wires the app.
import { readFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import { createApp, type Logger } from './app.ts'
import { ConfigError } from './config/config-error.ts'
import { KeyRegistry, type KeysDocument } from './config/key-registry.ts'
import {
  createCompletionEngine,
  createCompletionRuleSet,
  CompletionRuleError,
  type CompletionRule,
  type CompletionRuleSet,
} from './completions/index.ts'
import { ChangeFeed } from './control/change-feed.ts'
import { TestClock } from './control/clock.ts'
import { Coverage } from './control/coverage.ts'
import { createObserver } from './control/exchange.ts'
import { FaultRules, type FaultRule, type FaultRuleState } from './control/fault-rules.ts'
import { toHar, type Har } from './control/har.ts'
import { unknownOperationProblem } from './control/index.ts'
import { DEFAULT_JOURNAL_SIZE, Journal, type JournalEntry, type RequestFilter, type RequestMatcher } from './control/journal.ts'
import {
  FixtureError,
  jsonPath,
  readFixtureFiles,
  stageFixtureDocument,
  type FixtureDocument,
  type TenantFilter,
} from './fixtures/fixture-document.ts'
import { createAjv } from './openapi/create-ajv.ts'
import { specId } from './openapi/load-specs.ts'
import { operationTable } from './openapi/operations.ts'
import { toViolations } from './openapi/violations.ts'
import { createReplay, type ReplayOptions } from './recordings/replay.ts'
import { tenantMap, type Data } from './store/data.ts'
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
  /**
   * The real time the test clock runs from (default: the system time). Tests may pin it; the control API's
   * `/clock` (and `emulator.clock`) freeze, move or shift the emulator's clock on top of it.
   */
  now?: () => Date
  /** Helicone: delay before a score becomes visible (the real server's processing delay). Default 0. */
  heliconeScoreDelayMs?: number
  /** Serve recorded interactions first (`--replay FILE`, `--replay-strict`). */
  replay?: ReplayOptions
  /** Seed of the generator fault rules draw their `probability` from (`--seed`). Default 1. */
  seed?: number
  /** How many requests the journal keeps (`--journal-size`). Default 10 000; 0 turns the journal off. */
  journalSize?: number
  /**
   * The simulated provider latency of the LLM routes, in ms (`--completion-latency-ms`): waited before the
   * answer (or its first event) and part of the latency the vendors log. Default 20.
   */
  completionLatencyMs?: number
  /**
   * The control API (`/__emulator`) then requires `Authorization: Bearer <adminToken>` and serves any Host.
   * Without it, it serves loopback Host names and same-machine pages only (`--admin-token`).
   */
  adminToken?: string
}

/** The default simulated provider latency of the LLM routes. */
export const DEFAULT_COMPLETION_LATENCY_MS = 20

/** How long after listening the background compilation of the remaining validators starts. */
const WARM_UP_DELAY_MS = 1_000

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
  /** The store: `store.data.<vendor>[tenant]` is the committed state (read it; write through the API). */
  store: Store
  keys: KeyRegistry
  /** The API keys of the tenants in the fixtures given at startup, per vendor (the banner prints them). */
  fixtureKeys: Record<VendorName, string[]>
  /** Starts listening (port 0 = any free port; default 127.0.0.1). Rejects when already listening. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>
  /** Stops listening, waits for the last write to reach the disk, compacts the store and releases its lock. */
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
  /** The fault rules behind `use()` and `/__emulator/faults`: `add`, `list`, `get`, `remove`, `clear`. */
  faults: FaultRules
  /** The emulator's clock (`/__emulator/clock`): `get`, `freeze(at)`, `advance(ms)`, `offset(ms)`, `reset`. */
  clock: TestClock
  /** Operation × declared status coverage of the vendor specs (`/__emulator/coverage`): `get`, `reset`. */
  coverage: Coverage
  /** The journaled requests, newest first (`GET /__emulator/requests`). Throws when the journal is off. */
  requests(filter?: RequestFilter): JournalEntry[]
  /** One journaled request, by id. */
  request(id: string): JournalEntry | undefined
  /** How many journaled requests match (`POST /__emulator/requests/count`; `body` is a deep subset). */
  count(matcher?: RequestMatcher): number
  /** Forgets journaled requests (all, or the matching ones); returns how many. */
  clearRequests(filter?: Omit<RequestFilter, 'limit'>): number
  /** The journal as HAR 1.2, oldest first (`GET /__emulator/requests.har`). */
  har(filter?: RequestFilter): Har
  /** The scripted answers of the LLM routes (`/__emulator/completions`): `add`, `list`, `replace`, `clear`. */
  completions: CompletionRuleSet
  /** `await using emulator = await createEmulator()`: closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>
}

export { ConfigError }

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = new TestClock(options.now)
  const now = () => clock.now()
  const journalSize = options.journalSize ?? DEFAULT_JOURNAL_SIZE
  if (!Number.isInteger(journalSize) || journalSize < 0) throw new ConfigError(`journalSize must be a whole number, got ${journalSize}`)
  const journal = journalSize === 0 ? null : new Journal(journalSize)
  const keys = new KeyRegistry(await loadKeys(options.keys))
  const dbPath = options.db ?? ':memory:'
  const compactLogBytes = options.store?.compactLogBytes ?? envCount('EMULATOR_COMPACT_LOG_BYTES')
  const store = await Store.open({
    path: dbPath,
    ...(compactLogBytes === undefined ? {} : { compactLogBytes }),
    ...(options.store?.warn === undefined ? {} : { warn: options.store.warn }),
  })
  try {
    return await assemble(options, { clock, now, journal, keys, store, dbPath })
  } catch (error) {
    // Whatever fails after the store is open (a bad fixture, a bad recording) releases its lock.
    await store.close()
    throw error
  }
}

type Parts = { clock: TestClock; now: () => Date; journal: Journal | null; keys: KeyRegistry; store: Store; dbPath: string }

async function assemble(options: EmulatorOptions, { clock, now, journal, keys, store }: Parts): Promise<Emulator> {
  const latencyMs = options.completionLatencyMs ?? DEFAULT_COMPLETION_LATENCY_MS
  if (!Number.isInteger(latencyMs) || latencyMs < 0) throw new ConfigError(`completionLatencyMs must be a whole number, got ${latencyMs}`)
  const completions = createCompletionEngine({ latencyMs, now: () => now().getTime() })
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

  /** Checks and converts fixture documents into tenant states (all of them, or nothing: a bad one throws first). */
  const stageFixtures = (
    documents: readonly { source: string; doc: unknown }[],
    base: Data,
    filter: { onlyMissing?: boolean; only?: TenantFilter },
  ): StagedTenant[] => {
    // Later documents see the tenants earlier ones staged (a second block for a tenant is still refused per document).
    const scratch: Data = {
      version: base.version,
      portkey: tenantMap(base.portkey),
      helicone: tenantMap(base.helicone),
      pulze: tenantMap(base.pulze),
    }
    const staged: StagedTenant[] = []
    for (const { source, doc } of documents) {
      const { tenants } = stageFixtureDocument(scratch, source, doc, { vendors: VENDORS, keys, now: now(), ...filter })
      for (const t of tenants) Object.defineProperty(scratch[t.vendor], t.tenant, { value: t.state, enumerable: true, configurable: true })
      staged.push(...tenants)
    }
    return staged
  }

  try {
    const staged = stageFixtures(startupFixtures, store.data, { onlyMissing: true })
    const startupRules = completionRulesOf(startupFixtures)
    if (staged.length > 0) await store.commit({ type: 'seed', tenants: staged })
    startupFixtures = []
    completions.rules.replace(startupRules)
  } catch (error) {
    if (error instanceof FixtureError) throw new ConfigError(error.message)
    throw error
  }

  const logger: Logger = {
    request: options.quiet === true ? undefined : (options.logger?.request ?? ((line) => console.log(line))),
    error: options.logger?.error ?? ((message, error) => console.error(message, error)),
  }
  const faults = new FaultRules(options.seed ?? 1)
  const coverage = new Coverage(vendors.map((v) => ({ name: v.name, operations: operationTable(v.name) })))
  const feed = new ChangeFeed(now)
  const stopFeeding = store.onApplied((op) => feed.operationApplied(op))
  const replay =
    options.replay === undefined
      ? undefined
      : await createReplay(
          options.replay,
          vendors,
          options.vendor === undefined ? undefined : vendors[0],
          createObserver(journal, coverage, feed),
        )
  const journalOn = (): Journal => {
    if (journal === null) throw new Error('the request journal is off (journalSize: 0)')
    return journal
  }

  async function reset(input: ResetOptions | string = {}): Promise<ResetResult> {
    const request = typeof input === 'string' ? { apiKey: input } : input
    // Read (and check) the fixtures before anything is dropped: a fixture file broken since startup fails the reset whole.
    const fixtures = request.empty === true ? [] : await readStartupFixtures(fixtureSources)
    let removed = 0
    const targets: ResetOperation['targets'] = []
    for (const vendor of vendors) {
      if (request.vendor !== undefined && vendor.name !== request.vendor) continue
      const tenants = store.data[vendor.name]
      if (request.apiKey === undefined) {
        removed += Object.keys(tenants).length
        targets.push({ vendor: vendor.name })
        continue
      }
      const resolved = keys.resolve(vendor.name, request.apiKey)
      if (resolved === null) continue
      targets.push({ vendor: vendor.name, tenant: resolved.tenant })
      if (Object.hasOwn(tenants, resolved.tenant)) removed++
    }
    let restore: StagedTenant[] = []
    if (request.empty !== true) {
      const only: TenantFilter = (vendor, tenant) =>
        targets.some((t) => t.vendor === vendor && (t.tenant === undefined || t.tenant === tenant))
      restore = stageFixtures(fixtures, store.data, { only })
    }
    // The startup fixtures' scripted answers come back with them (a whole reset only: rules have no tenant).
    const rules = request.apiKey === undefined && request.vendor === undefined ? completionRulesOf(fixtures) : null
    // One operation: nobody ever sees the store half reset.
    await store.commit({ type: 'reset', targets, ...(restore.length === 0 ? {} : { restore }) })
    if (rules !== null) completions.rules.replace(rules)
    replay?.reset()
    return { removed, restored: restore.length }
  }

  async function seed(doc: FixtureDocument): Promise<Record<string, number>> {
    const { tenants, counts } = stageFixtureDocument(store.data, 'seed', doc, { vendors: VENDORS, keys, now: now() })
    const rules = completionRulesOf([{ source: 'seed', doc }], completions.rules.list())
    await store.commit({ type: 'seed', tenants })
    completions.rules.add(rules)
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
    completions,
    journal,
    coverage,
    clock,
    adminToken: options.adminToken,
    fixtureKeys,
    feed,
  })

  // Validators compile on first use; once listening, the rest compile in the background, a little at a time.
  // Not at once: a warm-up step can hold the event loop ~100 ms, and the readiness probe and the app's first
  // requests (each compiling only what it uses) would wait behind it (a first health check took 0.5 s).
  let warmUpScheduled = false
  const warmUpSoon = () => {
    if (warmUpScheduled) return
    warmUpScheduled = true
    setTimeout(() => {
      for (const name of [...vendors.map((v) => v.name), 'emulator'] as const) void operationTable(name).warmUp()
    }, WARM_UP_DELAY_MS).unref()
  }

  let server: Server | null = null
  let listening: string | null = null
  const close = async () => {
    const s = server
    server = null
    listening = null
    // Event streams never end by themselves: end them so that the server can close.
    feed.close()
    stopFeeding()
    if (s !== null) {
      await new Promise<void>((resolve, reject) => {
        s.close((error) => (error ? reject(error) : resolve()))
        s.closeAllConnections()
      })
    }
    // Writes still in flight finish (and the store is compacted) before close resolves.
    await store.close()
  }
  return {
    app,
    store,
    keys,
    fixtureKeys,
    faults,
    clock,
    coverage,
    requests: (filter) => journalOn().list(filter),
    request: (id) => journalOn().get(id),
    count: (matcher) => journalOn().count(matcher),
    clearRequests: (filter) => journalOn().clear(filter),
    har: (filter) => toHar(journalOn().chronological(filter), VERSION),
    completions: completions.rules,
    listen(port = 0, host = '127.0.0.1') {
      if (server !== null) return Promise.reject(new Error(`the emulator is already listening on ${listening ?? host}; close() it first`))
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => {
          if (error) return reject(error)
          const address = s.address() as AddressInfo
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
          listening = `http://${shownHost}:${address.port}`
          warmUpSoon()
          resolve({ url: listening, port: address.port })
        })
        // Keep idle connections longer than clients do (undici and Node's agent keep them ~4–5 s): a server that
        // closes first races the client's next request on that socket ("other side closed", ECONNRESET).
        s.keepAliveTimeout = 65_000
        s.headersTimeout = 66_000
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
      const rules = overrides.map((override) => {
        const rule = overrideToRule(override)
        const unknown = unknownOperationProblem(rule, vendors)
        if (unknown !== null) throw new TypeError(`emulator.use(): ${unknown}`)
        return rule
      })
      return rules.map((rule) => faults.add(rule))
    },
    resetOverrides() {
      faults.clear()
    },
    [Symbol.asyncDispose]: close,
  }
}

/**
 * The `completions` rules of fixture documents, in order, checked (with `present` rules ahead of them, for the
 * 500-rule cap) before anything is stored: a bad rule is a FixtureError naming its JSON path.
 */
function completionRulesOf(
  documents: readonly { source: string; doc: unknown }[],
  present: readonly CompletionRule[] = [],
): CompletionRule[] {
  const rules: CompletionRule[] = []
  for (const { source, doc } of documents) {
    const own = (doc as { completions?: CompletionRule[] } | null)?.completions ?? []
    try {
      createCompletionRuleSet([...present, ...rules, ...own])
    } catch (error) {
      if (!(error instanceof CompletionRuleError)) throw error
      const shift = present.length + rules.length
      throw new FixtureError(
        source,
        error.problems.map((p) => ({
          path: p.path.replace(/^\$\[(\d+)\]/, (_, i: string) => `$.completions[${Number(i) - shift}]`),
          message: p.message,
        })),
      )
    }
    rules.push(...structuredClone(own))
  }
  return rules
}

/** A whole number from the environment (the CLI's fallbacks for options without a flag), or undefined. */
function envCount(name: string): number | undefined {
  const value = process.env[name]
  if (value === undefined || value === '') return undefined
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got "${value}"`)
  return Number(value)
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
