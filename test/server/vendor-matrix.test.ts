// The foundation's promises, per vendor, in one table: auth, validation, malformed JSON, oversized bodies,
// unknown routes — each answered in that vendor's own shape, never a stack trace.
import request from 'supertest'
import { beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../src/emulator.ts'
import { createTestEmulator, freshKey, takeUnexpectedErrors } from '../helpers/create-test-emulator.ts'

let emulator: Emulator
beforeAll(async () => {
  emulator = await createTestEmulator()
})

const LOG_ID = '2315fc76-3479-4565-a120-4254aebe89e6'
const portkey = (key: string) => ({ 'x-portkey-api-key': key })
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

type Case = {
  name: string
  method: 'get' | 'post' | 'put'
  path: string
  headers?: Record<string, string>
  body?: string | object
  status: number
  expected: (body: unknown) => void
}

const key = freshKey()
const CASES: Case[] = [
  // Missing keys: each vendor's own 401 body.
  {
    name: 'portkey without a key',
    method: 'post',
    path: '/portkey/v1/feedback',
    body: { trace_id: 't', value: 1 },
    status: 401,
    expected: (b) => expect(b).toEqual({ success: false, data: { message: expect.any(String), errorCode: 'AB05' } }),
  },
  {
    name: 'helicone without a key',
    method: 'post',
    path: '/helicone/v1/dashboard/scores/query',
    body: {},
    status: 401,
    expected: (b) => expect(b).toEqual({ error: 'No authorization header', trace: 'isAuthenticated.error' }),
  },
  {
    name: 'pulze without a key',
    method: 'get',
    path: `/pulze/v1/logs/${LOG_ID}`,
    status: 401,
    expected: (b) => expect(b).toEqual({ detail: 'Not authenticated' }),
  },
  // Validation: each vendor's status and error body.
  {
    name: 'portkey validation',
    method: 'post',
    path: '/portkey/v1/feedback',
    headers: portkey(key),
    body: { trace_id: 't', value: 11 },
    status: 400,
    expected: (b) => expect(b).toEqual({ success: false, data: { message: expect.stringContaining('value'), errorCode: 'AB01' } }),
  },
  {
    name: 'helicone validation',
    method: 'post',
    path: '/helicone/v1/dashboard/scores/query',
    headers: bearer(key),
    body: { userFilter: 'all', timeFilter: { start: '2024-01-01', end: '2024-01-02' }, dbIncrement: 'day' },
    status: 422,
    expected: (b) =>
      expect(b).toEqual({
        message: 'Validation Failed',
        details: { 'requestBody.timeZoneDifference': { message: "'timeZoneDifference' is required" } },
      }),
  },
  {
    name: 'pulze validation',
    method: 'post',
    path: '/pulze/v1/logs/not-a-uuid/rating',
    headers: bearer(key),
    body: {},
    status: 422,
    expected: (b) =>
      expect(b).toEqual({
        detail: [expect.objectContaining({ type: 'uuid_parsing', loc: ['path', 'log_id'], msg: expect.any(String), input: 'not-a-uuid' })],
      }),
  },
  // Malformed JSON: the vendor's answer, not Express's HTML.
  {
    name: 'portkey malformed JSON',
    method: 'post',
    path: '/portkey/v1/feedback',
    headers: { ...portkey(key), 'content-type': 'application/json' },
    body: '{"trace_id":',
    status: 400,
    expected: (b) => expect(b).toMatchObject({ success: false, data: { errorCode: 'AB01' } }),
  },
  {
    name: 'helicone malformed JSON (jawn: body-parser error → global 500 handler)',
    method: 'post',
    path: '/helicone/v1/dashboard/scores/query',
    headers: { ...bearer(key), 'content-type': 'application/json' },
    body: '{"userFilter":',
    status: 500,
    expected: (b) => expect(b).toEqual({ message: 'Internal Server Error', details: 'Internal Server Error' }),
  },
  {
    name: 'pulze malformed JSON',
    method: 'post',
    path: `/pulze/v1/logs/${LOG_ID}/rating`,
    headers: { ...bearer(key), 'content-type': 'application/json' },
    body: '{bad',
    status: 422,
    expected: (b) => expect((b as { detail: unknown[] }).detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 1] }),
  },
  // Unknown routes: JSON 404 in the vendor's shape.
  {
    name: 'portkey unknown route',
    method: 'get',
    path: '/portkey/v1/nope',
    headers: portkey(key),
    status: 404,
    expected: (b) => expect(b).toMatchObject({ success: false, data: { errorCode: 'AB08' } }),
  },
  {
    name: 'helicone unknown route',
    method: 'get',
    path: '/helicone/v1/nope',
    headers: bearer(key),
    status: 404,
    expected: (b) => expect(b).toEqual({ error: expect.stringContaining('/v1/nope') }),
  },
  {
    name: 'pulze unknown route',
    method: 'get',
    path: '/pulze/v1/nope',
    status: 404,
    expected: (b) => expect(b).toEqual({ detail: 'Not Found' }),
  },
]

test.each(CASES)('$name → $status in the vendor shape', async ({ method, path, headers, body, status, expected }) => {
  let req = request(emulator.app)[method](path)
  for (const [name, value] of Object.entries(headers ?? {})) req = req.set(name, value)
  const res = body === undefined ? await req : await req.send(body)
  expect(res.status).toBe(status)
  expect(res.headers['content-type']).toMatch(/json/)
  expected(res.body)
  expect(res.text).not.toMatch(/\n\s+at /)
})

test("control API: a body over its 256 MB limit is a problem+json 413 (the limit is the module's, not the vendors' 1 MB)", async () => {
  const { controlApi, CONTROL_BODY_LIMIT } = await import('../../src/control/index.ts')
  expect(controlApi.bodyLimit).toBe(CONTROL_BODY_LIMIT)
  const res = await request(emulator.app)
    .post('/__emulator/seed')
    .set('content-type', 'application/json')
    .send({ big: 'x'.repeat(1_100_000) })
  expect(res.status).toBe(400)
  const tooLarge = controlApi.errors.payloadTooLarge(CONTROL_BODY_LIMIT)
  expect([tooLarge.status, tooLarge.headers['content-type']]).toEqual([413, 'application/problem+json'])
})

test.each([
  ['portkey', '/portkey/v1/feedback', portkey(key)],
  ['helicone', '/helicone/v1/dashboard/scores/query', bearer(key)],
  ['pulze', `/pulze/v1/logs/${LOG_ID}/rating`, bearer(key)],
])('%s: a body over 1 MB is a JSON 413', async (_vendor, path, headers) => {
  const res = await request(emulator.app)
    .post(path)
    .set(headers)
    .send({ big: 'x'.repeat(1_100_000) })
  expect(res.status).toBe(413)
  expect(res.headers['content-type']).toMatch(/json/)
  expect(res.text).not.toMatch(/\n\s+at /)
})

test('a path under no vendor is a JSON 404 problem that lists the vendor prefixes', async () => {
  const res = await request(emulator.app).get('/v1/feedback')
  expect(res.status).toBe(404)
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
  expect(JSON.parse(res.text)).toMatchObject({
    title: 'Not Found',
    status: 404,
    detail: expect.stringContaining('/portkey, /helicone, /pulze'),
  })
})

test('each distinct key is its own tenant, in every vendor', async () => {
  const [a, b] = [freshKey(), freshKey()]
  await request(emulator.app).post('/portkey/v1/feedback').set(portkey(a)).send({ trace_id: 't', value: 1 }).expect(200)
  const state = await request(emulator.app).get('/__emulator/state').query({ apiKey: b }).expect(200)
  expect(state.body).toEqual({})
  const own = await request(emulator.app).get('/__emulator/state').query({ apiKey: a }).expect(200)
  expect(own.body.portkey[0].feedback).toHaveLength(1)
})

test('--vendor serves one vendor at the root, for clients that cannot take a path prefix', async () => {
  const single = await createTestEmulator({ vendor: 'pulze' })
  const res = await request(single.app).get(`/v1/logs/${LOG_ID}`).set(bearer(freshKey()))
  expect(res.status).toBe(404)
  expect(res.body).toEqual({ detail: 'Log not found' })
  const health = await request(single.app).get('/__emulator/health').expect(200)
  expect(health.body.vendors).toEqual(['pulze'])
  await request(single.app).get(`/portkey/v1/feedback`).expect(404)
})

test('strict mode turns a response that breaks the spec into a 500 naming the operation and the JSON path', async () => {
  const broken = await createTestEmulator()
  const keyOfBroken = freshKey()
  await broken.seed({
    pulze: [
      { apiKey: keyOfBroken, logs: [{ id: LOG_ID, timestamp: 1_700_000_000_000, response: { model: 'm', object: 'chat.completion' } }] },
    ],
  })
  await request(broken.app).get(`/pulze/v1/logs/${LOG_ID}`).set(bearer(keyOfBroken)).expect(200)
  // Corrupt the stored record behind the emulator's back, as a bug in a service would.
  const tenant = broken.store.data.pulze[keyOfBroken] as { logs: Record<string, unknown>[] }
  tenant.logs[0]!['latency'] = 'fast'
  const res = await request(broken.app).get(`/pulze/v1/logs/${LOG_ID}`).set(bearer(keyOfBroken))
  expect(res.status).toBe(500)
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
  expect(JSON.parse(res.text)).toMatchObject({
    operation: 'Logs_getById',
    violations: [expect.objectContaining({ path: 'response.latency' })],
  })
  // Deliberate: the violation is also logged as unexpected, naming the operation.
  expect(takeUnexpectedErrors()).toEqual([expect.stringContaining('Logs_getById: response 200 violates the spec')])
})
