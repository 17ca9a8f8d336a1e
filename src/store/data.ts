import type { VendorName } from '../vendors/vendor-name.ts'

/** Every vendor's records, per tenant. A tenant is what an API key resolves to (the key itself by default). */
export type Data = { version: 1 } & { [V in VendorName]: Record<string, unknown> }

export function emptyData(): Data {
  return { version: 1, portkey: {}, helicone: {}, pulze: {} }
}
