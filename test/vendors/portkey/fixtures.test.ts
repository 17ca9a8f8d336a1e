import request from 'supertest'
import { expect, test } from 'vitest'
import { buildPortkeyFixture, PORTKEY_DEV_KEY } from '../../../scripts/fixtures/portkey.ts'
import { checkFixtureDocument } from '../../../src/fixtures/fixture-document.ts'
import { portkeyFixtures } from '../../../src/vendors/portkey/fixtures.ts'
import type { FixtureBlock } from '../../../src/vendors/vendor.ts'
import type { PortkeyTenantBlock } from '../../../src/vendors/portkey/types.ts'
import { createTestEmulator, freshKey } from '../../helpers/create-test-emulator.ts'

const ANCHOR = new Date('2026-01-01T00:00:00.000Z')
const DAY = 24 * 60 * 60 * 1000

test('the demo fixture is deterministic, valid and big enough', () => {
  const blocks = buildPortkeyFixture(ANCHOR)
  expect(buildPortkeyFixture(ANCHOR)).toEqual(blocks)
  expect(checkFixtureDocument({ timeAnchor: ANCHOR.toISOString(), portkey: blocks })).toEqual([])
  const [block] = blocks as PortkeyTenantBlock[]
  expect(block?.apiKey).toBe(PORTKEY_DEV_KEY)
  const generations = block?.generations ?? []
  const feedback = block?.feedback ?? []
  expect(generations.length).toBeGreaterThanOrEqual(200)
  expect(feedback.length).toBeGreaterThanOrEqual(150)
  expect(new Set(generations.map((g) => g.model)).size).toBeGreaterThanOrEqual(4)
  expect(new Set(generations.map((g) => g.provider)).size).toBeGreaterThanOrEqual(2)
  for (const g of generations) {
    const at = Date.parse(g.created_at)
    expect(at).toBeGreaterThanOrEqual(ANCHOR.getTime() - 30 * DAY)
    expect(at).toBeLessThanOrEqual(ANCHOR.getTime())
  }
})

test('anchored at load, the demo tenant shows feedback in the last 7 days', async () => {
  const now = new Date('2026-03-15T09:30:00.000Z')
  const emulator = await createTestEmulator({
    now: () => now,
    fixtures: [{ timeAnchor: ANCHOR.toISOString(), portkey: buildPortkeyFixture(ANCHOR) as FixtureBlock[] }],
  })
  const res = await request(emulator.app)
    .get('/portkey/v1/analytics/graphs/feedbacks')
    .query({ time_of_generation_min: new Date(now.getTime() - 7 * DAY).toISOString(), time_of_generation_max: now.toISOString() })
    .set('x-portkey-api-key', PORTKEY_DEV_KEY)
  expect(res.status).toBe(200)
  expect(res.body.summary.total).toBeGreaterThan(10)
  expect(res.body.data_points).toHaveLength(8)
})

test('shiftTimes moves every timestamp of a block', () => {
  const block = {
    apiKey: 'k',
    generations: [{ created_at: '2026-01-01T00:00:00.000Z' }],
    feedback: [
      { created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-02T00:00:00.000Z' },
      { created_at: '2026-01-03T00:00:00.000Z' },
    ],
  }
  expect(portkeyFixtures.shiftTimes(block, DAY)).toEqual({
    apiKey: 'k',
    generations: [{ created_at: '2026-01-02T00:00:00.000Z' }],
    feedback: [
      { created_at: '2026-01-02T00:00:00.000Z', updated_at: '2026-01-03T00:00:00.000Z' },
      { created_at: '2026-01-04T00:00:00.000Z' },
    ],
  })
})

test('GET /__emulator/state then POST /__emulator/seed restores exactly the same state', async () => {
  const emulator = await createTestEmulator({ now: () => new Date('2026-01-10T12:00:00.000Z') })
  const key = freshKey()
  const app = emulator.app
  await request(app)
    .post('/portkey/v1/logs')
    .set('x-portkey-api-key', key)
    .send({
      request: { url: 'https://api.openai.com/v1/x', body: { model: 'gpt-4o' } },
      response: { body: { usage: { prompt_tokens: 3, completion_tokens: 4 } }, response_time: 5 },
      metadata: { trace_id: 't', n: 1 },
    })
    .expect(200)
  const created = await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send({ trace_id: 't', value: 2, weight: 0.3, text: 'ok' })
    .expect(200)
  await request(app)
    .put(`/portkey/v1/feedback/${created.body.feedback_ids[0]}`)
    .set('x-portkey-api-key', key)
    .send({ value: 3 })
    .expect(200)
  const before = structuredClone(emulator.store.data.portkey[key])

  const state = await request(app).get('/__emulator/state').query({ apiKey: key }).expect(200)
  await request(app).post('/__emulator/reset').query({ apiKey: key }).expect(200)
  expect(emulator.store.data.portkey[key]).toBeUndefined()
  await request(app).post('/__emulator/seed').send(state.body).expect(200)
  expect(emulator.store.data.portkey[key]).toEqual(before)
  expect(portkeyFixtures.toState(portkeyFixtures.fromState(before, key), { apiKey: key, tenant: key, info: {} })).toEqual(before)
})

test('a fixture with duplicate feedback ids is rejected with the JSON path of the duplicate', async () => {
  const emulator = await createTestEmulator()
  const feedback = { id: 'same', trace_id: 't', value: 1, weight: 1, metadata: {}, created_at: '2026-01-01T00:00:00.000Z' }
  const res = await request(emulator.app)
    .post('/__emulator/seed')
    .send({ portkey: [{ apiKey: 'k', feedback: [feedback, feedback] }] })
  expect(res.status).toBe(400)
  expect(JSON.stringify(res.body)).toContain('$.portkey[0].feedback[1].id')
})

test('a fixture record that breaks the schema is rejected', async () => {
  const emulator = await createTestEmulator()
  const res = await request(emulator.app)
    .post('/__emulator/seed')
    .send({
      portkey: [
        { apiKey: 'k', feedback: [{ id: 'f', trace_id: 't', value: 11, weight: 1, metadata: {}, created_at: '2026-01-01T00:00:00.000Z' }] },
      ],
    })
  expect(res.status).toBe(400)
  expect(JSON.stringify(res.body)).toContain('$.portkey[0].feedback[0].value')
})
