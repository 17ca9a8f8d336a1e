import type { VendorName } from '../vendors/vendor-name.ts'
import type { Data } from './data.ts'

/** A tenant's stored state, or undefined when the tenant has never written anything. */
export function findTenant<T>(data: Data, vendor: VendorName, tenant: string): T | undefined {
  return Object.hasOwn(data[vendor], tenant) ? (data[vendor][tenant] as T) : undefined
}

/** A tenant's stored state, created when missing. Only operations' apply functions call this. */
export function ensureTenant<T>(data: Data, vendor: VendorName, tenant: string, create: () => T): T {
  const existing = findTenant<T>(data, vendor, tenant)
  if (existing !== undefined) return existing
  const created = create()
  // defineProperty, not assignment: a tenant named `__proto__` is an ordinary key.
  Object.defineProperty(data[vendor], tenant, { value: created, writable: true, enumerable: true, configurable: true })
  return created
}

/** Sets (or replaces) a tenant's state; `__proto__` is an ordinary key here too. */
export function setTenant(data: Data, vendor: VendorName, tenant: string, state: unknown): void {
  Object.defineProperty(data[vendor], tenant, { value: state, writable: true, enumerable: true, configurable: true })
}
