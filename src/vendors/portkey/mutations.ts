// Portkey's write operations: what each one carries (everything replay needs: generated ids, timestamps,
// whole records) and how it changes the store. `applyPortkeyOperation` runs once an operation's log line is
// on disk, and again for each line when the store is loaded, so it depends on nothing but the document and
// the operation. Records are replaced, never mutated in place (a snapshot in progress holds the old ones).
import type { Data } from '../../store/data.ts'
import { createRecordIndex } from '../../store/record-index.ts'
import { ensureTenant, findTenant } from '../../store/tenant-state.ts'
import type { Feedback, Generation, TenantState } from './types.ts'

export type PortkeyOperation =
  | { type: 'portkey.feedback.create'; tenant: string; feedback: Feedback[] }
  | {
      type: 'portkey.feedback.update'
      tenant: string
      id: string
      value: number
      weight: number
      metadata?: Feedback['metadata']
      updated_at: string
    }
  | { type: 'portkey.generations.insert'; tenant: string; generations: Generation[] }

export function emptyTenantState(): TenantState {
  return { generations: [], feedback: [] }
}

/** Feedback by id, per tenant (`PUT /v1/feedback/{id}` without a scan). */
export const feedbackById = createRecordIndex<Feedback>((f) => f.id)

export function applyPortkeyOperation(data: Data, op: PortkeyOperation): void {
  switch (op.type) {
    case 'portkey.feedback.create': {
      const state = ensureTenant(data, 'portkey', op.tenant, emptyTenantState)
      for (const f of op.feedback) state.feedback.push(f)
      return
    }
    case 'portkey.generations.insert': {
      const state = ensureTenant(data, 'portkey', op.tenant, emptyTenantState)
      for (const g of op.generations) state.generations.push(g)
      return
    }
    case 'portkey.feedback.update': {
      const state = findTenant(data, 'portkey', op.tenant)
      if (state === undefined) return // reset between the check and the write: nothing left to update
      const found = feedbackById.find(state.feedback, op.id)
      if (found === undefined) return
      const updated: Feedback = { ...found.record, value: op.value, weight: op.weight }
      if (op.metadata !== undefined) updated.metadata = op.metadata
      updated.updated_at = op.updated_at
      state.feedback[found.position] = updated
      return
    }
  }
}
