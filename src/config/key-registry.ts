import { VENDOR_NAMES, type VendorName } from '../vendors/vendor-name.ts'

/** One entry of a `--keys` file: an accepted key, the tenant it belongs to, and vendor-specific grants. */
export type KeyEntry = { key: string; tenant?: string } & Record<string, unknown>
export type KeysDocument = Partial<Record<VendorName, KeyEntry[]>>

export type ResolvedKey = { tenant: string; info: Record<string, unknown> }

/**
 * Which API keys each vendor accepts and which tenant each belongs to.
 * A vendor without a block in the keys file is open: any non-empty key is accepted and is its own tenant,
 * so parallel tests isolate themselves just by using distinct keys.
 */
export class KeyRegistry {
  #byVendor: Map<VendorName, Map<string, ResolvedKey>>

  constructor(doc: KeysDocument = {}) {
    this.#byVendor = new Map()
    for (const vendor of VENDOR_NAMES) {
      const entries = doc[vendor]
      if (entries === undefined) continue
      const keys = new Map<string, ResolvedKey>()
      for (const { key, tenant, ...info } of entries) keys.set(key, { tenant: tenant ?? key, info })
      this.#byVendor.set(vendor, keys)
    }
  }

  /** True when the vendor accepts any key (no `--keys` block for it). */
  isOpen(vendor: VendorName): boolean {
    return !this.#byVendor.has(vendor)
  }

  /** The tenant and grants of a key, or null when the vendor does not accept it. */
  resolve(vendor: VendorName, apiKey: string): ResolvedKey | null {
    if (apiKey === '') return null
    const keys = this.#byVendor.get(vendor)
    if (keys === undefined) return { tenant: apiKey, info: {} }
    return keys.get(apiKey) ?? null
  }

  /** Every key listed for a vendor (for the banner); empty for an open vendor. */
  listed(vendor: VendorName): { key: string; tenant: string; info: Record<string, unknown> }[] {
    return [...(this.#byVendor.get(vendor) ?? new Map<string, ResolvedKey>()).entries()].map(([key, v]) => ({ key, ...v }))
  }

  /** Every key of a tenant (used to print a tenant's state with a key that reaches it). */
  keysOf(vendor: VendorName, tenant: string): string[] {
    return this.listed(vendor)
      .filter((k) => k.tenant === tenant)
      .map((k) => k.key)
  }
}
