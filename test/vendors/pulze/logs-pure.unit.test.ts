import { expect, test } from 'vitest'
import { buildPulzeFixture } from '../../../scripts/fixtures/pulze.ts'
import { checkFixtureDocument } from '../../../src/fixtures/fixture-document.ts'
import { pulzeFixtures } from '../../../src/vendors/pulze/fixtures.ts'
import { maskPayload, normalizeLog, paginate, searchLogs, sortLogs, toLogObject, relationsOf } from '../../../src/vendors/pulze/logs.ts'
import { loadSpec } from '../../../src/openapi/load-specs.ts'
import { toLogFilter, type FilterLogsModel } from '../../../src/vendors/pulze/models.ts'
import { compilePydanticOperations } from '../../../src/vendors/pulze/pydantic/operation-compiler.ts'
import { pythonJsonError } from '../../../src/vendors/pulze/pydantic/python-json-error.ts'
import { parseBool, parseDateTime, parseQueryInt, parseUuid } from '../../../src/vendors/pulze/pydantic/scalars.ts'
import type { LogRequest, PulzeLogRecord, PulzeState } from '../../../src/vendors/pulze/types.ts'
import { logId, NOW, sampleLogs } from './helpers.ts'

const APP = '92bca216-e64c-4bcb-a70a-e2359a6df125'
const grant = { apiKey: 'k', tenant: 'k', info: { appId: APP } }
const stored = () => sampleLogs().map((r) => normalizeLog(r as PulzeLogRecord, APP))
const filter = (over: Partial<Parameters<typeof searchLogs>[1]> = {}) => ({
  dateFrom: 0,
  dateTo: null,
  appIds: [],
  labels: null,
  params: [],
  query: '',
  ...over,
})

test('uuid parsing accepts what pydantic accepts and words errors like the uuid crate', () => {
  const id = '2315fc76-3479-4565-a120-4254aebe89e6'
  for (const form of [id, id.toUpperCase(), id.replaceAll('-', ''), `{${id}}`, `urn:uuid:${id}`])
    expect(parseUuid(form, [])).toEqual({ uuid: id })
  const error = (text: string) => {
    const parsed = parseUuid(text, [])
    return 'error' in parsed ? parsed.error.ctx?.['error'] : null
  }
  expect(error('2315fc76-3479-4565-a120')).toBe('invalid group count: expected 5, found 4')
  expect(error('2315fc7-63479-4565-a120-4254aebe89e6')).toBe('invalid group length in group 0: expected 8, found 7')
  expect(error('2315fc76-3479-4565-a120-4254aebe89e6a')).toBe('invalid group length in group 4: expected 12, found 13')
  expect(error('x315fc76')).toBe('invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `x` at 1')
  expect(parseUuid(5, ['body'])).toMatchObject({ error: { type: 'uuid_type' } })
})

test('lax booleans, query integers and datetimes follow pydantic v2', () => {
  expect(parseBool('Yes', [])).toEqual({ value: true })
  expect(parseBool('0', [])).toEqual({ value: false })
  expect(parseBool(2, [])).toMatchObject({ error: { type: 'bool_parsing' } })
  expect(parseBool(0.5, [])).toMatchObject({ error: { type: 'bool_type' } })
  expect(parseQueryInt(' 7 ', [], {})).toEqual({ value: 7 })
  expect(parseQueryInt('2.0', [], {})).toEqual({ value: 2 })
  expect(parseQueryInt(['1', '9'], [], {})).toEqual({ value: 9 })
  expect(parseQueryInt('1e2', [], {})).toMatchObject({ error: { type: 'int_parsing' } })
  expect(parseDateTime('2026-03-01T10:00:00+02:00', [])).toEqual({ ms: Date.parse('2026-03-01T08:00:00Z') })
  expect(parseDateTime('2026-03-01 10:00', [])).toEqual({ ms: Date.parse('2026-03-01T10:00:00Z') })
  expect(parseDateTime(1_700_000_000, [])).toEqual({ ms: 1_700_000_000_000 })
  expect(parseDateTime('2026-02-30', [])).toMatchObject({ error: { ctx: { error: 'day value is outside expected range' } } })
  expect(parseDateTime(true, [])).toMatchObject({ error: { type: 'datetime_type' } })
})

test("malformed JSON is located where Python's json module stops", () => {
  expect(pythonJsonError('{bad')).toEqual({ pos: 1, msg: 'Expecting property name enclosed in double quotes' })
  expect(pythonJsonError('{"a" 1}')).toEqual({ pos: 5, msg: "Expecting ':' delimiter" })
  expect(pythonJsonError('{"a": 1 "b": 2}')).toEqual({ pos: 8, msg: "Expecting ',' delimiter" })
  expect(pythonJsonError('{"a": }')).toEqual({ pos: 6, msg: 'Expecting value' })
  expect(pythonJsonError('{"a": "x')).toEqual({ pos: 6, msg: 'Unterminated string starting at' })
  expect(pythonJsonError('{} x')).toEqual({ pos: 3, msg: 'Extra data' })
  expect(pythonJsonError('{"é": tru}')).toEqual({ pos: 6, msg: 'Expecting value' })
  expect(pythonJsonError('{"a": NaN}')).toBeNull()
})

const filterOperation = compilePydanticOperations(loadSpec('pulze')).get('Logs_getMatchingLogs')!
function validateFilterBody(body: unknown) {
  const parsed = filterOperation.validateBody(body)
  return 'errors' in parsed ? parsed : { value: toLogFilter(parsed.value as FilterLogsModel) }
}

test('filter body: defaults, and every error at once in field order', () => {
  expect(validateFilterBody({ date_from: '2026-01-01T00:00:00Z' })).toEqual({
    value: filter({ dateFrom: Date.parse('2026-01-01T00:00:00Z') }),
  })
  const result = validateFilterBody({ date_to: [], params: [1, { col: 'x' }] })
  expect('errors' in result && result.errors.map((e) => [e.type, e.loc])).toEqual([
    ['missing', ['body', 'date_from']],
    ['datetime_type', ['body', 'date_to']],
    ['model_attributes_type', ['body', 'params', 0]],
    ['missing', ['body', 'params', 1, 'order']],
  ])
})

test('masking at privacy level 2 keeps metadata and drops text', () => {
  const log = stored().find((l) => l.id === logId('masked'))!
  const object = toLogObject(log, relationsOf(stored()))
  expect(object).toMatchObject({ prompt: null, response_text: null, total_tokens: 10, namespace: 'openai/gpt-4o-mini' })
  expect(object.response.choices?.[0]?.message?.content).toBeNull()
  expect(maskPayload({ model: 'pulze', prompt: 'p', messages: [{ role: 'user', content: 'x' }] })).toEqual({
    model: 'pulze',
    prompt: null,
    messages: [{ role: 'user', content: null }],
  })
  expect(maskPayload(null)).toBeNull()
})

test('search: visibility, filters, sorting with nulls as PostgreSQL orders them, pages', () => {
  const logs = stored()
  expect(searchLogs(logs, filter(), 1, 50).total).toBe(8)
  expect(searchLogs(logs, filter({ dateFrom: NOW.getTime() - 2.5 * 3_600_000 }), 1, 50).items.map((i) => i.id)).toEqual([
    logId('a'),
    logId('b'),
  ])
  expect(searchLogs(logs, filter({ labels: { env: 'PROD' } }), 1, 50).items.map((i) => i.id)).toEqual([logId('a')])
  const objects = [
    { id: 'x', timestamp: 1, good_answer: null },
    { id: 'y', timestamp: 2, good_answer: true },
    { id: 'z', timestamp: 3, good_answer: false },
  ] as unknown as LogRequest[]
  expect(sortLogs(objects, [{ col: 'good_answer', order: 'asc', multiple: false }]).map((o) => o.id)).toEqual(['z', 'y', 'x'])
  expect(sortLogs(objects, [{ col: 'good_answer', order: 'desc', multiple: false }]).map((o) => o.id)).toEqual(['x', 'y', 'z'])
  expect(sortLogs(objects, [{ col: 'constructor', order: 'asc', multiple: false }]).map((o) => o.id)).toEqual(['z', 'y', 'x'])
  expect(paginate(objects, 2, 2)).toEqual({ items: [objects[2]], total: 3, page: 2, size: 2, pages: 2 })
  expect(paginate([], 1, 50)).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 })
})

test('the demo fixture: valid, deterministic, ≥ 50 logs in the last 30 days, with ratings, privacy levels and children', () => {
  const anchor = new Date('2026-01-01T00:00:00Z')
  const blocks = buildPulzeFixture(anchor)
  expect(blocks).toEqual(buildPulzeFixture(anchor))
  expect(checkFixtureDocument({ timeAnchor: anchor.toISOString(), pulze: blocks })).toEqual([])
  const logs = (blocks[0] as { logs: PulzeLogRecord[] }).logs
  expect(blocks[0]).toMatchObject({ apiKey: 'sk-pulze-emulator-dev' })
  expect(logs.length).toBeGreaterThanOrEqual(50)
  for (const log of logs) expect(anchor.getTime() - log.timestamp).toBeGreaterThan(0)
  for (const log of logs) expect(anchor.getTime() - log.timestamp).toBeLessThanOrEqual(30 * 86_400_000)
  expect(logs.filter((l) => l.good_answer !== null && l.good_answer !== undefined).length).toBeGreaterThan(5)
  expect(logs.filter((l) => l.privacy_level === 2).length).toBeGreaterThan(1)
  expect(logs.filter((l) => l.privacy_level === 3).length).toBeGreaterThan(1)
  expect(logs.filter((l) => l.parent_id !== null && l.parent_id !== undefined).length).toBeGreaterThan(1)
})

test('fixtures: toState fills defaults, fromState → toState round-trips exactly, shiftTimes moves every time', () => {
  const block = { apiKey: 'k', logs: sampleLogs() }
  const state = pulzeFixtures.toState(structuredClone(block), grant) as PulzeState
  expect(state.appId).toBe(APP)
  expect(state.logs[0]).toMatchObject({ app_id: APP, feedback: '', costs_incurred: true })
  expect(pulzeFixtures.toState(pulzeFixtures.fromState(state, 'k'), grant)).toEqual(state)

  const shifted = pulzeFixtures.shiftTimes(structuredClone(pulzeFixtures.fromState(state, 'k')), 60_000) as unknown as {
    logs: PulzeLogRecord[]
  }
  const [before, after] = [state.logs[0]!, shifted.logs[0]!]
  expect(after.timestamp).toBe(before.timestamp + 60_000)
  expect(Date.parse(after.added_on!)).toBe(Date.parse(before.added_on) + 60_000)
  expect(after.response.created).toBe((before.response.created ?? 0) + 60_000)

  expect(() => pulzeFixtures.toState({ apiKey: 'k', logs: [...sampleLogs(), sampleLogs()[0]!] }, grant)).toThrow(/second log/)
  expect(() => pulzeFixtures.toState({ apiKey: 'k', logs: [{ ...sampleLogs()[0]!, app_id: logId('x') }] }, grant)).toThrow(/app's id/)
})
