// Fixture blocks ⇄ stored state, and moving a block's times.
import { FixtureError, type FixtureProblem } from '../../fixtures/fixture-document.ts'
import type { FixtureBlock, VendorFixtures } from '../vendor.ts'
import { emptyTenantState } from './service.ts'
import type { Feedback, Generation, PortkeyTenantBlock, TenantState } from './types.ts'

/** A fixture block (validated against `PortkeyTenant`) as stored state; ids must be unique per tenant. */
export function blockToState(block: FixtureBlock): TenantState {
  const { generations = [], feedback = [] } = structuredClone(block) as PortkeyTenantBlock
  const problems: FixtureProblem[] = [...duplicateIds('generations', generations), ...duplicateIds('feedback', feedback)]
  if (problems.length > 0) throw new FixtureError('portkey', problems)
  return { generations, feedback }
}

function duplicateIds(field: string, records: readonly { id: string }[]): FixtureProblem[] {
  const seen = new Set<string>()
  const problems: FixtureProblem[] = []
  records.forEach((r, i) => {
    if (seen.has(r.id)) problems.push({ path: `$.${field}[${i}].id`, message: `duplicate id ${r.id}` })
    seen.add(r.id)
  })
  return problems
}

/** Stored state back as a fixture block: `toState(fromState(s))` is `s`. */
export function stateToBlock(state: unknown, apiKey: string): FixtureBlock {
  const { generations, feedback } = structuredClone(state ?? emptyTenantState()) as TenantState
  const block: PortkeyTenantBlock = { apiKey, generations, feedback }
  return block
}

const shift = (iso: string, deltaMs: number) => new Date(Date.parse(iso) + deltaMs).toISOString()

/** Moves every timestamp of a block: generations' `created_at`, feedback's `created_at` and `updated_at`. */
export function shiftBlockTimes(block: FixtureBlock, deltaMs: number): FixtureBlock {
  const b = block as PortkeyTenantBlock & FixtureBlock
  const generations = b.generations?.map((g): Generation => ({ ...g, created_at: shift(g.created_at, deltaMs) }))
  const feedback = b.feedback?.map((f): Feedback => {
    const moved: Feedback = { ...f, created_at: shift(f.created_at, deltaMs) }
    if (f.updated_at !== undefined) moved.updated_at = shift(f.updated_at, deltaMs)
    return moved
  })
  return {
    ...block,
    ...(generations === undefined ? {} : { generations }),
    ...(feedback === undefined ? {} : { feedback }),
  }
}

export const portkeyFixtures: VendorFixtures = {
  toState: (block) => blockToState(block),
  fromState: stateToBlock,
  shiftTimes: shiftBlockTimes,
}
