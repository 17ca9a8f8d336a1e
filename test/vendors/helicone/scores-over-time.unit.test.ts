import { expect, test } from 'vitest'
import { checkOverTimeParams, scoresOverTime, type OverTimeParams, type ScoredRow } from '../../../src/vendors/helicone/scores-over-time.ts'
import type { TimeIncrement } from '../../../src/vendors/helicone/types.ts'

function query(rows: ScoredRow[], start: string, end: string, dbIncrement: TimeIncrement, timeZoneDifference: number) {
  const params: OverTimeParams = { timeFilter: { start, end }, dbIncrement, timeZoneDifference }
  const range = checkOverTimeParams(params)
  if (!range.ok) return range.error
  return scoresOverTime(rows, params, range)
}

const buckets = (result: ReturnType<typeof query>) =>
  typeof result === 'string' ? result : result.map((r) => `${r.created_at_trunc} ${r.score_key} ${r.score_sum}`)

// The rows of the notes' §1.4 run: 10:00Z and 23:30Z on Jan 1, and 05:00:00.5Z on Jan 3.
const RUN_ROWS: ScoredRow[] = [
  { request_created_at: '2024-01-01T10:00:00.000Z', scores: { accuracy: 90 } },
  { request_created_at: '2024-01-01T23:30:00.000Z', scores: { accuracy: 71 } },
  { request_created_at: '2024-01-03T05:00:00.500Z', scores: { accuracy: 50 } },
]

test('§1.4 tzd=0: data buckets and filler buckets, ascending', () => {
  expect(buckets(query(RUN_ROWS, '2024-01-01T00:00:00Z', '2024-01-04T00:00:00Z', 'day', 0))).toEqual([
    '2024-01-01T00:00:00.000Z accuracy 80.5',
    '2024-01-02T00:00:00.000Z  0',
    '2024-01-03T00:00:00.000Z accuracy 50',
    '2024-01-04T00:00:00.000Z  0',
  ])
})

test('§1.4 tzd=300 (UTC−5): buckets start at 05:00Z and both Jan-1 requests share one', () => {
  expect(buckets(query(RUN_ROWS, '2024-01-01T00:00:00Z', '2024-01-04T00:00:00Z', 'day', 300))).toEqual([
    '2023-12-31T05:00:00.000Z  0',
    '2024-01-01T05:00:00.000Z accuracy 80.5',
    '2024-01-02T05:00:00.000Z  0',
    '2024-01-03T05:00:00.000Z accuracy 50',
  ])
})

test('§1.4 tzd=-60 (UTC+1): the 23:30Z request falls on local Jan 2', () => {
  expect(buckets(query(RUN_ROWS, '2024-01-01T00:00:00Z', '2024-01-04T00:00:00Z', 'day', -60))).toEqual([
    '2023-12-31T23:00:00.000Z accuracy 90',
    '2024-01-01T23:00:00.000Z accuracy 71',
    '2024-01-02T23:00:00.000Z accuracy 50',
    '2024-01-03T23:00:00.000Z  0',
  ])
})

test('§1.4 hour buckets with tzd=330 (UTC−5:30) sit on the half hour', () => {
  expect(buckets(query([], '2024-01-01T09:30:00Z', '2024-01-01T12:10:00Z', 'hour', 330))).toEqual([
    '2024-01-01T09:30:00.000Z  0',
    '2024-01-01T10:30:00.000Z  0',
    '2024-01-01T11:30:00.000Z  0',
  ])
})

test('§1.5 success example: averages per key, booleans as fractions, feedback, a filler row', () => {
  const rows: ScoredRow[] = [
    { request_created_at: '2024-01-01T10:00:00.000Z', scores: { accuracy: 90, 'passed-hcone-bool': 1, 'helicone-score-feedback': 1 } },
    { request_created_at: '2024-01-01T11:00:00.000Z', scores: { accuracy: 71 } },
    { request_created_at: '2024-01-03T10:00:00.000Z', scores: { accuracy: 50 } },
  ]
  const result = query(rows, '2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z', 'day', 0)
  expect(typeof result).not.toBe('string')
  expect(new Set(buckets(result))).toEqual(
    new Set([
      '2024-01-01T00:00:00.000Z accuracy 80.5',
      '2024-01-01T00:00:00.000Z passed-hcone-bool 1',
      '2024-01-01T00:00:00.000Z helicone-score-feedback 1',
      '2024-01-02T00:00:00.000Z  0',
      // Jan 3 10:00Z is after the end bound (00:00Z): only a filler row.
      '2024-01-03T00:00:00.000Z  0',
    ]),
  )
  if (typeof result !== 'string') expect(Object.keys(result[0] ?? {})).toEqual(['created_at_trunc', 'score_key', 'score_sum'])
})

test('averages print at full precision and a boolean key averages to the share true', () => {
  const rows: ScoredRow[] = [
    { request_created_at: '2024-01-01T01:00:00.000Z', scores: { a: 70, 'ok-hcone-bool': 1 } },
    { request_created_at: '2024-01-01T02:00:00.000Z', scores: { a: 70, 'ok-hcone-bool': 0 } },
    { request_created_at: '2024-01-01T03:00:00.000Z', scores: { a: 71 } },
  ]
  expect(buckets(query(rows, '2024-01-01T00:00:00Z', '2024-01-01T23:00:00Z', 'day', 0))).toEqual([
    '2024-01-01T00:00:00.000Z a 70.33333333333333',
    '2024-01-01T00:00:00.000Z ok-hcone-bool 0.5',
  ])
})

test('a request with no scores adds no rows; an empty score key is data, not a filler', () => {
  const rows: ScoredRow[] = [
    { request_created_at: '2024-01-01T01:00:00.000Z', scores: {} },
    { request_created_at: '2024-01-02T01:00:00.000Z', scores: { '': 7 } },
  ]
  expect(buckets(query(rows, '2024-01-01T00:00:00Z', '2024-01-02T12:00:00Z', 'day', 0))).toEqual([
    '2024-01-01T00:00:00.000Z  0',
    '2024-01-02T00:00:00.000Z  7',
  ])
})

test('week buckets start on Monday', () => {
  const rows: ScoredRow[] = [
    { request_created_at: '2023-12-31T12:00:00.000Z', scores: { a: 1 } },
    { request_created_at: '2024-01-01T12:00:00.000Z', scores: { a: 3 } },
  ]
  expect(buckets(query(rows, '2023-12-30T00:00:00Z', '2024-01-10T00:00:00Z', 'week', 0))).toEqual([
    '2023-12-25T00:00:00.000Z a 1',
    '2024-01-01T00:00:00.000Z a 3',
    '2024-01-08T00:00:00.000Z  0',
  ])
})

test('month and year buckets start on the 1st and on January 1st', () => {
  const rows: ScoredRow[] = [{ request_created_at: '2024-02-29T12:00:00.000Z', scores: { a: 4 } }]
  expect(buckets(query(rows, '2024-01-15T00:00:00Z', '2024-03-02T00:00:00Z', 'month', 0))).toEqual([
    '2024-01-01T00:00:00.000Z  0',
    '2024-02-01T00:00:00.000Z a 4',
    '2024-03-01T00:00:00.000Z  0',
  ])
  expect(buckets(query(rows, '2023-06-01T00:00:00Z', '2024-06-01T00:00:00Z', 'year', 0))).toEqual([
    '2023-01-01T00:00:00.000Z  0',
    '2024-01-01T00:00:00.000Z a 4',
  ])
  // Month buckets in UTC−5: local midnight of the 1st.
  expect(buckets(query(rows, '2024-02-10T00:00:00Z', '2024-02-29T12:00:00Z', 'month', 300))).toEqual(['2024-02-01T05:00:00.000Z a 4'])
})

test('minute buckets', () => {
  const rows: ScoredRow[] = [{ request_created_at: '2024-01-01T00:01:30.000Z', scores: { a: 2 } }]
  expect(buckets(query(rows, '2024-01-01T00:00:10Z', '2024-01-01T00:02:00Z', 'min', 0))).toEqual([
    '2024-01-01T00:00:00.000Z  0',
    '2024-01-01T00:01:00.000Z a 2',
    '2024-01-01T00:02:00.000Z  0',
  ])
})

test('a fractional offset is truncated for bucketing and added back whole when printed', () => {
  const rows: ScoredRow[] = [{ request_created_at: '2024-01-01T01:30:10.000Z', scores: { a: 5 } }]
  // local = 01:30:10 − 90 min = 00:00:10 → Jan 1; printed + 90.5 min.
  expect(buckets(query(rows, '2024-01-01T01:30:00Z', '2024-01-01T02:00:00Z', 'day', 90.5))).toEqual(['2024-01-01T01:30:30.000Z a 5'])
  // A start before 01:30Z is local Dec 31: one filler bucket first.
  expect(buckets(query(rows, '2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z', 'day', 90.5))).toEqual([
    '2023-12-31T01:30:30.000Z  0',
    '2024-01-01T01:30:30.000Z a 5',
  ])
  // Negative fraction: −90.5 truncates to −90.
  expect(buckets(query(rows, '2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z', 'day', -90.5))).toEqual(['2023-12-31T22:29:30.000Z a 5'])
})

test('bounds lose their milliseconds after the start <= end check', () => {
  const rows: ScoredRow[] = [{ request_created_at: '2024-01-03T05:00:00.500Z', scores: { a: 1 } }]
  expect(buckets(query(rows, '2024-01-03T00:00:00Z', '2024-01-03T05:00:00.999Z', 'day', 0))).toEqual(['2024-01-03T00:00:00.000Z  0'])
  expect(buckets(query(rows, '2024-01-03T00:00:00Z', '2024-01-03T05:00:01.000Z', 'day', 0))).toEqual(['2024-01-03T00:00:00.000Z a 1'])
  // Same second, start after end by milliseconds: checked on the full dates first.
  expect(query(rows, '2024-01-03T05:00:00.500Z', '2024-01-03T05:00:00.000Z', 'day', 0)).toBe('Invalid time filter')
  // A date-only end is UTC midnight: the rest of that day is out.
  expect(buckets(query(rows, '2024-01-01', '2024-01-03', 'day', 0))).toEqual([
    '2024-01-01T00:00:00.000Z  0',
    '2024-01-02T00:00:00.000Z  0',
    '2024-01-03T00:00:00.000Z  0',
  ])
})

test('invalid time filters and time zone differences', () => {
  for (const [start, end] of [
    ['2024-01-02', '2024-01-01'],
    ['not-a-date', '2024-01-01'],
    ['', '2024-01-01'],
    ['2024-13-01', '2024-12-01'],
  ] as const) {
    expect(query([], start, end, 'day', 0)).toBe('Invalid time filter')
  }
  for (const tzd of [1440.5, -1441, 2000, Number.NaN])
    expect(query([], '2024-01-01', '2024-01-02', 'day', tzd)).toBe('Invalid time zone difference')
  expect(Array.isArray(query([], '2024-01-01', '2024-01-02', 'day', 1440))).toBe(true)
  expect(Array.isArray(query([], '2024-01-01', '2024-01-02', 'day', -1440))).toBe(true)
  // The time filter is checked before the time zone.
  expect(query([], 'x', '2024-01-02', 'day', 5000)).toBe('Invalid time filter')
})
