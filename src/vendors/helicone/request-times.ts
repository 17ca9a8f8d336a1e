// Each stored request's `request_created_at` as epoch ms, parsed once per record instead of once per
// query: a dashboard query skips the requests outside its time window before building rows or running the
// filter. Kept beside the document (a WeakMap keyed by the requests array) with the record each time was
// read from, so a request replaced since (a second log of its id) is read again.
import type { HeliconeRequestRecord } from './types.ts'

type Times = { times: number[]; records: HeliconeRequestRecord[] }

const cache = new WeakMap<readonly HeliconeRequestRecord[], Times>()

/** The requests whose creation time is within [fromMs, toMs], in stored order. */
export function requestsInWindow(requests: readonly HeliconeRequestRecord[], fromMs: number, toMs: number): HeliconeRequestRecord[] {
  let entry = cache.get(requests)
  if (entry === undefined) {
    entry = { times: [], records: [] }
    cache.set(requests, entry)
  }
  const { times, records } = entry
  if (records.length > requests.length) {
    times.length = requests.length
    records.length = requests.length
  }
  const inWindow: HeliconeRequestRecord[] = []
  for (let i = 0; i < requests.length; i++) {
    const record = requests[i] as HeliconeRequestRecord
    if (records[i] !== record) {
      records[i] = record
      times[i] = new Date(record.request_created_at).getTime()
    }
    const at = times[i] as number
    if (at >= fromMs && at <= toMs) inWindow.push(record)
  }
  return inWindow
}
