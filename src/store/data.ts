import type { HeliconeState } from '../vendors/helicone/types.ts'
import type { TenantState as PortkeyState } from '../vendors/portkey/types.ts'
import type { PulzeState } from '../vendors/pulze/types.ts'
import type { VendorName } from '../vendors/vendor-name.ts'

/** What one tenant of each vendor stores (each vendor's types.ts derives it from specs/emulator.yaml). */
export type TenantStates = { portkey: PortkeyState; helicone: HeliconeState; pulze: PulzeState }

/**
 * Every vendor's records, per tenant. A tenant is what an API key resolves to (the key itself by default).
 * The tenant maps have no prototype: a key is data whatever its name, so a tenant named `__proto__` is
 * stored, found and listed like any other (on a plain object, assigning it would set the prototype).
 */
export type Data = { version: 1 } & { [V in VendorName]: Record<string, TenantStates[V]> }

/** An empty tenant map (null prototype). */
export function emptyTenants<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

/** A tenant map holding `tenants`' own entries (`__proto__` included), with a null prototype. */
export function tenantMap<T>(tenants: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(emptyTenants<T>(), tenants)
}

export function emptyData(): Data {
  return { version: 1, portkey: emptyTenants(), helicone: emptyTenants(), pulze: emptyTenants() }
}
