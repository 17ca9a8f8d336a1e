// Every change to the store is one operation: one line of the operation log, applied to the in-memory
// document only once that line is on disk, and applied again, line by line, when the store is loaded. The
// vendors' own operations live beside their services (src/vendors/<vendor>/mutations.ts); seeding and
// resetting, which cross vendors, live here.
import { applyHeliconeOperation, type HeliconeOperation } from '../vendors/helicone/mutations.ts'
import { applyPortkeyOperation, type PortkeyOperation } from '../vendors/portkey/mutations.ts'
import { applyPulzeOperation, type PulzeOperation } from '../vendors/pulze/mutations.ts'
import type { VendorName } from '../vendors/vendor-name.ts'
import { emptyTenants, type Data } from './data.ts'
import { setTenant } from './tenant-state.ts'

/** A tenant's whole state, as a fixture block becomes when it is loaded. */
export type StagedTenant = { vendor: VendorName; tenant: string; state: unknown }

/** Puts whole tenants in place (fixtures at startup, `POST /__emulator/seed`), replacing what they had. */
export type SeedOperation = { type: 'seed'; tenants: StagedTenant[] }

/**
 * Drops tenants: every tenant of a vendor (no `tenant`) or one. `restore` then puts tenants back in the
 * same step (a reset to the startup fixtures), so nobody ever sees the store half reset.
 */
export type ResetOperation = { type: 'reset'; targets: { vendor: VendorName; tenant?: string }[]; restore?: StagedTenant[] }

export type Operation = SeedOperation | ResetOperation | PortkeyOperation | HeliconeOperation | PulzeOperation

const OPERATION_TYPES: Record<Operation['type'], true> = {
  seed: true,
  reset: true,
  'portkey.feedback.create': true,
  'portkey.feedback.update': true,
  'portkey.generations.insert': true,
  'helicone.request.log': true,
  'helicone.score.post': true,
  'pulze.log.rate': true,
  'pulze.log.insert': true,
}

/** Does a parsed log line name a known operation type (replay refuses any other line)? */
export function isOperation(value: unknown): value is Operation {
  if (value === null || typeof value !== 'object') return false
  const type = (value as { type?: unknown }).type
  return typeof type === 'string' && Object.hasOwn(OPERATION_TYPES, type)
}

/** Applies one operation to the document. Total: an operation about something gone since does nothing. */
export function applyOperation(data: Data, op: Operation): void {
  switch (op.type) {
    case 'seed':
      for (const { vendor, tenant, state } of op.tenants) setTenant(data, vendor, tenant, state)
      return
    case 'reset':
      for (const { vendor, tenant } of op.targets) {
        if (tenant === undefined) data[vendor] = emptyTenants()
        else delete data[vendor][tenant]
      }
      for (const { vendor, tenant, state } of op.restore ?? []) setTenant(data, vendor, tenant, state)
      return
    default:
      if (op.type.startsWith('portkey.')) return applyPortkeyOperation(data, op as PortkeyOperation)
      if (op.type.startsWith('helicone.')) return applyHeliconeOperation(data, op as HeliconeOperation)
      if (op.type.startsWith('pulze.')) return applyPulzeOperation(data, op as PulzeOperation)
      throw new Error(`unknown operation type ${op.type}`)
  }
}
