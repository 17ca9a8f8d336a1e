import request from 'supertest'
import { expect, test } from 'vitest'
import { buildHeliconeFixture, HELICONE_DEV_KEY } from '../../../scripts/fixtures/helicone.ts'
import { checkFixtureDocument } from '../../../src/fixtures/fixture-document.ts'
import { heliconeFixtures } from '../../../src/vendors/helicone/fixtures.ts'
import type { HeliconeRequestRecord } from '../../../src/vendors/helicone/types.ts'
import type { FixtureBlock } from '../../../src/vendors/vendor.ts'
import { createTestEmulator } from '../../helpers/create-test-emulator.ts'

const ANCHOR = new Date('2026-01-01T00:00:00.000Z')

test('the demo tenant: valid, deterministic, ≥ 300 requests over the 30 days before the anchor, scores and feedback', () => {
  const blocks = buildHeliconeFixture(ANCHOR)
  expect(buildHeliconeFixture(ANCHOR)).toEqual(blocks)
  expect(checkFixtureDocument({ helicone: structuredClone(blocks) })).toEqual([])
  expect(blocks).toHaveLength(1)
  const block = blocks[0] as { apiKey: string; requests: HeliconeRequestRecord[] }
  expect(block.apiKey).toBe(HELICONE_DEV_KEY)
  expect(block.requests.length).toBeGreaterThanOrEqual(300)
  const times = block.requests.map((r) => new Date(r.request_created_at).getTime())
  expect(Math.min(...times)).toBeGreaterThanOrEqual(ANCHOR.getTime() - 30 * 86_400_000)
  expect(Math.max(...times)).toBeLessThan(ANCHOR.getTime())
  const keys = new Set(block.requests.flatMap((r) => Object.keys(r.scores)))
  expect(keys).toContain('accuracy')
  expect(keys).toContain('helpful-hcone-bool')
  expect(keys).toContain('helicone-score-feedback')
  const rated = block.requests.filter((r) => r.scores['helicone-score-feedback'] !== undefined).length
  expect(rated / block.requests.length).toBeGreaterThan(0.2)
})

test('fromState → toState round-trips exactly, and shiftTimes moves every timestamp', () => {
  const grant = { apiKey: 'k', tenant: 'k', info: {} }
  const block = {
    apiKey: 'k',
    requests: [{ request_id: '8a4c0a9e-6f5b-4b6a-9c1d-2e3f4a5b6c7d', request_created_at: '2024-01-01T00:00:00.000Z' }],
  } as FixtureBlock
  const state = heliconeFixtures.toState(block, grant)
  const printed = heliconeFixtures.fromState(state, 'k')
  expect(heliconeFixtures.toState(structuredClone(printed), grant)).toEqual(state)
  expect(heliconeFixtures.fromState(heliconeFixtures.toState(structuredClone(printed), grant), 'k')).toEqual(printed)

  const withPending = {
    ...printed,
    requests: [{ ...(printed['requests'] as HeliconeRequestRecord[])[0], response_created_at: '2024-01-01T00:00:01.500Z' }],
    pendingScores: [{ request_id: 'x', scores: { a: 1 }, posted_at: '2024-01-01T00:00:00.000Z', visible_at: '2024-01-01T00:10:00.000Z' }],
  } as FixtureBlock
  const shifted = heliconeFixtures.shiftTimes(structuredClone(withPending), 86_400_000) as unknown as {
    requests: HeliconeRequestRecord[]
    pendingScores: { posted_at: string; visible_at: string }[]
  }
  expect(shifted.requests[0]?.request_created_at).toBe('2024-01-02T00:00:00.000Z')
  expect(shifted.requests[0]?.response_created_at).toBe('2024-01-02T00:00:01.500Z')
  expect(shifted.pendingScores[0]).toMatchObject({ posted_at: '2024-01-02T00:00:00.000Z', visible_at: '2024-01-02T00:10:00.000Z' })
})

test('the demo tenant loads with its time anchor and answers the scores query over the last 30 days', async () => {
  const now = new Date('2026-03-01T00:00:00.000Z')
  const e = await createTestEmulator({
    now: () => now,
    fixtures: [{ timeAnchor: ANCHOR.toISOString(), helicone: buildHeliconeFixture(ANCHOR) as FixtureBlock[] }],
  })
  const res = await request(e.app)
    .post('/helicone/v1/dashboard/scores/query')
    .set('Authorization', `Bearer ${HELICONE_DEV_KEY}`)
    .send({
      userFilter: 'all',
      timeFilter: { start: new Date(now.getTime() - 30 * 86_400_000).toISOString(), end: now.toISOString() },
      dbIncrement: 'week',
      timeZoneDifference: 0,
    })
  expect(res.status).toBe(200)
  const keys = new Set((res.body.data as { score_key: string }[]).map((r) => r.score_key))
  expect(keys).toContain('accuracy')
  expect(keys).toContain('helicone-score-feedback')
  const state = await request(e.app).get(`/__emulator/state?apiKey=${HELICONE_DEV_KEY}`)
  expect(state.body.helicone[0].requests.length).toBeGreaterThanOrEqual(300)
  // The state posts back to /seed as it is.
  expect((await request(e.app).post('/__emulator/seed').send(state.body)).status).toBe(200)
})
