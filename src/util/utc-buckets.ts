// UTC calendar buckets shared by the vendors' time-series analytics (Portkey's feedback graphs,
// Helicone's scores over time): ClickHouse `DATE_TRUNC` semantics on UTC wall-clock time.

export type BucketUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year'

export const MINUTE_MS = 60_000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS

/**
 * `Date.UTC` for every year: `Date.UTC` itself reads years 0–99 as 1900–1999, so year 50 would be 1950.
 * Months and days overflow as in `Date.UTC` (month 12 is January of the next year, day 0 the last of the previous month).
 */
export function utcTime(year: number, monthIndex: number, day = 1, hours = 0, minutes = 0, seconds = 0, ms = 0): number {
  const date = new Date(0)
  date.setUTCFullYear(year, monthIndex, day)
  date.setUTCHours(hours, minutes, seconds, ms)
  return date.getTime()
}

/** The start (epoch ms) of the UTC bucket holding `t`. Weeks start on Monday. */
export function bucketStart(unit: BucketUnit, t: number): number {
  switch (unit) {
    case 'minute':
      return Math.floor(t / MINUTE_MS) * MINUTE_MS
    case 'hour':
      return Math.floor(t / HOUR_MS) * HOUR_MS
    case 'day':
      return Math.floor(t / DAY_MS) * DAY_MS
    case 'week': {
      const day = Math.floor(t / DAY_MS) * DAY_MS
      const sinceMonday = (new Date(day).getUTCDay() + 6) % 7
      return day - sinceMonday * DAY_MS
    }
    case 'month': {
      const d = new Date(t)
      return utcTime(d.getUTCFullYear(), d.getUTCMonth())
    }
    case 'year':
      return utcTime(new Date(t).getUTCFullYear(), 0)
  }
}

/** The start of the bucket after the one starting at `start` (`start + INTERVAL 1 unit`). */
export function nextBucketStart(unit: BucketUnit, start: number): number {
  switch (unit) {
    case 'minute':
      return start + MINUTE_MS
    case 'hour':
      return start + HOUR_MS
    case 'day':
      return start + DAY_MS
    case 'week':
      return start + 7 * DAY_MS
    case 'month': {
      const d = new Date(start)
      return utcTime(d.getUTCFullYear(), d.getUTCMonth() + 1)
    }
    case 'year':
      return utcTime(new Date(start).getUTCFullYear() + 1, 0)
  }
}
