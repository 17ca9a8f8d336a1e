// Strict mode only observes: for the same state, a strict and a non-strict emulator answer byte for byte
// the same, and checking an answer never changes what is stored.
import { readFileSync } from 'node:fs'
import request from 'supertest'
import { expect, test } from 'vitest'
import type { Emulator } from '../../src/emulator.ts'
import type { FixtureDocument } from '../../src/fixtures/fixture-document.ts'
import { createTestEmulator } from '../helpers/create-test-emulator.ts'

const NOW = new Date('2026-01-01T00:00:00.000Z')
const DEFAULT_FIXTURE = JSON.parse(readFileSync(new URL('../../fixtures/default.json', import.meta.url), 'utf8')) as FixtureDocument
const COSTLESS_LOG = '7d8b0a51-4b0f-4d0f-8a3c-3f3a4b1c2d11'
const PULZE_KEY = 'sk-pulze-emulator-dev'
const WINDOW = { time_of_generation_min: '2025-12-01T00:00:00Z', time_of_generation_max: '2026-01-01T00:00:00Z' }

/** The demo tenants, plus a Pulze log whose `response.metadata.costs` is `{}` (defaults to fill). */
function fixtures(): FixtureDocument {
  const doc = structuredClone(DEFAULT_FIXTURE)
  const pulze = doc.pulze![0] as unknown as { logs: Record<string, unknown>[] }
  pulze.logs.push({
    id: COSTLESS_LOG,
    timestamp: Date.parse('2025-12-31T00:00:00Z'),
    response: { model: 'openai/gpt-4o', object: 'chat.completion', metadata: { costs: {}, labels: {} } },
  })
  return doc
}

type Probe = { method: 'get' | 'post'; path: string; headers: Record<string, string>; query?: Record<string, string>; body?: unknown }

const portkey = { 'x-portkey-api-key': 'pk-emulator-dev' }
const helicone = { authorization: 'Bearer sk-helicone-emulator-dev' }
const pulze = { authorization: `Bearer ${PULZE_KEY}` }
const PROBES: Probe[] = [
  { method: 'get', path: '/portkey/v1/analytics/graphs/feedbacks', headers: portkey, query: WINDOW },
  { method: 'get', path: '/portkey/v1/analytics/graphs/feedbacks/scores', headers: portkey, query: WINDOW },
  { method: 'get', path: '/portkey/v1/analytics/graphs/feedbacks/weighted', headers: portkey, query: WINDOW },
  { method: 'get', path: '/portkey/v1/analytics/graphs/feedbacks/ai-models', headers: portkey, query: WINDOW },
  { method: 'get', path: '/portkey/v1/analytics/graphs/feedbacks/scores', headers: portkey, query: { time_of_generation_min: 'x' } },
  { method: 'post', path: '/portkey/v1/feedback', headers: {}, body: { trace_id: 't', value: 1 } },
  {
    method: 'post',
    path: '/helicone/v1/dashboard/scores/query',
    headers: helicone,
    body: {
      timeFilter: { start: '2025-12-01T00:00:00Z', end: '2026-01-01T00:00:00Z' },
      userFilter: 'all',
      dbIncrement: 'day',
      timeZoneDifference: 0,
    },
  },
  { method: 'post', path: '/helicone/v1/request/query', headers: helicone, body: { filter: 'all', limit: 5, isScored: true } },
  { method: 'get', path: '/helicone/v1/evals/scores', headers: helicone },
  { method: 'post', path: '/helicone/v1/request/query', headers: helicone, body: { filter: 'all', limit: 'many' } },
  { method: 'get', path: `/pulze/v1/logs/${COSTLESS_LOG}`, headers: pulze },
  { method: 'post', path: '/pulze/v1/logs', headers: pulze, query: { size: '5' }, body: { date_from: '2025-12-01T00:00:00Z' } },
  { method: 'post', path: '/pulze/v1/logs', headers: pulze, query: { size: 'x' }, body: { date_from: 'yesterday' } },
  { method: 'get', path: '/pulze/v1/logs/not-a-uuid', headers: pulze },
]

async function answers(emulator: Emulator): Promise<string[]> {
  const out: string[] = []
  for (const probe of PROBES) {
    let call = request(emulator.app)[probe.method](probe.path).set(probe.headers)
    if (probe.query !== undefined) call = call.query(probe.query)
    const res = probe.body === undefined ? await call : await call.send(probe.body as object)
    out.push(`${probe.method.toUpperCase()} ${probe.path} → ${res.status} ${String(res.headers['content-type'])}\n${res.text}`)
  }
  return out
}

test('strict and non-strict answers are byte-identical for the same state, and checking stores nothing', async () => {
  const strict = await createTestEmulator({ strict: true, now: () => NOW, fixtures: [fixtures()] })
  const lenient = await createTestEmulator({ strict: false, now: () => NOW, fixtures: [fixtures()] })
  const stateBefore = JSON.stringify(strict.store.data)
  expect(await answers(strict)).toEqual(await answers(lenient))
  expect(JSON.stringify(strict.store.data)).toBe(stateBefore)
})

test("a Pulze log stored with `costs: {}` answers pydantic's zeros in both modes (defaults filled when stored)", async () => {
  for (const strict of [true, false]) {
    const emulator = await createTestEmulator({ strict, now: () => NOW, fixtures: [fixtures()] })
    const res = await request(emulator.app).get(`/pulze/v1/logs/${COSTLESS_LOG}`).set(pulze).expect(200)
    expect(res.body.response.metadata.costs).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
    expect(res.body.response.created).toBe(0)
  }
})
