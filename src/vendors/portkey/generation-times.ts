// Generations by time, per tenant: each generation's time parsed once, and the positions in time order,
// so a graph's window is found by binary search instead of parsing and testing every generation's date on
// every query. Kept beside the document (a WeakMap keyed by the generations array), extended as the array
// grows; generations are never changed or removed once stored, only appended (a seed replaces the array).
import type { Generation } from './types.ts'

type TimeIndex = { times: number[]; order: number[]; sorted: boolean; covered: number }

const indexes = new WeakMap<readonly Generation[], TimeIndex>()

function indexOf(generations: readonly Generation[]): TimeIndex {
  let index = indexes.get(generations)
  if (index === undefined || index.covered > generations.length) {
    index = { times: [], order: [], sorted: true, covered: 0 }
    indexes.set(generations, index)
  }
  for (let i = index.covered; i < generations.length; i++) {
    const at = Date.parse((generations[i] as Generation).created_at)
    index.times.push(at)
    if (Number.isNaN(at)) continue // in no window
    const last = index.order[index.order.length - 1]
    if (last !== undefined && at < (index.times[last] as number)) index.sorted = false
    index.order.push(i)
  }
  index.covered = generations.length
  if (!index.sorted) {
    const times = index.times
    index.order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b)
    index.sorted = true
  }
  return index
}

/** Each generation's time (epoch ms, NaN when unparsable), by position. */
export function generationTimes(generations: readonly Generation[]): readonly number[] {
  return indexOf(generations).times
}

/** The positions of the generations whose time is within [from, to], in time order. */
export function positionsInWindow(generations: readonly Generation[], from: number, to: number): readonly number[] {
  const { times, order } = indexOf(generations)
  const firstAtOrAfter = (t: number, strictlyAfter: boolean) => {
    let lo = 0
    let hi = order.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const at = times[order[mid] as number] as number
      if (at < t || (strictlyAfter && at === t)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  return order.slice(firstAtOrAfter(from, false), firstAtOrAfter(to, true))
}
