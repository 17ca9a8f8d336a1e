import type { VendorName } from '../vendors/vendor-name.ts'

/**
 * Every vendor's records, per tenant. A tenant is what an API key resolves to (the key itself by default).
 * The tenant maps have no prototype: a key is data whatever its name, so a tenant named `__proto__` is
 * stored, found and listed like any other (on a plain object, assigning it would set the prototype).
 */
export type Data = { version: 1 } & { [V in VendorName]: Record<string, unknown> }

/** An empty tenant map (null prototype). */
export function emptyTenants(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>
}

/** A tenant map holding `tenants`' own entries (`__proto__` included), with a null prototype. */
export function tenantMap(tenants: object): Record<string, unknown> {
  return Object.assign(emptyTenants(), tenants)
}

export function emptyData(): Data {
  return { version: 1, portkey: emptyTenants(), helicone: emptyTenants(), pulze: emptyTenants() }
}
