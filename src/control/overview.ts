// What the banner prints and the dashboard's overview shows: each served vendor's base path and dev keys, and
// its tenants with their record counts, last write time and a key that reaches them (`GET /__emulator/tenants`).
import type { KeyRegistry } from '../config/key-registry.ts'
import type { components } from '../generated/emulator.ts'
import type { Data } from '../store/data.ts'
import { keyHash } from './journal.ts'
import type { HeliconeState } from '../vendors/helicone/types.ts'
import type { TenantState as PortkeyState } from '../vendors/portkey/types.ts'
import type { PulzeState } from '../vendors/pulze/types.ts'
import type { VendorName } from '../vendors/vendor-name.ts'

export type TenantOverview = components['schemas']['TenantOverview']
export type VendorOverview = components['schemas']['VendorOverview']
export type TenantSummary = components['schemas']['TenantSummary']
export type VendorEndpoint = Omit<VendorOverview, 'tenants'>

/** The SDK base path of each vendor under its prefix (what a client's `baseURL` ends with). */
export const SDK_BASE_PATHS: Readonly<Record<VendorName, string>> = { portkey: '/portkey/v1', helicone: '/helicone', pulze: '/pulze/v1' }

/** The dev keys of the bundled `fixtures/default.json` (the dashboard shows these unmasked; a test keeps them in step). */
export const BUNDLED_DEMO_KEYS: ReadonlySet<string> = new Set(['pk-emulator-dev', 'sk-helicone-emulator-dev', 'sk-pulze-emulator-dev'])

/** Helicone stores a rating as this score key (1 good, 0 bad). */
const HELICONE_FEEDBACK_SCORE = 'helicone-score-feedback'

/** The served vendors as the banner prints them: base path and the keys to use. */
export function servedEndpoints(options: {
  served: readonly VendorName[]
  /** The vendor served at the root (`--vendor`), if any. */
  rootVendor?: VendorName | undefined
  fixtureKeys: Readonly<Record<VendorName, readonly string[]>>
  keys: KeyRegistry
}): VendorEndpoint[] {
  return options.served.map((vendor) => {
    const atRoot = options.rootVendor === vendor
    return {
      vendor,
      mount: atRoot ? '' : `/${vendor}`,
      basePath: atRoot ? SDK_BASE_PATHS[vendor].replace(`/${vendor}`, '') : SDK_BASE_PATHS[vendor],
      keys: [...new Set([...options.fixtureKeys[vendor], ...options.keys.listed(vendor).map((k) => k.key)])].map((key) => ({
        key,
        demo: BUNDLED_DEMO_KEYS.has(key),
      })),
      anyKey: options.keys.isOpen(vendor),
    }
  })
}

/** Record counts of one tenant's state, by vendor (what `/state` holds, counted). */
export function recordCounts(vendor: VendorName, state: unknown): Record<string, number> {
  switch (vendor) {
    case 'portkey': {
      const s = state as PortkeyState
      return { generations: s.generations.length, feedback: s.feedback.length }
    }
    case 'helicone': {
      const s = state as HeliconeState
      let scored = 0
      let feedback = 0
      for (const request of s.requests) {
        let hasScore = false
        for (const key in request.scores) {
          if (key === HELICONE_FEEDBACK_SCORE) feedback++
          else hasScore = true
        }
        if (hasScore) scored++
      }
      return { requests: s.requests.length, scored, feedback }
    }
    case 'pulze': {
      const s = state as PulzeState
      let rated = 0
      for (const log of s.logs) if (log.good_answer !== null) rated++
      return { logs: s.logs.length, rated }
    }
  }
}

const newestRecordTimes = new WeakMap<object, number | null>()

/** The newest timestamp among a tenant's records (epoch ms), once per state object: only writes change a state. */
export function newestRecordTime(vendor: VendorName, state: object): number | null {
  const known = newestRecordTimes.get(state)
  if (known !== undefined) return known
  let newest = -Infinity
  const see = (iso: string | null | undefined) => {
    if (typeof iso !== 'string') return
    const ms = Date.parse(iso)
    if (ms > newest) newest = ms
  }
  if (vendor === 'portkey') {
    const s = state as PortkeyState
    for (const g of s.generations) see(g.created_at)
    for (const f of s.feedback) {
      see(f.created_at)
      see(f.updated_at)
    }
  } else if (vendor === 'helicone') {
    const s = state as HeliconeState
    for (const r of s.requests) {
      see(r.request_created_at)
      see(r.response_created_at)
    }
    for (const p of s.pendingScores) see(p.posted_at)
  } else {
    for (const log of (state as PulzeState).logs) {
      if (log.timestamp > newest) newest = log.timestamp
      see(log.added_on)
    }
  }
  const result = Number.isFinite(newest) ? newest : null
  newestRecordTimes.set(state, result)
  return result
}

/**
 * A key that reaches the tenant and, when there is one, may read its analytics: in open mode the tenant id
 * itself; with `--keys`, a listed key of the tenant with the read grant the dashboard's queries need.
 */
export function readingKey(vendor: VendorName, tenant: string, keys: KeyRegistry): { apiKey: string | null; readable: boolean } {
  if (keys.isOpen(vendor)) return { apiKey: tenant, readable: true }
  const listed = keys.listed(vendor).filter((k) => k.tenant === tenant)
  const canRead = (info: Record<string, unknown>): boolean => {
    if (vendor === 'portkey') return !Array.isArray(info['scopes']) || info['scopes'].includes('analytics.view')
    if (vendor === 'helicone') return typeof info['permissions'] !== 'string' || info['permissions'].includes('w')
    return true
  }
  // Portkey: an organisation key without a default workspace sees every workspace of the tenant.
  const rank = (info: Record<string, unknown>): number =>
    vendor !== 'portkey' ? 0 : info['type'] === 'organisation' ? (info['workspace_slug'] === undefined ? 0 : 1) : 2
  const readers = listed.filter((k) => canRead(k.info)).sort((a, b) => rank(a.info) - rank(b.info))
  if (readers[0] !== undefined) return { apiKey: readers[0].key, readable: true }
  return { apiKey: listed[0]?.key ?? null, readable: false }
}

/** The overview of every served vendor and its tenants. */
export function tenantOverview(options: {
  data: Data
  endpoints: readonly VendorEndpoint[]
  keys: KeyRegistry
  version: string
  lastWriteOf: (vendor: VendorName, tenant: string) => number | undefined
}): TenantOverview {
  return {
    version: options.version,
    vendors: options.endpoints.map((endpoint) => {
      const vendor = endpoint.vendor
      const tenants = options.data[vendor]
      return {
        ...endpoint,
        tenants: Object.keys(tenants)
          .sort()
          .map((tenant): TenantSummary => {
            const state = tenants[tenant] as object
            const { apiKey, readable } = readingKey(vendor, tenant, options.keys)
            const lastWrite = options.lastWriteOf(vendor, tenant) ?? newestRecordTime(vendor, state)
            return {
              tenant,
              ref: keyHash(tenant),
              apiKey,
              readable,
              tenantIsKey: options.keys.resolve(vendor, tenant)?.tenant === tenant,
              demo: apiKey !== null && BUNDLED_DEMO_KEYS.has(apiKey),
              counts: recordCounts(vendor, state),
              lastWriteAt: lastWrite === null ? null : new Date(lastWrite).toISOString(),
            }
          }),
      }
    }),
  }
}
