import { readFileSync } from 'node:fs'
import request from 'supertest'
import { beforeEach, expect, test } from 'vitest'
import type { Emulator } from '../../src/emulator.ts'
import { VERSION } from '../../src/version.ts'
import { createTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'

const DEFAULT_FIXTURE = JSON.parse(readFileSync(new URL('../../fixtures/default.json', import.meta.url), 'utf8')) as Record<string, unknown>

let emulator: Emulator
beforeEach(async () => {
  emulator = await createTestEmulator()
})

test('GET /__emulator/health gives status, version and vendors', async () => {
  const res = await request(emulator.app).get('/__emulator/health').expect(200)
  expect(res.body).toEqual({ status: 'ok', version: VERSION, vendors: ['portkey', 'helicone', 'pulze'] })
})

test('seed → state → reset → seed back restores the same state, in every vendor', async () => {
  const seeded = await request(emulator.app).post('/__emulator/seed').send(DEFAULT_FIXTURE).expect(200)
  expect(seeded.body).toEqual({ status: 'ok', tenants: { portkey: 1, helicone: 1, pulze: 1 } })
  const before = structuredClone(emulator.store.data)
  const state = await request(emulator.app).get('/__emulator/state').expect(200)
  expect(Object.keys(state.body)).toEqual(['portkey', 'helicone', 'pulze'])
  await request(emulator.app).post('/__emulator/reset').expect(200, { status: 'ok', removed: 3, restored: 0 })
  expect(emulator.store.data).toMatchObject({ portkey: {}, helicone: {}, pulze: {} })
  await request(emulator.app).post('/__emulator/seed').send(state.body).expect(200)
  expect(emulator.store.data).toEqual(before)
})

test('GET /__emulator/state?apiKey= gives one tenant, in each vendor where it has records', async () => {
  const [a, b] = [freshKey(), freshKey()]
  await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', a).send({ trace_id: 't', value: 3 }).expect(200)
  await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', b).send({ trace_id: 't', value: 4 }).expect(200)
  const res = await request(emulator.app).get('/__emulator/state').query({ apiKey: a }).expect(200)
  expect(res.body).toEqual({
    portkey: [{ apiKey: a, generations: [], feedback: [expect.objectContaining({ trace_id: 't', value: 3 })] }],
  })
})

test('POST /__emulator/reset?apiKey= drops only that tenant', async () => {
  const [a, b] = [freshKey(), freshKey()]
  for (const k of [a, b]) {
    await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', k).send({ trace_id: 't', value: 1 }).expect(200)
  }
  await request(emulator.app)
    .post('/__emulator/reset')
    .query({ apiKey: a })
    .expect(200, { status: 'ok', apiKey: a, removed: 1, restored: 0 })
  expect((await request(emulator.app).get('/__emulator/state').query({ apiKey: a })).body).toEqual({})
  expect((await request(emulator.app).get('/__emulator/state').query({ apiKey: b })).body.portkey).toHaveLength(1)
})

test('seeding is all or nothing: one bad record anywhere → 400 naming its JSON path, nothing stored', async () => {
  const key = freshKey()
  const doc = structuredClone(DEFAULT_FIXTURE) as { portkey: { apiKey: string; feedback: { value: number }[] }[] }
  doc.portkey[0]!.apiKey = key
  doc.portkey[0]!.feedback[3]!.value = 11
  const res = await request(emulator.app).post('/__emulator/seed').send(doc).expect(400)
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
  const problem = JSON.parse(res.text) as { title: string; errors: { path: string; message: string }[] }
  expect(problem.errors).toContainEqual({ path: '$.portkey[0].feedback[3].value', message: 'must be <= 10' })
  expect(emulator.store.data).toMatchObject({ portkey: {}, helicone: {}, pulze: {} })
})

test('a second block for the same tenant is refused, naming its path', async () => {
  const key = freshKey()
  const res = await request(emulator.app)
    .post('/__emulator/seed')
    .send({ portkey: [{ apiKey: key }, { apiKey: key }] })
    .expect(400)
  expect(JSON.parse(res.text).errors).toEqual([{ path: '$.portkey[1].apiKey', message: 'a second block for the same tenant' }])
})

test('a fixture with timeAnchor is moved so that the anchor becomes now', async () => {
  const now = new Date('2030-06-01T12:00:00.000Z')
  const pinned = await createTestEmulator({ now: () => now })
  const key = freshKey()
  await pinned.seed({
    timeAnchor: '2026-01-01T00:00:00.000Z',
    portkey: [
      {
        apiKey: key,
        generations: [],
        feedback: [
          {
            id: '8c1a4fbf-26d9-49df-82ca-ab772ba397d2',
            trace_id: 't',
            value: 1,
            weight: 1,
            metadata: {},
            created_at: '2025-12-31T00:00:00.000Z',
          },
        ],
      },
    ],
  })
  const state = await request(pinned.app).get('/__emulator/state').query({ apiKey: key }).expect(200)
  expect(state.body.portkey[0].feedback[0].created_at).toBe('2030-05-31T12:00:00.000Z')
})

test('the control API validates its own inputs against specs/emulator.yaml', async () => {
  const res = await request(emulator.app).post('/__emulator/reset').query({ vendor: 'openai' }).expect(400)
  expect(JSON.parse(res.text)).toMatchObject({ title: 'Invalid request', errors: [{ path: '$.vendor', message: expect.any(String) }] })
  await request(emulator.app).post('/__emulator/seed').set('content-type', 'application/json').send('{nope').expect(400)
  await request(emulator.app).get('/__emulator/nope').expect(404)
  await request(emulator.app).get('/__emulator/seed').expect(405)
})

test('several keys of one --keys tenant share its records; unlisted keys are refused', async () => {
  const shared = await createTestEmulator({
    keys: {
      portkey: [
        { key: 'pk-a', tenant: 'workspace-1' },
        { key: 'pk-b', tenant: 'workspace-1' },
      ],
    },
  })
  await request(shared.app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'pk-a').send({ trace_id: 't', value: 5 }).expect(200)
  const viaB = await request(shared.app).get('/__emulator/state').query({ apiKey: 'pk-b' }).expect(200)
  expect(viaB.body.portkey[0].feedback).toHaveLength(1)
  await request(shared.app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'pk-c').send({ trace_id: 't', value: 5 }).expect(401)
})

test('seeding leaves the caller’s document as it was (defaults are filled into a copy)', async () => {
  const doc = {
    helicone: [
      {
        apiKey: freshKey(),
        requests: [{ request_id: 'a3d54d0e-2b53-4f3b-9b2a-0d4f5c1e7a11', request_created_at: '2026-01-01T00:00:00.000Z' }],
      },
    ],
  }
  const before = structuredClone(doc)
  await emulator.seed(doc)
  expect(doc).toEqual(before)
  const state = await request(emulator.app).get('/__emulator/state').query({ apiKey: doc.helicone[0]!.apiKey }).expect(200)
  expect(state.body.helicone[0].requests[0]).toMatchObject({
    model: '',
    status: 200,
    cache_reference_id: '00000000-0000-0000-0000-000000000000',
    scores: {},
  })
})
