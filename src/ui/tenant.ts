// Naming tenants and linking to their pages.
import type { TenantSummary, VendorName } from './api.ts'
import { maskKey } from './format.ts'

export const VENDOR_TITLES: Readonly<Record<VendorName, string>> = { portkey: 'Portkey', helicone: 'Helicone', pulze: 'Pulze' }

/** A key as shown: whole for the bundled demo keys, else masked. */
export function shownKey(key: string, demo: boolean): string {
  return demo ? key : maskKey(key)
}

/** The tenant as shown: its id, masked when the id is itself a key (open mode). */
export function tenantLabel(summary: TenantSummary): string {
  return summary.tenantIsKey ? shownKey(summary.tenant, summary.demo) : summary.tenant
}

/** A tenant page's address: by the tenant's `ref` (a hash), so that a key never shows in the address bar. */
export function tenantHref(vendor: VendorName, summary: TenantSummary): string {
  return `#/${vendor}/${summary.ref}`
}
