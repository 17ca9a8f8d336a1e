// How a live request is matched against recorded ones: canonical forms of query, path and body, and the
// differences reported when nothing matches.
import { jsonPath } from '../fixtures/fixture-document.ts'

/** A JSON text of a value with object keys sorted, so deep-equal values have equal keys. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '<none>'
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key])
    return out
  }
  return value
}

/** Query parameters as matched: names sorted, every value a list of strings, empty query = none. */
export function normalizeQuery(query: Record<string, unknown> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const name of Object.keys(query ?? {}).sort()) {
    const value = query?.[name]
    if (value === undefined) continue
    out[name] = (Array.isArray(value) ? value : [value]).map(String)
  }
  return out
}

/** A path as matched: percent-decoded, without a trailing slash. */
export function normalizePath(path: string): string {
  let decoded = path
  try {
    decoded = decodeURI(path)
  } catch {
    // keep it as it is
  }
  return decoded.length > 1 ? decoded.replace(/\/+$/, '') : decoded
}

/** The first place two JSON values differ, as a JSON path and both values, or null when deep-equal. */
export function firstDifference(
  recorded: unknown,
  actual: unknown,
  tokens: (string | number)[] = [],
): { path: string; recorded: unknown; actual: unknown } | null {
  if (canonicalJson(recorded) === canonicalJson(actual)) return null
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(recorded.length, actual.length); i++) {
      const d = firstDifference(recorded[i], actual[i], [...tokens, i])
      if (d !== null) return d
    }
  } else if (isPlainObject(recorded) && isPlainObject(actual)) {
    for (const key of [...new Set([...Object.keys(recorded), ...Object.keys(actual)])].sort()) {
      const d = firstDifference(recorded[key], actual[key], [...tokens, key])
      if (d !== null) return d
    }
  }
  return { path: jsonPath(tokens), recorded, actual }
}

/** How many leaves differ between two JSON values (0 when deep-equal): picks the closest recording. */
export function countDifferences(a: unknown, b: unknown): number {
  if (canonicalJson(a) === canonicalJson(b)) return 0
  if (Array.isArray(a) && Array.isArray(b)) {
    let n = 0
    for (let i = 0; i < Math.max(a.length, b.length); i++) n += countDifferences(a[i], b[i])
    return n
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    let n = 0
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) n += countDifferences(a[key], b[key])
    return n
  }
  return 1
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
