import type { VendorName } from '../vendors/vendor-name.ts'
import type { Data, TenantStates } from './data.ts'

/** A tenant's stored state, or undefined when the tenant has never written anything. */
export function findTenant<V extends VendorName>(data: Data, vendor: V, tenant: string): TenantStates[V] | undefined {
  const tenants = data[vendor] as Record<string, TenantStates[V]>
  return Object.hasOwn(tenants, tenant) ? tenants[tenant] : undefined
}

/** A tenant's stored state, created when missing. Only operations' apply functions call this. */
export function ensureTenant<V extends VendorName>(data: Data, vendor: V, tenant: string, create: () => TenantStates[V]): TenantStates[V] {
  const existing = findTenant(data, vendor, tenant)
  if (existing !== undefined) return existing
  const created = create()
  // defineProperty, not assignment: a tenant named `__proto__` is an ordinary key.
  Object.defineProperty(data[vendor], tenant, { value: created, writable: true, enumerable: true, configurable: true })
  return created
}

/** Sets (or replaces) a tenant's state; `__proto__` is an ordinary key here too. */
// `unknown`: whole states come from fixture documents and seeds, checked against specs/emulator.yaml where staged.
export function setTenant(data: Data, vendor: VendorName, tenant: string, state: unknown): void {
  Object.defineProperty(data[vendor], tenant, { value: state, writable: true, enumerable: true, configurable: true })
}
