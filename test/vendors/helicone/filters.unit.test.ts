import { expect, test } from 'vitest'
import { compileFilter, FilterBuilderError, type FilterRow } from '../../../src/vendors/helicone/filters.ts'
import { sortRows } from '../../../src/vendors/helicone/request-view.ts'
import { withDefaults } from '../../../src/vendors/helicone/records.ts'
import type { HeliconeRequestRecord } from '../../../src/vendors/helicone/types.ts'

const ORG = '0e5f8a1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b'

function row(id: number, fields: Partial<HeliconeRequestRecord> = {}): FilterRow {
  const requestId = `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`
  return { ...withDefaults({ request_id: requestId, request_created_at: '2024-01-01T10:00:00.000Z', ...fields }), organization_id: ORG }
}

/** The numbers (ids) of the rows a filter matches, or its query error. */
function run(filter: unknown, rows: FilterRow[]): number[] | string {
  const compiled = compileFilter(filter)
  if (!compiled.ok) return compiled.error
  return rows.filter(compiled.predicate).map((r) => Number(r.request_id.slice(-12)))
}

const rmt = (leaf: Record<string, unknown>) => ({ request_response_rmt: leaf })

test('"all" and an empty leaf match every row', () => {
  const rows = [row(1), row(2)]
  expect(run('all', rows)).toEqual([1, 2])
  expect(run({}, rows)).toEqual([1, 2])
})

test('branches combine with and/or and nest', () => {
  const rows = [row(1, { model: 'a', user_id: 'u1' }), row(2, { model: 'a', user_id: 'u2' }), row(3, { model: 'b', user_id: 'u2' })]
  const a = rmt({ model: { equals: 'a' } })
  const u2 = rmt({ user_id: { equals: 'u2' } })
  expect(run({ left: a, operator: 'and', right: u2 }, rows)).toEqual([2])
  expect(run({ left: a, operator: 'or', right: u2 }, rows)).toEqual([1, 2, 3])
  expect(run({ left: { left: a, operator: 'and', right: u2 }, operator: 'or', right: rmt({ model: { equals: 'b' } }) }, rows)).toEqual([
    2, 3,
  ])
})

test('text equals / not-equals are exact and case-sensitive', () => {
  const rows = [row(1, { model: 'gpt-4' }), row(2, { model: 'GPT-4' })]
  expect(run(rmt({ model: { equals: 'gpt-4' } }), rows)).toEqual([1])
  expect(run(rmt({ model: { 'not-equals': 'gpt-4' } }), rows)).toEqual([2])
})

test('like is a case-sensitive SQL pattern, ilike is not', () => {
  const rows = [row(1, { model: 'gpt-4' }), row(2, { model: 'GPT-4o' }), row(3, { model: 'gpt_4' })]
  expect(run(rmt({ model: { like: 'GPT-%' } }), rows)).toEqual([2])
  expect(run(rmt({ model: { ilike: 'gpt-%' } }), rows)).toEqual([1, 2])
  expect(run(rmt({ model: { like: 'gpt_4' } }), rows)).toEqual([1, 3])
  expect(run(rmt({ model: { like: 'gpt\\_4' } }), rows)).toEqual([3])
})

test('contains is a case-insensitive substring whose % and _ stay wildcards', () => {
  const rows = [row(1, { model: 'gpt-4' }), row(2, { model: 'claude' })]
  expect(run(rmt({ model: { contains: 'GPT' } }), rows)).toEqual([1])
  expect(run(rmt({ model: { contains: 'g%4' } }), rows)).toEqual([1])
  expect(run(rmt({ model: { contains: 'cl_ude' } }), rows)).toEqual([2])
  expect(run(rmt({ model: { 'not-contains': 'gpt' } }), rows)).toEqual([2])
})

test('ilike and contains fold case over all of Unicode', () => {
  const rows = [row(1, { user_id: 'ÉLODIE' }), row(2, { user_id: 'elodie' })]
  expect(run(rmt({ user_id: { contains: 'élodie' } }), rows)).toEqual([1])
  expect(run(rmt({ user_id: { ilike: 'élodie' } }), rows)).toEqual([1])
})

test('equals "null" is IS NULL and not-equals "null" IS NOT NULL; the text null is not NULL', () => {
  const rows = [row(1, { country_code: null }), row(2, { country_code: 'US' }), row(3, { user_id: 'null' })]
  expect(run(rmt({ country_code: { equals: 'null' } }), rows)).toEqual([1, 3])
  expect(run(rmt({ country_code: { 'not-equals': 'null' } }), rows)).toEqual([2])
  // user_id is not nullable: IS NULL never matches, even the literal text 'null'.
  expect(run(rmt({ user_id: { equals: 'null' } }), rows)).toEqual([])
  expect(run(rmt({ user_id: { 'not-equals': 'null' } }), rows)).toEqual([1, 2, 3])
  expect(run(rmt({ user_id: { like: 'null' } }), rows)).toEqual([])
})

test('NULL never matches any other operator, not-equals and not-contains included', () => {
  const rows = [row(1, { country_code: null }), row(2, { country_code: 'US' })]
  expect(run(rmt({ country_code: { 'not-equals': 'DE' } }), rows)).toEqual([2])
  expect(run(rmt({ country_code: { 'not-contains': 'DE' } }), rows)).toEqual([2])
})

test('equals "__empty__" is empty(col): "" matches, NULL does not; on cache_reference_id the zero UUID', () => {
  const rows = [
    row(1, { prompt_id: '' }),
    row(2, { prompt_id: 'p' }),
    row(3, { cache_reference_id: 'ab' + '0'.repeat(6) + '-0000-4000-8000-000000000000' }),
  ]
  expect(run(rmt({ prompt_id: { equals: '__empty__' } }), rows)).toEqual([1, 3])
  expect(run(rmt({ country_code: { equals: '__empty__' } }), rows)).toEqual([])
  expect(run(rmt({ cache_reference_id: { equals: '__empty__' } }), rows)).toEqual([1, 2])
})

test('not-equals "__empty__" is a query error', () => {
  expect(run(rmt({ model: { 'not-equals': '__empty__' } }), [row(1)])).toMatch(/Unknown expression or function identifier `__empty__`/)
})

test('number operators compare numerically and a NULL never matches', () => {
  const rows = [row(1, { latency: 100 }), row(2, { latency: 250 }), row(3, { latency: null })]
  expect(run(rmt({ latency: { gte: 100 } }), rows)).toEqual([1, 2])
  expect(run(rmt({ latency: { gt: 100 } }), rows)).toEqual([2])
  expect(run(rmt({ latency: { lt: 250 } }), rows)).toEqual([1])
  expect(run(rmt({ latency: { lte: 250 } }), rows)).toEqual([1, 2])
  expect(run(rmt({ latency: { equals: 250 } }), rows)).toEqual([2])
  expect(run(rmt({ latency: { 'not-equals': 250 } }), rows)).toEqual([1])
})

test('cost compares floor(v × 1e9) with the stored round(usd × 1e9)', () => {
  const rows = [row(1, { cost: 1.5e-8 }), row(2, { cost: 0.002 })]
  // 1.5e-8 × 1e9 = 14.999999999999998 in floating point: floor gives 14, the row stores 15.
  expect(run(rmt({ cost: { equals: 1.5e-8 } }), rows)).toEqual([])
  expect(run(rmt({ cost: { gt: 1.5e-8 } }), rows)).toEqual([1, 2])
  expect(run(rmt({ cost: { equals: 0.002 } }), rows)).toEqual([2])
})

test('timestamp filters cut the value to the second', () => {
  const rows = [row(1, { request_created_at: '2024-01-01T00:00:05.123Z' }), row(2, { request_created_at: '2024-01-01T00:00:04.000Z' })]
  expect(run(rmt({ request_created_at: { lte: '2024-01-01T00:00:05.123Z' } }), rows)).toEqual([2])
  expect(run(rmt({ request_created_at: { gte: '2024-01-01T00:00:05.999Z' } }), rows)).toEqual([1])
  expect(run(rmt({ request_created_at: { equals: '2024-01-01T00:00:04.500Z' } }), rows)).toEqual([2])
  expect(run(rmt({ response_created_at: { gte: '2000-01-01' } }), rows)).toEqual([])
})

test('boolean equals is col = 1/0 and a NULL threat never matches', () => {
  const rows = [row(1, { threat: true }), row(2, { threat: false }), row(3, { threat: null })]
  expect(run(rmt({ threat: { equals: true } }), rows)).toEqual([1])
  expect(run(rmt({ threat: { equals: false } }), rows)).toEqual([2])
  expect(run(rmt({ cache_enabled: { equals: false } }), rows)).toEqual([1, 2, 3])
})

test('helicone-score-feedback equals true matches positive ratings, false also matches unrated requests', () => {
  const rows = [row(1, { scores: { 'helicone-score-feedback': 1 } }), row(2, { scores: { 'helicone-score-feedback': 0 } }), row(3)]
  expect(run(rmt({ 'helicone-score-feedback': { equals: true } }), rows)).toEqual([1])
  expect(run(rmt({ 'helicone-score-feedback': { equals: false } }), rows)).toEqual([2, 3])
})

test('cached tests cache_reference_id against the zero UUID', () => {
  const rows = [row(1, { cache_reference_id: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' }), row(2)]
  expect(run(rmt({ cached: { equals: true } }), rows)).toEqual([1])
  expect(run(rmt({ cached: { equals: false } }), rows)).toEqual([2])
})

test('a missing property reads as ""; "null" on a property is a literal string', () => {
  const rows = [row(1, { properties: { env: 'prod' } }), row(2, { properties: { env: 'null' } }), row(3)]
  expect(run(rmt({ properties: { env: { equals: 'prod' } } }), rows)).toEqual([1])
  expect(run(rmt({ properties: { env: { 'not-equals': 'prod' } } }), rows)).toEqual([2, 3])
  expect(run(rmt({ properties: { env: { 'not-contains': 'pro' } } }), rows)).toEqual([2, 3])
  expect(run(rmt({ properties: { env: { equals: '' } } }), rows)).toEqual([3])
  expect(run(rmt({ properties: { env: { equals: 'null' } } }), rows)).toEqual([2])
})

test('property_key equals k is has(properties, k)', () => {
  const rows = [row(1, { properties: { env: '' } }), row(2)]
  expect(run(rmt({ property_key: { equals: 'env' } }), rows)).toEqual([1])
})

test('scores compare numerically, need the key, and reject non-canonical integers', () => {
  const rows = [row(1, { scores: { accuracy: 90 } }), row(2, { scores: { accuracy: 71 } }), row(3)]
  expect(run(rmt({ scores: { accuracy: { equals: '90' } } }), rows)).toEqual([1])
  expect(run(rmt({ scores: { accuracy: { 'not-equals': '90' } } }), rows)).toEqual([2])
  expect(run(rmt({ scores: { accuracy: { equals: '-0' } } }), rows)).toEqual([])
  for (const bad of ['090', '+90', '9.0', 'abc']) expect(run(rmt({ scores: { accuracy: { equals: bad } } }), rows)).toMatch(/TYPE_MISMATCH/)
})

test('like, ilike and contains on a score are query errors', () => {
  for (const op of ['like', 'ilike', 'contains', 'not-contains']) {
    expect(run(rmt({ scores: { accuracy: { [op]: '9' } } }), [row(1)])).toMatch(/Illegal type Int64/)
  }
})

test('scores_column compares the text form of the map', () => {
  const rows = [row(1, { scores: { accuracy: 90, 'passed-hcone-bool': 1 } }), row(2)]
  expect(run(rmt({ scores_column: { equals: '{}' } }), rows)).toEqual([2])
  expect(run(rmt({ scores_column: { equals: "{'accuracy':90,'passed-hcone-bool':1}" } }), rows)).toEqual([1])
  expect(run(rmt({ scores_column: { contains: "'accuracy':9" } }), rows)).toEqual([1])
})

test('search_properties and columns missing from the table are query errors', () => {
  expect(run(rmt({ search_properties: { env: { equals: 'prod' } } }), [row(1)])).toMatch(/identifier `key`/)
  expect(run(rmt({ total_tokens: { gte: 1 } }), [row(1)])).toMatch(/total_tokens/)
  expect(run(rmt({ node_id: { equals: 'x' } }), [row(1)])).toMatch(/node_id/)
  expect(run(rmt({ job_id: { equals: 'x' } }), [row(1)])).toMatch(/job_id/)
  expect(run(rmt({ assets: { equals: 'x' } }), [row(1)])).toMatch(/asset_ids/)
})

test('a query error anywhere in the tree fails the whole filter', () => {
  const filter = { left: rmt({ model: { equals: 'a' } }), operator: 'or', right: rmt({ assets: { equals: 'x' } }) }
  expect(run(filter, [row(1, { model: 'a' })])).toMatch(/asset_ids/)
})

test('UUID columns compare as UUIDs: case-insensitive, and like/contains or a non-UUID value are errors', () => {
  const rows = [row(1), row(2)]
  expect(run(rmt({ request_id: { equals: '00000000-0000-4000-8000-000000000001'.toUpperCase() } }), rows)).toEqual([1])
  expect(run(rmt({ organization_id: { equals: ORG.toUpperCase() } }), rows)).toEqual([1, 2])
  expect(run(rmt({ request_id: { 'not-equals': '00000000-0000-4000-8000-000000000001' } }), rows)).toEqual([2])
  expect(run(rmt({ request_id: { like: '0000%' } }), rows)).toMatch(/Illegal type UUID/)
  expect(run(rmt({ request_id: { contains: '0001' } }), rows)).toMatch(/Illegal type UUID/)
  expect(run(rmt({ request_id: { equals: 'abc' } }), rows)).toMatch(/CANNOT_PARSE_UUID/)
})

test('a leaf uses one condition: the priority keys first, else the first column, first operator', () => {
  const rows = [
    row(1, { model: 'gpt-3.5', user_id: 'u1' }),
    row(2, { model: 'gpt-3.5', user_id: 'u2' }),
    row(3, { model: 'x', scores: { accuracy: 71 } }),
  ]
  expect(run(rmt({ model: { equals: 'gpt-3.5' }, user_id: { equals: 'u2' } }), rows)).toEqual([1, 2])
  expect(run(rmt({ model: { equals: 'nomatch' }, scores: { accuracy: { equals: '71' } } }), rows)).toEqual([3])
  expect(run(rmt({ model: { equals: 'x', 'not-equals': 'x' } }), rows)).toEqual([3])
  expect(run(rmt({ cost: { gte: 0 }, properties: { env: { equals: 'nope' } } }), rows)).toEqual([])
})

test('an empty table leaf or an empty operator object makes the builder throw (HTTP 500)', () => {
  expect(() => compileFilter(rmt({}))).toThrow(FilterBuilderError)
  expect(() => compileFilter(rmt({ model: {} }))).toThrow(FilterBuilderError)
  expect(() => compileFilter(rmt({ properties: {} }))).toThrow(FilterBuilderError)
})

test('a column, score or sort key named like an Object.prototype member is unknown, not a prototype function', () => {
  expect(() => compileFilter(rmt({ toString: { equals: 'x' } }))).toThrow(/Unknown column toString/)
  expect(() => compileFilter(rmt({ constructor: { equals: 'x' } }))).toThrow(FilterBuilderError)
  const rows: FilterRow[] = [row(1, { model: 'a' }), row(2, { model: 'b' })]
  expect(sortRows(rows, { toString: 'asc' } as never).map((r) => r.request_id)).toEqual(sortRows(rows, undefined).map((r) => r.request_id))
})
