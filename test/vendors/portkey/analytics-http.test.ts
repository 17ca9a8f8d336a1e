import request from 'supertest'
import { expect, test } from 'vitest'
import { createTestEmulator, freshKey } from '../../helpers/create-test-emulator.ts'
import { FILTER_FEEDBACK, FILTER_GENERATIONS, FILTER_TABLE, FILTER_WINDOW } from './records.ts'

const emulator = await createTestEmulator({ now: () => new Date('2026-01-11T00:00:00.000Z') })
const app = emulator.app
const KEY = freshKey('filters')
await emulator.seed({ portkey: [{ apiKey: KEY, generations: FILTER_GENERATIONS, feedback: FILTER_FEEDBACK }] })

const GRAPHS = '/portkey/v1/analytics/graphs'

function get(path: string, query: Record<string, string>, key = KEY) {
  return request(app).get(`${GRAPHS}${path}`).query(query).set('x-portkey-api-key', key)
}

test.each(FILTER_TABLE)('GET /feedbacks/scores with %j counts the scores %j', async (params, scores) => {
  const res = await get('/feedbacks/scores', { ...FILTER_WINDOW, ...params })
  expect(res.status).toBe(200)
  expect(res.body.data_points.map((p: { score: number }) => p.score)).toEqual(scores)
  expect(res.body.summary.total).toBe(scores.length)
})

test('the SDK alias /feedbacks/score answers exactly what /feedbacks/scores does', async () => {
  const a = await get('/feedbacks/score', { ...FILTER_WINDOW, status_code: '200' })
  const b = await get('/feedbacks/scores', { ...FILTER_WINDOW, status_code: '200' })
  expect(a.status).toBe(200)
  expect(a.body).toEqual(b.body)
})

test('every graph applies the filters: /feedbacks, /weighted and /ai-models', async () => {
  const params = { ...FILTER_WINDOW, ai_org_model: 'openai__gpt-4o,anthropic__claude-3-5-sonnet' }
  const feedbacks = await get('/feedbacks', params)
  expect(feedbacks.status).toBe(200)
  expect(feedbacks.body.summary).toEqual({ total: 2 })
  expect(feedbacks.body.data_points).toHaveLength(24) // a day window has hourly buckets
  expect(feedbacks.body.data_points[10]).toEqual({ timestamp: '2026-01-10T10:00:00.000Z', total: 1 })
  expect(feedbacks.body.data_points[12]).toEqual({ timestamp: '2026-01-10T12:00:00.000Z', total: 1 })
  const weighted = await get('/feedbacks/weighted', params)
  expect(weighted.body.summary).toEqual({ avg: 0.25 })
  expect(weighted.body.data_points[12]).toEqual({ timestamp: '2026-01-10T12:00:00.000Z', avg: -0.5 })
  const models = await get('/feedbacks/ai-models', params)
  expect(models.body).toEqual({
    summary: {},
    data_points: [
      { ai_model: 'claude-3-5-sonnet', total: 1, avg_weighted_feedback: -0.5 },
      { ai_model: 'gpt-4o', total: 1, avg_weighted_feedback: 1 },
    ],
    object: 'analytics-graph',
  })
})

test('a week window has daily buckets, empty ones included', async () => {
  const res = await get('/feedbacks', { time_of_generation_min: '2026-01-05T00:00:00Z', time_of_generation_max: '2026-01-11T23:59:59Z' })
  expect(res.body.data_points.map((p: { timestamp: string; total: number }) => [p.timestamp.slice(0, 10), p.total])).toEqual([
    ['2026-01-05', 0],
    ['2026-01-06', 0],
    ['2026-01-07', 0],
    ['2026-01-08', 0],
    ['2026-01-09', 1],
    ['2026-01-10', 3],
    ['2026-01-11', 0],
  ])
})

test.each([
  [
    'time_of_generation_min missing',
    { time_of_generation_max: FILTER_WINDOW.time_of_generation_max },
    /query\.time_of_generation_min is required/,
  ],
  [
    'time_of_generation_max missing',
    { time_of_generation_min: FILTER_WINDOW.time_of_generation_min },
    /query\.time_of_generation_max is required/,
  ],
  [
    'time_of_generation_min not a date-time',
    { ...FILTER_WINDOW, time_of_generation_min: 'yesterday' },
    /query\.time_of_generation_min must match format "date-time"/,
  ],
  [
    'min after max',
    { time_of_generation_min: FILTER_WINDOW.time_of_generation_max, time_of_generation_max: FILTER_WINDOW.time_of_generation_min },
    /must not be after/,
  ],
  ['metadata not JSON', { ...FILTER_WINDOW, metadata: '_user=u1' }, /query\.metadata must be a stringified JSON object/],
  ['metadata a JSON array', { ...FILTER_WINDOW, metadata: '["u1"]' }, /query\.metadata must be a stringified JSON object/],
  ['a negative token bound', { ...FILTER_WINDOW, total_units_min: '-1' }, /query\.total_units_min must be >= 0/],
  ['a cost that is not a number', { ...FILTER_WINDOW, cost_max: 'cheap' }, /query\.cost_max must be number/],
  ['a weighted bound above 10', { ...FILTER_WINDOW, weighted_feedback_max: '11' }, /query\.weighted_feedback_max must be <= 10/],
])('%s is 400 AB01', async (_name, query, message) => {
  const res = await get('/feedbacks/scores', query)
  expect(res.status).toBe(400)
  expect(res.body).toEqual({ success: false, data: { message: expect.stringMatching(message), errorCode: 'AB01' } })
})

test('an unknown key in open mode is its own empty tenant', async () => {
  const res = await get('/feedbacks/ai-models', FILTER_WINDOW, freshKey())
  expect(res.body).toEqual({ summary: {}, data_points: [], object: 'analytics-graph' })
})
