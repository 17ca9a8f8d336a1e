import fc from 'fast-check'
import { expect, test } from 'vitest'
import { compileLike, foldCodePoint, LIKE_STEPS_PER_CHAR, LikeBudgetExceeded } from '../../../src/vendors/helicone/like-pattern.ts'

/** The regular-expression translation the matcher replaced: the oracle for what LIKE means (on small inputs). */
function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = ''
  const chars = [...pattern]
  const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === '\\' && i + 1 < chars.length) source += escape(chars[++i]!)
    else if (c === '%') source += '.*'
    else if (c === '_') source += '.'
    else source += escape(c)
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su')
}

const alphabet = fc.constantFrom('a', 'b', 'A', '%', '_', '\\', 'é', 'É', 'ſ', 's', 'K', 'k', 'İ', 'i', 'ı', '😀', '\n')
const text = fc.array(alphabet, { maxLength: 12 }).map((cs) => cs.join(''))

test('LIKE and ILIKE agree with the regular-expression reading of the pattern', () => {
  fc.assert(
    fc.property(text, text, fc.boolean(), (pattern, value, ci) => {
      const expected = likeRegExp(pattern, ci).test(value)
      expect(compileLike(pattern, ci)(value)).toBe(expected)
    }),
    { numRuns: 3000 },
  )
})

test('ILIKE folds case as the iu regex flags do (Kelvin sign, long s, dotless and dotted i)', () => {
  for (const [a, b, same] of [
    ['K', 'k', true],
    ['ſ', 'S', true],
    ['ß', 'ẞ', true],
    ['İ', 'i', false],
    ['ı', 'I', false],
  ] as const) {
    expect(foldCodePoint(a.codePointAt(0)!) === foldCodePoint(b.codePointAt(0)!)).toBe(same)
  }
})

test('the reported pattern %a%a%…%b against 40 and 5 000 as is decided at once (issue 13, case 1)', () => {
  const budget = { steps: 0 }
  const like = compileLike('%a%a%a%a%a%a%a%a%a%b', false, budget)
  expect(like('a'.repeat(40))).toBe(false)
  expect(like('a'.repeat(5000))).toBe(false)
  expect(like(`${'a'.repeat(5000)}b`)).toBe(true)
  expect(budget.steps).toBeLessThan(4 * 10_100)
})

test('a 100 KB pattern against a 100 KB value costs steps linear in their sizes', () => {
  const value = 'a'.repeat(100_000)
  const patterns = [
    `${'%a'.repeat(50_000)}%b`,
    `%${'a'.repeat(99_990)}b%`,
    `%${'a_'.repeat(49_990)}b%`,
    `${'_'.repeat(99_999)}b`,
    `%${'_'.repeat(50_000)}b%`,
  ]
  // 150 000 positions of one character in one segment (spreading them into push() overflowed the stack)
  patterns.push(`%${'a_'.repeat(150_000)}b%`)
  for (const pattern of patterns) {
    const budget = { steps: 0 }
    expect(compileLike(pattern, true, budget)(value)).toBe(false)
    expect(budget.steps, pattern.slice(0, 20)).toBeLessThanOrEqual(4 * (value.length + pattern.length))
  }
})

test('a pathological `_` pattern runs out of its budget instead of stalling', () => {
  // Every alignment matches 25 000 characters before failing: quadratic for any left-to-right search.
  const value = 'ab'.repeat(50_000)
  const pattern = `%${'a_'.repeat(25_000)}aa%`
  const budget = { steps: 0 }
  expect(() => compileLike(pattern, false, budget)(value)).toThrow(LikeBudgetExceeded)
  expect(budget.steps).toBeLessThanOrEqual((LIKE_STEPS_PER_CHAR + 2) * (value.length + pattern.length))
})
