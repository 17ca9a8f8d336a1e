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

type Segment = { chars: number[]; literal: boolean; failure: number[] | null }

const foldCache = new Map<number, number>()

/**
 * The code point a character compares as under ILIKE: Unicode simple case folding, as the `iu` flags of a
 * regular expression (and ClickHouse's re2) apply it. Checked against the regular expression engine once
 * per distinct character, so the fold never equates two characters that the regex would keep apart.
 */
export function foldCodePoint(cp: number): number {
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

function kmpFailure(chars: readonly number[]): number[] {
  const failure = new Array<number>(chars.length).fill(0)
  let k = 0
  for (let i = 1; i < chars.length; i++) {
    while (k > 0 && chars[i] !== chars[k]) k = failure[k - 1]!
    if (chars[i] === chars[k]) k++
    failure[i] = k
  }
  return failure
}

/** Splits a LIKE pattern at its unescaped `%` (`\` escapes the next character; a trailing `\` is literal). */
function parse(pattern: string, fold: boolean): Segment[] {
  const chars = [...pattern]
  const raw: number[][] = [[]]
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    const current = raw[raw.length - 1]!
    if (c === '\\' && i + 1 < chars.length) {
      const next = chars[++i]!.codePointAt(0)!
      current.push(fold ? foldCodePoint(next) : next)
    } else if (c === '%') raw.push([])
    else if (c === '_') current.push(ANY)
    else current.push(fold ? foldCodePoint(c.codePointAt(0)!) : c.codePointAt(0)!)
  }
  const segments = raw.map((chars): Segment => {
    const literal = !chars.includes(ANY)
    return { chars, literal, failure: literal && chars.length > 1 ? kmpFailure(chars) : null }
  })
  return segments
}

/** True when `segment` matches `value` exactly at `at` (`_` matches any one character). */
function matchesAt(segment: readonly number[], value: Int32Array, at: number): boolean {
  if (at < 0 || at + segment.length > value.length) return false
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!
    if (c !== ANY && c !== value[at + i]) return false
  }
  return true
}

/** The leftmost start ≥ `from` where the segment lies wholly before `limit`, or -1. */
function findSegment(
  segment: Segment,
  value: Int32Array,
  from: number,
  limit: number,
  frequency: () => Map<number, number>,
  budget: StepBudget,
  maxSteps: number,
): number {
  const { chars } = segment
  const m = chars.length
  if (m === 0) return from
  if (segment.literal) {
    const failure = segment.failure ?? [0]
    let k = 0
    for (let i = from; i < limit; i++) {
      while (k > 0 && value[i] !== chars[k]) k = failure[k - 1]!
      if (value[i] === chars[k]) k++
      if (k === m) {
        budget.steps += i + 1 - from
        return i - m + 1
      }
    }
    budget.steps += limit - from
    return -1
  }
  // `_` breaks KMP: try each alignment, comparing the characters that are rarest in the value first.
  const counts = frequency()
  const positions: number[] = []
  for (let i = 0; i < m; i++) if (chars[i] !== ANY) positions.push(i)
  positions.sort((a, b) => (counts.get(chars[a]!) ?? 0) - (counts.get(chars[b]!) ?? 0))
  for (let start = from; start + m <= limit; start++) {
    let ok = true
    for (const p of positions) {
      budget.steps++
      if (value[start + p] !== chars[p]) {
        ok = false
        break
      }
    }
    if (budget.steps > maxSteps) throw new LikeBudgetExceeded()
    if (ok) return start
  }
  return -1
}

/**
 * A matcher for a SQL LIKE pattern: `%` any run, `_` one character, `\` escapes the next; with
 * `caseInsensitive`, ILIKE. Throws LikeBudgetExceeded when `_` segments would cost more than
 * LIKE_STEPS_PER_CHAR × (pattern + value) comparisons.
 */
export function compileLike(pattern: string, caseInsensitive: boolean, budget: StepBudget = { steps: 0 }): (value: string) => boolean {
  const segments = parse(pattern, caseInsensitive)
  const first = segments[0]!
  const last = segments[segments.length - 1]!
  const patternLength = pattern.length
  return (text: string) => {
    const value = codePoints(text, caseInsensitive)
    budget.steps += value.length
    const maxSteps = budget.steps + LIKE_STEPS_BASE + LIKE_STEPS_PER_CHAR * (value.length + patternLength)
    if (segments.length === 1) return first.chars.length === value.length && matchesAt(first.chars, value, 0)
    if (!matchesAt(first.chars, value, 0)) return false
    const lastStart = value.length - last.chars.length
    if (lastStart < first.chars.length || !matchesAt(last.chars, value, lastStart)) return false
    let counts: Map<number, number> | null = null
    const frequency = () => {
      if (counts === null) {
        counts = new Map()
        for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1)
      }
      return counts
    }
    let position = first.chars.length
    for (let i = 1; i < segments.length - 1; i++) {
      const segment = segments[i]!
      const found = findSegment(segment, value, position, lastStart, frequency, budget, maxSteps)
      if (found === -1) return false
      position = found + segment.chars.length
    }
    return true
  }
}
