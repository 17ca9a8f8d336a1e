// The test clock: everything that reads "now" reads it.
import request from 'supertest'
import { expect, test } from 'vitest'
import { createTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'

const DAY = 24 * 60 * 60 * 1000
const T0 = '2030-03-01T12:00:00.000Z'

const setClock = (app: Parameters<typeof request>[0], change: unknown) =>
  request(app)
    .post('/__emulator/clock')
    .send(change as object)

test('GET/POST/DELETE /clock: freeze, advance, offset, back to real time', async () => {
  const e = await createTestEmulator()
  const real = (await request(e.app).get('/__emulator/clock').expect(200)).body
  expect(real).toMatchObject({ frozen: false, offsetMs: 0 })
  expect(Math.abs(Date.parse(real.now) - Date.now())).toBeLessThan(5000)
  expect((await setClock(e.app, { now: T0 }).expect(200)).body).toMatchObject({ now: T0, frozen: true })
  expect((await setClock(e.app, { advanceMs: DAY }).expect(200)).body.now).toBe('2030-03-02T12:00:00.000Z')
  const shifted = (await setClock(e.app, { offsetMs: -DAY }).expect(200)).body
  expect(shifted).toMatchObject({ frozen: false, offsetMs: -DAY })
  expect(Math.abs(Date.parse(shifted.now) - (Date.now() - DAY))).toBeLessThan(5000)
  expect((await request(e.app).delete('/__emulator/clock').expect(200)).body).toMatchObject({ frozen: false, offsetMs: 0 })
  const twoAtOnce = await setClock(e.app, { now: T0, advanceMs: 1 }).expect(400)
  expect(twoAtOnce.headers['content-type']).toMatch(/problem\+json/)
  await setClock(e.app, {}).expect(400)
  await setClock(e.app, { now: 'yesterday' }).expect(400)
  await setClock(e.app, { advanceMs: 1.5 }).expect(400)
})

test('a frozen clock stamps new Portkey feedback (created_at, updated_at)', async () => {
  const e = await createTestEmulator()
  const key = freshKey('pk')
  await setClock(e.app, { now: T0 }).expect(200)
  const created = await request(e.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send({ trace_id: 't', value: 1 })
    .expect(200)
  await setClock(e.app, { advanceMs: 90_000 }).expect(200)
  await request(e.app)
    .put(`/portkey/v1/feedback/${created.body.feedback_ids[0]}`)
    .set('x-portkey-api-key', key)
    .send({ value: 2 })
    .expect(200)
  const state = await request(e.app).get('/__emulator/state').query({ apiKey: key }).expect(200)
  expect(state.body.portkey[0].feedback[0]).toMatchObject({ created_at: T0, updated_at: '2030-03-01T12:01:30.000Z' })
})

test('a frozen clock moves a Helicone request into and out of the 30-day scoring window', async () => {
  const e = await createTestEmulator()
  const key = freshKey('sk-helicone')
  const id = '6f1c1b8e-2a44-4c3e-9d5e-8a0b1c2d3e4f'
  await setClock(e.app, { now: T0 }).expect(200)
  // HeliconeManualLogger's post, timed by the app at T0.
  const at = { seconds: Date.parse(T0) / 1000, milliseconds: 0 }
  await request(e.app)
    .post('/helicone/custom/v1/log')
    .set('authorization', `Bearer ${key}`)
    .set('helicone-request-id', id)
    .send({
      providerRequest: { url: 'https://api.openai.com/v1/chat/completions', json: { model: 'gpt-4o-mini' }, meta: {} },
      providerResponse: { json: {}, status: 200, headers: {} },
      timing: { startTime: at, endTime: at },
    })
    .expect(200)
  const scores = async () =>
    (await request(e.app).post('/helicone/v1/request/query').set('authorization', `Bearer ${key}`).send({ filter: 'all' }).expect(201)).body
      .data[0].scores
  const score = (body: object) =>
    request(e.app).post(`/helicone/v1/request/${id}/score`).set('authorization', `Bearer ${key}`).send(body).expect(201)

  await setClock(e.app, { advanceMs: 29 * DAY }).expect(200)
  await score({ scores: { inside: 1 } })
  expect(await scores()).toEqual({ inside: 1 })
  await setClock(e.app, { advanceMs: 2 * DAY }).expect(200)
  await score({ scores: { outside: 1 } })
  expect(await scores()).toEqual({ inside: 1 })
  const [row] = (await request(e.app).get('/__emulator/state').query({ apiKey: key })).body.helicone[0].requests
  expect(row.request_created_at).toBe(T0)
})

test('--helicone-score-delay-ms runs on the emulator clock: a frozen clock holds a score back until moved past the delay', async () => {
  const e = await createTestEmulator({ heliconeScoreDelayMs: 60_000 })
  const key = freshKey('sk-helicone')
  const id = '0b7e6a52-6d1f-4f0a-8d4e-2c9b7a1e5f30'
  e.clock.freeze(T0)
  await e.seed({ helicone: [{ apiKey: key, requests: [{ request_id: id, request_created_at: T0 }] }] })
  await request(e.app)
    .post(`/helicone/v1/request/${id}/score`)
    .set('authorization', `Bearer ${key}`)
    .send({ scores: { s: 5 } })
    .expect(201)
  const visible = async () =>
    (await request(e.app).get('/helicone/v1/evals/scores').set('authorization', `Bearer ${key}`).expect(200)).body.data as string[]
  expect(await visible()).toEqual([])
  e.clock.advance(59_999)
  expect(await visible()).toEqual([])
  e.clock.advance(1)
  expect(await visible()).toEqual(['s'])
})

test("fixtures' timeAnchor becomes the emulator clock's now on seed; createEmulator({ now }) is the base the clock runs from", async () => {
  const base = new Date('2029-12-31T00:00:00.000Z')
  const e = await createTestEmulator({ now: () => base })
  expect(e.clock.get()).toEqual({ now: base.toISOString(), frozen: false, offsetMs: 0 })
  e.clock.offset(DAY)
  const key = freshKey('pk')
  await request(e.app)
    .post('/__emulator/seed')
    .send({
      timeAnchor: '2026-01-01T00:00:00.000Z',
      portkey: [
        {
          apiKey: key,
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
    .expect(200)
  const state = await request(e.app).get('/__emulator/state').query({ apiKey: key })
  expect(state.body.portkey[0].feedback[0].created_at).toBe('2029-12-31T00:00:00.000Z')
})
