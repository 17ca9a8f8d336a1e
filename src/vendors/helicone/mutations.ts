// Helicone's write operations (a logged request, a posted score) and how each changes the store. The apply
// functions run once an operation's log line is on disk, and again for each line when the store is loaded,
// so they depend on nothing but the document and the operation (its `at` stands in for the clock). Records
// are replaced, never mutated in place (a snapshot in progress holds the old ones).
import type { Data } from '../../store/data.ts'
import { createRecordIndex } from '../../store/record-index.ts'
import { ensureTenant } from '../../store/tenant-state.ts'
import { isUuidV1to5OrNil } from './records.ts'
import type { HeliconePendingScore, HeliconeRequestRecord, HeliconeState } from './types.ts'

export type HeliconeOperation =
  | { type: 'helicone.request.log'; tenant: string; organizationId: string; at: string; record: HeliconeRequestRecord }
  | { type: 'helicone.score.post'; tenant: string; organizationId: string; score: HeliconePendingScore }

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000

/** Requests by lowercased id (ClickHouse compares UUIDs, not their text case). */
export const requestsById = createRecordIndex<HeliconeRequestRecord>((r) => r.request_id.toLowerCase())

export function applyHeliconeOperation(data: Data, op: HeliconeOperation): void {
  const state = ensureTenant(data, 'helicone', op.tenant, () => ({
    organizationId: op.organizationId,
    requests: [],
    pendingScores: [],
  }))
  switch (op.type) {
    case 'helicone.request.log': {
      processDueScores(state, Date.parse(op.at))
      const found = requestsById.find(state.requests, op.record.request_id.toLowerCase())
      // A second log of the same id replaces the first, keeping its scores.
      if (found === undefined) state.requests.push(op.record)
      else state.requests[found.position] = { ...op.record, scores: { ...found.record.scores, ...op.record.scores } }
      return
    }
    case 'helicone.score.post': {
      const postedAt = Date.parse(op.score.posted_at)
      processDueScores(state, postedAt)
      state.pendingScores = [...state.pendingScores, op.score]
      processDueScores(state, postedAt)
      return
    }
  }
}

/**
 * Applies every posted score whose time has come, in posting order, as jawn's score processor does:
 * ids that are not UUIDs are dropped, and so are scores for requests unknown or older than 30 days at
 * processing time; the rest merge into the request's scores (same key overwritten). Runs before each
 * operation and before each read, so what a read sees depends only on the operations and the clock.
 */
export function processDueScores(state: HeliconeState, nowMs: number): void {
  if (state.pendingScores.length === 0) return
  const due = state.pendingScores.filter((p) => Date.parse(p.visible_at) <= nowMs)
  if (due.length === 0) return
  state.pendingScores = state.pendingScores.filter((p) => Date.parse(p.visible_at) > nowMs)
  for (const pending of due) {
    if (!isUuidV1to5OrNil(pending.request_id)) continue
    const position = scoredRequest(state, pending.request_id, Date.parse(pending.visible_at))
    if (position === undefined) continue
    const request = state.requests[position] as HeliconeRequestRecord
    state.requests[position] = { ...request, scores: { ...request.scores, ...pending.scores } }
  }
}

/** The request a score processed at `processedAt` lands on: the first of that id younger than 30 days. */
export function scoredRequest(state: HeliconeState, requestId: string, processedAt: number): number | undefined {
  return requestsById
    .positions(state.requests, requestId.toLowerCase())
    .find((p) => Date.parse((state.requests[p] as HeliconeRequestRecord).request_created_at) > processedAt - THIRTY_DAYS_MS)
}
