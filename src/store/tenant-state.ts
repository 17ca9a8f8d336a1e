import type { Low } from 'lowdb'
import type { VendorName } from '../vendors/vendor-name.ts'
import type { Data } from './data.ts'

/** A tenant's stored state, or undefined when the tenant has never written anything. */
export function findTenant<T>(db: Low<Data>, vendor: VendorName, tenant: string): T | undefined {
  return Object.hasOwn(db.data[vendor], tenant) ? (db.data[vendor][tenant] as T) : undefined
}

/** A tenant's stored state, created (in memory; the caller's `db.write()` persists it) when missing. */
export function ensureTenant<T>(db: Low<Data>, vendor: VendorName, tenant: string, create: () => T): T {
  const existing = findTenant<T>(db, vendor, tenant)
  if (existing !== undefined) return existing
  const created = create()
  db.data[vendor][tenant] = created
  return created
}
