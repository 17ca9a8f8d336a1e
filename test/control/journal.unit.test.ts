import { expect, test } from 'vitest'
import { TestClock } from '../../src/control/clock.ts'
import { Coverage } from '../../src/control/coverage.ts'
import type { Exchange } from '../../src/control/exchange.ts'
import { faultFromPrefer } from '../../src/control/fault-rules.ts'
import { isDeepSubset, Journal, JOURNAL_BODY_BUDGET_CHARS, keyHash } from '../../src/control/journal.ts'
import { operationTable } from '../../src/openapi/operations.ts'

const createFeedback = operationTable('portkey').byId.get('createFeedback')!

function exchange(overrides: Partial<Exchange> = {}): Exchange {
  return {
    startedAt: Date.parse('2026-01-01T00:00:00Z'),
    durationMs: 1.23,
    vendor: 'portkey',
    operation: createFeedback,
    method: 'POST',
    path: '/portkey/v1/feedback',
    query: {},
    requestHeaders: { 'x-portkey-api-key': 'pk-secret-key', 'content-type': 'application/json' },
    apiKey: 'pk-secret-key',
    requestBody: { kind: 'json', text: JSON.stringify({ trace_id: 't-1', value: 1 }) },
    requestViolations: [],
    status: 200,
    responseHeaders: { 'content-type': 'application/json; charset=utf-8' },
    responseText: JSON.stringify({ status: 'success', message: 'ok', feedback_ids: ['f'] }),
    responseViolations: null,
    ...overrides,
  }
}

test('the journal keeps the newest N, drops the oldest, and still finds an entry by id', () => {
  const journal = new Journal(3)
  for (let i = 0; i < 5; i++) journal.record(exchange({ requestBody: { kind: 'json', text: JSON.stringify({ trace_id: `t-${i}` }) } }))
  expect(journal.size).toBe(3)
  expect(journal.list().map((e) => e.id)).toEqual(['req-5', 'req-4', 'req-3'])
  expect(journal.get('req-2')).toBeUndefined()
  expect(journal.get('req-4')?.requestBody).toEqual({ trace_id: 't-3' })
  expect(journal.get('nope')).toBeUndefined()
  expect(journal.list({ limit: 1 }).map((e) => e.id)).toEqual(['req-5'])
})

test('the journal also drops the oldest entries when the bodies it holds pass the budget', () => {
  const journal = new Journal(100)
  const big = 'x'.repeat(JOURNAL_BODY_BUDGET_CHARS / 4)
  for (let i = 0; i < 6; i++) journal.record(exchange({ requestBody: { kind: 'text', text: big } }))
  // Four quarters plus their (small) answers are over the budget: three fit.
  expect(journal.size).toBe(3)
  expect(journal.list()[0]!.id).toBe('req-6')
})

test('entries never show the key: headers, echoed keys and key-like values are scrubbed; the tenant is a short hash', () => {
  const journal = new Journal()
  journal.record(
    exchange({
      requestBody: { kind: 'json', text: JSON.stringify({ trace_id: 't', metadata: { note: 'pk-secret-key', other: 'sk-abcdefghijkl' } }) },
    }),
  )
  const [entry] = journal.list()
  expect(entry!.tenant).toBe(keyHash('pk-secret-key'))
  expect(entry!.tenant).toMatch(/^[0-9a-f]{12}$/)
  expect(entry!.requestHeaders['x-portkey-api-key']).toBe('[scrubbed]')
  expect(entry!.requestBody).toEqual({ trace_id: 't', metadata: { note: '[scrubbed]', other: '[scrubbed]' } })
  expect(JSON.stringify(entry)).not.toContain('pk-secret-key')
})

test('filters: vendor, apiKey through its hash, method, path glob, status, operationId, since', () => {
  const journal = new Journal()
  journal.record(exchange())
  journal.record(exchange({ apiKey: 'other', status: 400, startedAt: Date.parse('2026-02-01T00:00:00Z') }))
  journal.record(exchange({ vendor: 'helicone', path: '/helicone/v1/evals/scores', method: 'GET', operation: null }))
  expect(journal.list({ vendor: 'portkey' })).toHaveLength(2)
  expect(journal.list({ apiKey: 'pk-secret-key' }).map((e) => e.id)).toEqual(['req-3', 'req-1'])
  expect(journal.list({ method: 'get' }).map((e) => e.id)).toEqual(['req-3'])
  expect(journal.list({ path: '/portkey/v1/feed*' })).toHaveLength(2)
  expect(journal.list({ path: '/helicone/*/scores' })).toHaveLength(1)
  expect(journal.list({ status: 400 }).map((e) => e.id)).toEqual(['req-2'])
  expect(journal.list({ operationId: 'createFeedback' })).toHaveLength(2)
  expect(journal.list({ since: '2026-01-15T00:00:00Z' }).map((e) => e.id)).toEqual(['req-2'])
  expect(journal.clear({ status: 400 })).toBe(1)
  expect(journal.list().map((e) => e.id)).toEqual(['req-3', 'req-1'])
  expect([journal.get('req-1')?.id, journal.get('req-2'), journal.get('req-3')?.id]).toEqual(['req-1', undefined, 'req-3'])
})

test('count matches the body as a deep subset of what was sent', () => {
  const journal = new Journal()
  journal.record(
    exchange({ requestBody: { kind: 'json', text: JSON.stringify({ trace_id: 'X', value: 1, metadata: { user: 'u', a: [1, 2] } }) } }),
  )
  journal.record(exchange({ requestBody: { kind: 'json', text: JSON.stringify({ trace_id: 'Y', value: 1 }) } }))
  journal.record(exchange({ requestBody: undefined }))
  expect(journal.count()).toBe(3)
  expect(journal.count({ body: { trace_id: 'X' } })).toBe(1)
  expect(journal.count({ body: { value: 1 } })).toBe(2)
  expect(journal.count({ body: { metadata: { user: 'u' } } })).toBe(1)
  expect(journal.count({ body: { metadata: { a: [1] } } })).toBe(0)
  expect(journal.count({ body: { trace_id: 'X', value: 2 } })).toBe(0)
  expect(journal.count({ vendor: 'portkey', apiKey: 'pk-secret-key', body: { trace_id: 'Y' } })).toBe(1)
})

test('isDeepSubset: objects by the names given, arrays element-wise with equal length, scalars equal', () => {
  expect(isDeepSubset({}, { a: 1 })).toBe(true)
  expect(isDeepSubset({ a: { b: 1 } }, { a: { b: 1, c: 2 } })).toBe(true)
  expect(isDeepSubset({ a: null }, { a: null })).toBe(true)
  expect(isDeepSubset({ a: null }, {})).toBe(false)
  expect(isDeepSubset([{ a: 1 }], [{ a: 1, b: 2 }])).toBe(true)
  expect(isDeepSubset([1], [1, 2])).toBe(false)
  expect(isDeepSubset({ a: 1 }, [1])).toBe(false)
  expect(isDeepSubset('1', 1)).toBe(false)
  expect(isDeepSubset({ toString: 1 }, {})).toBe(false)
})

test('response violations are computed on read from the text sent, once, and not for faulted answers', () => {
  const journal = new Journal()
  journal.record(exchange({ responseText: JSON.stringify({ status: 7 }) }))
  journal.record(exchange({ status: 429, responseText: '{}', fault: { id: 'fault-1', kind: 'status' } }))
  journal.record(exchange({ status: 418 }))
  const [teapot, faulted, wrong] = journal.list()
  expect(wrong!.violations.response).toContainEqual({ location: 'response.status', message: 'must be string' })
  expect(faulted!.violations.response).toEqual([])
  expect(teapot!.violations.response).toEqual([{ location: 'response.status', message: 'status 418 is not declared for createFeedback' }])
})

test('Prefer: code and delay, alone or together; anything else is ignored', () => {
  expect(faultFromPrefer('code=429')).toMatchObject({ id: 'prefer', status: 429 })
  expect(faultFromPrefer('delay=250')).toMatchObject({ delayMs: 250 })
  expect(faultFromPrefer('code=503, delay=100')).toMatchObject({ status: 503, delayMs: 100 })
  expect(faultFromPrefer(['code=500', 'delay=5'])).toMatchObject({ status: 500, delayMs: 5 })
  expect(faultFromPrefer('delay=99999999')).toMatchObject({ delayMs: 300_000 })
  expect(faultFromPrefer('code="404"')).toMatchObject({ status: 404 })
  for (const ignored of [undefined, '', 'return=minimal', 'code=99', 'code=abc', 'code=', 'dynamic=true'])
    expect(faultFromPrefer(ignored)).toBeNull()
})

test('the test clock: freeze, advance, offset, reset, over a pinned base; changes are reported', () => {
  const base = new Date('2030-01-01T00:00:00.000Z')
  const clock = new TestClock(() => base)
  const seen: unknown[] = []
  clock.onChange((s) => seen.push(s))
  expect(clock.get()).toEqual({ now: '2030-01-01T00:00:00.000Z', frozen: false, offsetMs: 0 })
  expect(clock.offset(60_000)).toEqual({ now: '2030-01-01T00:01:00.000Z', frozen: false, offsetMs: 60_000 })
  expect(clock.advance(1000).now).toBe('2030-01-01T00:01:01.000Z')
  expect(clock.freeze('2031-05-05T05:05:05Z')).toMatchObject({ now: '2031-05-05T05:05:05.000Z', frozen: true })
  expect(clock.advance(-5000).now).toBe('2031-05-05T05:05:00.000Z')
  expect(clock.now().toISOString()).toBe('2031-05-05T05:05:00.000Z')
  expect(clock.snapshot()).toEqual({ frozenAtMs: Date.parse('2031-05-05T05:05:00Z'), offsetMs: 0 })
  expect(clock.reset()).toEqual({ now: '2030-01-01T00:00:00.000Z', frozen: false, offsetMs: 0 })
  expect(seen).toHaveLength(5)
  expect(() => clock.advance(8.7e15)).toThrow(/outside/)
  expect(() => clock.freeze('not a date')).toThrow(/outside/)
})

test('coverage counts answers under the status the spec declares; undeclared ones apart; reset starts over', () => {
  const coverage = new Coverage([{ name: 'portkey', operations: operationTable('portkey') }])
  const before = coverage.get()
  expect(before.exercised).toBe(0)
  expect(before.total).toBe(before.operations.reduce((n, op) => n + op.statuses.length, 0))
  coverage.record(exchange())
  coverage.record(exchange())
  coverage.record(exchange({ status: 429 }))
  coverage.record(exchange({ status: null }))
  coverage.record(exchange({ operation: null, status: 404 }))
  const report = coverage.get()
  const feedback = report.operations.find((o) => o.operationId === 'createFeedback')!
  expect(feedback).toMatchObject({ vendor: 'portkey', method: 'POST', path: '/v1/feedback' })
  expect(feedback.statuses.find((s) => s.status === '200')).toEqual({ status: '200', count: 2 })
  expect(report.undeclared).toEqual([{ vendor: 'portkey', operationId: 'createFeedback', status: 429, count: 1 }])
  expect(report.summary).toBe(`1/${report.total} operation-status pairs exercised (${Math.floor((1 / report.total) * 1000) / 10}%)`)
  expect(coverage.reset().exercised).toBe(0)
})
