// The indexes beside the document give the answers a scan would, as records are appended and replaced.
import { expect, test } from 'vitest'
import { createRecordIndex } from '../../src/store/record-index.ts'
import { requestsInWindow } from '../../src/vendors/helicone/request-times.ts'
import type { HeliconeRequestRecord } from '../../src/vendors/helicone/types.ts'
import { positionsInWindow } from '../../src/vendors/portkey/generation-times.ts'
import type { Generation } from '../../src/vendors/portkey/types.ts'

test('a record index finds by key as a scan would: duplicates in order, appends, replacements', () => {
  const byId = createRecordIndex<{ id: string; n: number }>((r) => r.id)
  const records = [
    { id: 'a', n: 1 },
    { id: 'b', n: 2 },
    { id: 'a', n: 3 },
  ]
  expect(byId.positions(records, 'a')).toEqual([0, 2])
  expect(byId.find(records, 'b')).toEqual({ record: { id: 'b', n: 2 }, position: 1 })
  expect(byId.find(records, 'z')).toBeUndefined()
  records.push({ id: 'z', n: 4 })
  expect(byId.find(records, 'z')?.position).toBe(3)
  records[1] = { id: 'b', n: 5 } // replaced in place, same key
  expect(byId.find(records, 'b')?.record.n).toBe(5)
  records.splice(0, 1) // rearranged behind the index's back: rebuilt on the mismatch
  expect(byId.positions(records, 'a')).toEqual([1])
})

const generation = (created_at: string): Generation =>
  ({ id: created_at, trace_id: 't', created_at, provider: 'p', model: 'm', status_code: 200 }) as Generation

test('generations in a window: both bounds inclusive, whatever order they were stored in, appended ones too', () => {
  const generations = ['2026-01-03', '2026-01-01', 'not a date', '2026-01-02', '2026-01-05'].map((d) =>
    generation(d === 'not a date' ? d : `${d}T00:00:00.000Z`),
  )
  const window = (from: string, to: string) =>
    positionsInWindow(generations, Date.parse(from), Date.parse(to)).map((p) => generations[p]!.created_at.slice(0, 10))
  expect(window('2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z')).toEqual(['2026-01-01', '2026-01-02', '2026-01-03'])
  expect(window('2026-01-04T00:00:00Z', '2026-01-04T23:59:59Z')).toEqual([])
  generations.push(generation('2026-01-04T12:00:00.000Z'), generation('2026-01-06T00:00:00.000Z'))
  expect(window('2026-01-04T00:00:00Z', '2026-01-05T00:00:00Z')).toEqual(['2026-01-04', '2026-01-05'])
})

test('Helicone requests in a window follow replaced records (a second log of an id with another time)', () => {
  const request = (id: string, at: string) => ({ request_id: id, request_created_at: at }) as HeliconeRequestRecord
  const requests = [request('a', '2026-01-01T00:00:00.000Z'), request('b', '2026-01-10T00:00:00.000Z')]
  const inJanuaryFirstWeek = () => requestsInWindow(requests, Date.parse('2026-01-01'), Date.parse('2026-01-07')).map((r) => r.request_id)
  expect(inJanuaryFirstWeek()).toEqual(['a'])
  requests[1] = request('b', '2026-01-02T00:00:00.000Z')
  requests[0] = request('a', '2026-02-01T00:00:00.000Z')
  expect(inJanuaryFirstWeek()).toEqual(['b'])
})
