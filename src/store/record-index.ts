// Lookups by key over a tenant's record arrays without a scan per request: a position index per array,
// built on first use and extended as the array grows. It lives beside the document (a WeakMap keyed by the
// array), never in it, so snapshots stay plain lowdb JSON and a replaced or dropped tenant takes its index
// with it. Every hit is checked against the record it points at; a mismatch (the array was rearranged behind
// the index's back) rebuilds it, so answers are always the ones a scan would give.

type Positions = { first: Map<string, number>; more: Map<string, number[]>; covered: number }

export type RecordIndex<T> = {
  /** Positions of the records whose key is `key`, in array order (empty when none). */
  positions(records: readonly T[], key: string): readonly number[]
  /** The first record whose key is `key`, with its position; undefined when none. */
  find(records: readonly T[], key: string): { record: T; position: number } | undefined
}

export function createRecordIndex<T>(keyOf: (record: T) => string): RecordIndex<T> {
  const indexes = new WeakMap<readonly T[], Positions>()

  const add = (index: Positions, key: string, position: number) => {
    if (!index.first.has(key)) index.first.set(key, position)
    else {
      const list = index.more.get(key)
      if (list === undefined) index.more.set(key, [position])
      else list.push(position)
    }
  }

  const current = (records: readonly T[], rebuild: boolean): Positions => {
    let index = indexes.get(records)
    if (index === undefined || rebuild || index.covered > records.length) {
      index = { first: new Map(), more: new Map(), covered: 0 }
      indexes.set(records, index)
    }
    for (let i = index.covered; i < records.length; i++) add(index, keyOf(records[i] as T), i)
    index.covered = records.length
    return index
  }

  const lookup = (records: readonly T[], key: string, rebuild: boolean): number[] | null => {
    const index = current(records, rebuild)
    const first = index.first.get(key)
    if (first === undefined) return []
    const all = [first, ...(index.more.get(key) ?? [])]
    return all.every((p) => p < records.length && keyOf(records[p] as T) === key) ? all : null
  }

  const positions = (records: readonly T[], key: string): readonly number[] =>
    lookup(records, key, false) ?? lookup(records, key, true) ?? []

  return {
    positions,
    find(records, key) {
      const position = positions(records, key)[0]
      return position === undefined ? undefined : { record: records[position] as T, position }
    },
  }
}
