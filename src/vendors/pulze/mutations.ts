// Pulze's write operations (a completion's log, rating a log) and how they change the store. `applyPulzeOperation` runs once the
// operation's log line is on disk, and again for each line when the store is loaded, so it depends on
// nothing but the document and the operation. Logs are replaced, never mutated in place (a snapshot in
// progress holds the old ones).
import type { Data } from '../../store/data.ts'
import { createRecordIndex } from '../../store/record-index.ts'
import { ensureTenant, findTenant } from '../../store/tenant-state.ts'
import type { PulzeState, StoredLog } from './types.ts'

export type PulzeOperation =
  | {
      type: 'pulze.log.rate'
      tenant: string
      id: string
      good_answer: StoredLog['good_answer']
      feedback: StoredLog['feedback']
    }
  /** A completion's log; `appId` is the app's id should this be its first record. A second log of an id replaces the first. */
  | { type: 'pulze.log.insert'; tenant: string; appId: string; log: StoredLog }

type RateOperation = Extract<PulzeOperation, { type: 'pulze.log.rate' }>

/** An app's logs by id (ids are stored lowercased). */
export const logsById = createRecordIndex<StoredLog>((l) => l.id)

/** A log with its rating fields overwritten (both, always: `{}` resets them). */
export function rated(log: StoredLog, op: Pick<RateOperation, 'good_answer' | 'feedback'>): StoredLog {
  return { ...log, good_answer: op.good_answer, feedback: op.feedback }
}

export function applyPulzeOperation(data: Data, op: PulzeOperation): void {
  if (op.type === 'pulze.log.insert') {
    const state = ensureTenant(data, 'pulze', op.tenant, () => ({ appId: op.appId, logs: [] }))
    const found = logsById.find(state.logs, op.log.id)
    if (found === undefined) state.logs.push(op.log)
    else state.logs[found.position] = op.log
    return
  }
  const state = findTenant(data, 'pulze', op.tenant)
  if (state === undefined) return // reset between the check and the write: nothing left to rate
  const found = logsById.find(state.logs, op.id)
  if (found !== undefined) state.logs[found.position] = rated(found.record, op)
}
