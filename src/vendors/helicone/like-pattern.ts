// SQL LIKE / ILIKE without regular expressions: a pattern built from user input must never backtrack. A LIKE
// pattern is literal segments separated by `%`; the first is anchored at the start, the last at the end, and
// the leftmost match of each middle segment is always the right one (a later match only leaves less room), so
// one left-to-right pass decides. Segments without `_` are found with Knuth–Morris–Pratt (linear); segments
// with `_` are tried alignment by alignment, their rarest characters first, within a budget linear in the
// sizes of pattern and value.

/** `_` inside a compiled segment. */
const ANY = -1

/**
 * Character comparisons one evaluation may spend, per character of pattern and value (plus a small
 * constant): linear work is always allowed; a `_` pattern that would go quadratic stops there, and the
 * query is answered as ClickHouse answers one that runs too long.
 */
export const LIKE_STEPS_PER_CHAR = 4
const LIKE_STEPS_BASE = 10_000

/** Counts the character comparisons of the evaluations that share it (tests read it to check linearity). */
export type StepBudget = { steps: number }

export class LikeBudgetExceeded extends Error {
  constructor() {
    super('LIKE evaluation exceeded its step budget')
    this.name = 'LikeBudgetExceeded'
  }
}

/**
 * A parsed pattern, flat: every segment's characters in one array, segment `i` at `chars[starts[i] ..
 * starts[i + 1])`. (A 300 KB `%a%a…` pattern is 150 000 segments: one object or array each cost more in
 * allocation and garbage collection than the whole match.)
 */
type Pattern = { chars: Int32Array; starts: Int32Array; literal: Uint8Array; count: number }

const foldCache = new Map<number, number>()

/**
 * The code point a character compares as under ILIKE: Unicode simple case folding, as the `iu` flags of a
 * regular expression (and ClickHouse's re2) apply it. Checked against the regular expression engine once
 * per distinct character, so the fold never equates two characters that the regex would keep apart.
 */
export function foldCodePoint(cp: number): number {
  // ASCII first, without the cache: A–Z fold to a–z, everything else below 128 to itself.
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp
  const known = foldCache.get(cp)
  if (known !== undefined) return known
  const char = String.fromCodePoint(cp)
  const upper = char.toUpperCase()
  const candidate = [...upper].length === 1 ? upper.toLowerCase() : char.toLowerCase()
  let folded = cp
  if ([...candidate].length === 1 && candidate !== char) {
    const escaped = char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
    if (new RegExp(`^${escaped}$`, 'iu').test(candidate)) folded = candidate.codePointAt(0)!
  }
  foldCache.set(cp, folded)
  return folded
}

function codePoints(text: string, fold: boolean): Int32Array {
  const out = new Int32Array(text.length)
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i)!
    if (cp > 0xffff) i++
    out[n++] = fold ? foldCodePoint(cp) : cp
  }
  return out.subarray(0, n)
}

function kmpFailure(chars: Int32Array, start: number, m: number): Int32Array {
  const failure = new Int32Array(m)
  let k = 0
  for (let i = 1; i < m; i++) {
    while (k > 0 && chars[start + i] !== chars[start + k]) k = failure[k - 1]!
    if (chars[start + i] === chars[start + k]) k++
    failure[i] = k
  }
  return failure
}

/** Splits a LIKE pattern at its unescaped `%` (`\` escapes the next character; a trailing `\` is literal). */
function parse(pattern: string, fold: boolean): Pattern {
  const chars = new Int32Array(pattern.length)
  const starts: number[] = [0]
  const literal: number[] = [1]
  let n = 0
  const code = (cp: number) => (fold ? foldCodePoint(cp) : cp)
  for (let i = 0; i < pattern.length; i++) {
    let cp = pattern.codePointAt(i)!
    if (cp > 0xffff) i++
    if (cp === 0x5c /* \ */ && i + 1 < pattern.length) {
      cp = pattern.codePointAt(++i)!
      if (cp > 0xffff) i++
      chars[n++] = code(cp)
    } else if (cp === 0x25 /* % */) {
      starts.push(n)
      literal.push(1)
    } else if (cp === 0x5f /* _ */) {
      chars[n++] = ANY
      literal[literal.length - 1] = 0
    } else chars[n++] = code(cp)
  }
  const count = starts.length
  starts.push(n)
  return { chars, starts: Int32Array.from(starts), literal: Uint8Array.from(literal), count }
}

/** True when segment `s` matches `value` exactly at `at` (`_` matches any one character). */
function matchesAt(p: Pattern, s: number, value: Int32Array, at: number): boolean {
  const start = p.starts[s]!
  const m = p.starts[s + 1]! - start
  if (at < 0 || at + m > value.length) return false
  for (let i = 0; i < m; i++) {
    const c = p.chars[start + i]!
    if (c !== ANY && c !== value[at + i]) return false
  }
  return true
}

/** The leftmost start ≥ `from` where segment `s` lies wholly before `limit`, or -1. */
function findSegment(
  p: Pattern,
  s: number,
  failures: Map<number, Int32Array>,
  value: Int32Array,
  from: number,
  limit: number,
  frequency: () => (c: number) => number,
  budget: StepBudget,
  maxSteps: number,
): number {
  const { chars } = p
  const start = p.starts[s]!
  const m = p.starts[s + 1]! - start
  if (m === 0) return from
  if (p.literal[s] === 1) {
    if (m === 1) {
      const c = chars[start]!
      for (let i = from; i < limit; i++) {
        if (value[i] === c) {
          budget.steps += i + 1 - from
          return i
        }
      }
      budget.steps += limit - from
      return -1
    }
    let failure = failures.get(s)
    if (failure === undefined) failures.set(s, (failure = kmpFailure(chars, start, m)))
    let k = 0
    for (let i = from; i < limit; i++) {
      while (k > 0 && value[i] !== chars[start + k]) k = failure[k - 1]!
      if (value[i] === chars[start + k]) k++
      if (k === m) {
        budget.steps += i + 1 - from
        return i - m + 1
      }
    }
    budget.steps += limit - from
    return -1
  }
  // `_` breaks KMP: try each alignment, comparing the characters that are rarest in the value first.
  // Grouped by character, groups ordered by how often their character occurs: linear, where sorting every
  // position by a map lookup cost more than the search.
  const count = frequency()
  const groups = new Map<number, number[]>()
  for (let i = 0; i < m; i++) {
    const c = chars[start + i]!
    if (c === ANY) continue
    let group = groups.get(c)
    if (group === undefined) groups.set(c, (group = []))
    group.push(i)
  }
  const positions: number[] = []
  for (const c of [...groups.keys()].sort((a, b) => count(a) - count(b))) for (const position of groups.get(c)!) positions.push(position)
  for (let at = from; at + m <= limit; at++) {
    let ok = true
    for (const q of positions) {
      budget.steps++
      if (value[at + q] !== chars[start + q]) {
        ok = false
        break
      }
    }
    if (budget.steps > maxSteps) throw new LikeBudgetExceeded()
    if (ok) return at
  }
  return -1
}

/**
 * A matcher for a SQL LIKE pattern: `%` any run, `_` one character, `\` escapes the next; with
 * `caseInsensitive`, ILIKE. Throws LikeBudgetExceeded when `_` segments would cost more than
 * LIKE_STEPS_PER_CHAR × (pattern + value) comparisons.
 */
export function compileLike(pattern: string, caseInsensitive: boolean, budget: StepBudget = { steps: 0 }): (value: string) => boolean {
  const p = parse(pattern, caseInsensitive)
  const last = p.count - 1
  const firstLength = p.starts[1]! - p.starts[0]!
  const lastLength = p.starts[last + 1]! - p.starts[last]!
  const failures = new Map<number, Int32Array>()
  const patternLength = pattern.length
  return (text: string) => {
    const value = codePoints(text, caseInsensitive)
    budget.steps += value.length
    const maxSteps = budget.steps + LIKE_STEPS_BASE + LIKE_STEPS_PER_CHAR * (value.length + patternLength)
    if (p.count === 1) return firstLength === value.length && matchesAt(p, 0, value, 0)
    if (!matchesAt(p, 0, value, 0)) return false
    const lastStart = value.length - lastLength
    if (lastStart < firstLength || !matchesAt(p, last, value, lastStart)) return false
    let count: ((c: number) => number) | null = null
    // How often each character occurs in the value, counted once per value (ASCII in an array: no map lookups).
    const frequency = () => {
      if (count === null) {
        const ascii = new Int32Array(128)
        const other = new Map<number, number>()
        for (let i = 0; i < value.length; i++) {
          const c = value[i]!
          if (c < 128) ascii[c]!++
          else other.set(c, (other.get(c) ?? 0) + 1)
        }
        count = (c) => (c >= 0 && c < 128 ? ascii[c]! : (other.get(c) ?? 0))
      }
      return count
    }
    let position = firstLength
    for (let s = 1; s < last; s++) {
      const found = findSegment(p, s, failures, value, position, lastStart, frequency, budget, maxSteps)
      if (found === -1) return false
      position = found + (p.starts[s + 1]! - p.starts[s]!)
    }
    return true
  }
}
