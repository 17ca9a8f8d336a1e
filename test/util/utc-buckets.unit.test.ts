import { expect, test } from 'vitest'
import { bucketStart, nextBucketStart, utcTime, type BucketUnit } from '../../src/util/utc-buckets.ts'

const t = (iso: string) => new Date(iso).getTime()
const iso = (ms: number) => new Date(ms).toISOString()

test.each([
  ['minute', '2026-01-08T13:47:00.000Z', '2026-01-08T13:48:00.000Z'],
  ['hour', '2026-01-08T13:00:00.000Z', '2026-01-08T14:00:00.000Z'],
  ['day', '2026-01-08T00:00:00.000Z', '2026-01-09T00:00:00.000Z'],
  ['week', '2026-01-05T00:00:00.000Z', '2026-01-12T00:00:00.000Z'],
  ['month', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
  ['year', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
] as [BucketUnit, string, string][])(
  'a %s bucket is UTC and aligned (weeks start on Monday), and the next one follows it',
  (unit, start, next) => {
    const at = t('2026-01-08T13:47:31.250Z') // a Thursday
    expect(iso(bucketStart(unit, at))).toBe(start)
    expect(iso(nextBucketStart(unit, bucketStart(unit, at)))).toBe(next)
  },
)

test('a Monday is its own week start, a Sunday belongs to the week before', () => {
  expect(iso(bucketStart('week', t('2026-01-05T00:00:00Z')))).toBe('2026-01-05T00:00:00.000Z')
  expect(iso(bucketStart('week', t('2026-01-11T23:59:59Z')))).toBe('2026-01-05T00:00:00.000Z')
})

test('months of different lengths step to the first of the next month, across a year end', () => {
  expect(iso(nextBucketStart('month', t('2024-02-01T00:00:00Z')))).toBe('2024-03-01T00:00:00.000Z')
  expect(iso(nextBucketStart('month', t('2025-12-01T00:00:00Z')))).toBe('2026-01-01T00:00:00.000Z')
})

test('years 0–99 stay themselves (Date.UTC would read them as 1900–1999)', () => {
  expect(iso(bucketStart('month', t('0050-03-17T10:00:00Z')))).toBe('0050-03-01T00:00:00.000Z')
  expect(iso(nextBucketStart('month', t('0050-12-01T00:00:00Z')))).toBe('0051-01-01T00:00:00.000Z')
  expect(iso(bucketStart('year', t('0007-06-01T00:00:00Z')))).toBe('0007-01-01T00:00:00.000Z')
  expect(iso(nextBucketStart('year', t('0099-01-01T00:00:00Z')))).toBe('0100-01-01T00:00:00.000Z')
  expect(iso(utcTime(0, 1, 29))).toBe('0000-02-29T00:00:00.000Z') // year 0 is a leap year
})
