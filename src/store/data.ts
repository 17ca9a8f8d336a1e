import type { VendorName } from '../vendors/vendor-name.ts'

/** Every vendor's records, per tenant. A tenant is what an API key resolves to (the key itself by default). */
export type Data = { version: 1 } & { [V in VendorName]: Record<string, unknown> }

export function emptyData(): Data {
  return { version: 1, portkey: {}, helicone: {}, pulze: {} }
}

/** Reads a store file's content leniently: unknown or missing parts are replaced by empty ones. */
export function normalizeData(raw: unknown): Data {
  const data = emptyData()
  if (raw === null || typeof raw !== 'object') return data
  const record = raw as Record<string, unknown>
  for (const vendor of ['portkey', 'helicone', 'pulze'] as const) {
    const tenants = record[vendor]
    if (tenants !== null && typeof tenants === 'object' && !Array.isArray(tenants)) {
      data[vendor] = tenants as Record<string, unknown>
    }
  }
  return data
}

/**
 * A copy of the vendor → tenant maps that shares the tenant states: staging area for changes that replace
 * or drop whole tenants (seed, reset) and must land all at once or not at all.
 */
export function copyTenantMaps(data: Data): Data {
  return { version: data.version, portkey: { ...data.portkey }, helicone: { ...data.helicone }, pulze: { ...data.pulze } }
}
