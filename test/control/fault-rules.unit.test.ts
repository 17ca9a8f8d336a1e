import { expect, test } from 'vitest'
import { FaultRuleError, FaultRules, globMatcher } from '../../src/control/fault-rules.ts'

const target = (over: Partial<Parameters<FaultRules['take']>[0]> = {}) => ({
  vendor: 'portkey',
  operationId: 'createFeedback',
  method: 'POST',
  path: '/portkey/v1/feedback',
  apiKey: 'k',
  ...over,
})

test('globs: * matches any run, the rest literally, without backtracking', () => {
  expect(globMatcher('/portkey/v1/feedback*')('/portkey/v1/feedback/123')).toBe(true)
  expect(globMatcher('/portkey/*/feedback')('/portkey/v1/feedback')).toBe(true)
  expect(globMatcher('/portkey/*/feedback')('/portkey/v1/feedbacks')).toBe(false)
  expect(globMatcher('*a*a*a*a*a*a*a*a*b')('a'.repeat(50_000))).toBe(false)
  expect(globMatcher('/x')('/x/')).toBe(false)
})

test('a rule matches on every criterion given; the newest rule wins; times count down and remove it', () => {
  const rules = new FaultRules()
  const old = rules.add({ vendor: 'portkey', status: 500 })
  const newer = rules.add({ operationId: 'createFeedback', method: 'post', status: 429, times: 2 })
  expect(rules.take(target({ vendor: 'helicone', operationId: 'x' }))).toBeNull()
  expect(rules.take(target())?.id).toBe(newer.id)
  expect(rules.take(target())).toMatchObject({ id: newer.id, remaining: 0, fired: 2 })
  expect(rules.take(target())?.id).toBe(old.id)
  expect(rules.list().map((r) => r.id)).toEqual([old.id])
  expect(rules.take(target({ apiKey: null }))?.id).toBe(old.id)
  rules.add({ apiKey: 'other', status: 401 })
  expect(rules.take(target())?.status).toBe(500)
})

test('probability draws from the seeded generator: the same seed fires on the same requests', () => {
  const run = (seed: number) => {
    const rules = new FaultRules(seed)
    rules.add({ status: 503, probability: 0.3 })
    return Array.from({ length: 50 }, () => rules.take(target()) !== null)
  }
  expect(run(7)).toEqual(run(7))
  const fired = run(7).filter(Boolean).length
  expect(fired).toBeGreaterThan(5)
  expect(fired).toBeLessThan(30)
})

test('a rule that would change nothing, or mixes kinds, is refused', () => {
  const rules = new FaultRules()
  expect(() => rules.add({ vendor: 'portkey' })).toThrow(FaultRuleError)
  expect(() => rules.add({ kind: 'reset', status: 500 })).toThrow(FaultRuleError)
  expect(() => rules.add({ kind: 'status' })).toThrow(FaultRuleError)
})
