// Fixture blocks ⇄ tenant state. A block is `{apiKey, organizationId?, requests, pendingScores?}`; the state
// keeps complete records (every column, defaults filled), so fromState → toState round-trips exactly.
import type { FixtureBlock, Grant, VendorFixtures } from '../vendor.ts'
import { withDefaults } from './records.ts'
import { defaultOrganizationId } from './service.ts'
import type { HeliconePendingScore, HeliconeRequestRecord, HeliconeState, HeliconeTenant } from './types.ts'

function shift(iso: string, deltaMs: number): string {
  return new Date(new Date(iso).getTime() + deltaMs).toISOString()
}

export const heliconeFixtures: VendorFixtures = {
  toState(block: FixtureBlock, grant: Grant): HeliconeState {
    const tenant = block as unknown as HeliconeTenant
    return {
      organizationId: tenant.organizationId ?? defaultOrganizationId(grant),
      requests: tenant.requests.map((r) => withDefaults(structuredClone(r))),
      pendingScores: structuredClone(tenant.pendingScores ?? []),
    }
  },

  fromState(state: unknown, apiKey: string): FixtureBlock {
    const s = state as HeliconeState
    const block: HeliconeTenant = { apiKey, organizationId: s.organizationId, requests: structuredClone(s.requests) }
    if (s.pendingScores.length > 0) block.pendingScores = structuredClone(s.pendingScores)
    return block as FixtureBlock
  },

  shiftTimes(block: FixtureBlock, deltaMs: number): FixtureBlock {
    const tenant = block as unknown as HeliconeTenant
    const requests = tenant.requests.map((r: HeliconeRequestRecord) => ({
      ...r,
      request_created_at: shift(r.request_created_at, deltaMs),
      ...(typeof r.response_created_at === 'string' ? { response_created_at: shift(r.response_created_at, deltaMs) } : {}),
    }))
    const shifted: HeliconeTenant = { ...tenant, requests }
    if (tenant.pendingScores !== undefined) {
      shifted.pendingScores = tenant.pendingScores.map((p: HeliconePendingScore) => ({
        ...p,
        posted_at: shift(p.posted_at, deltaMs),
        visible_at: shift(p.visible_at, deltaMs),
      }))
    }
    return shifted as FixtureBlock
  },
}
