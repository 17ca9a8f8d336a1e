import request from 'supertest'
import { expect, test } from 'vitest'
import { createTestEmulator, freshKey } from '../../helpers/create-test-emulator.ts'

const NOW = new Date('2026-01-10T12:00:00.000Z')
const emulator = await createTestEmulator({ now: () => NOW })
const app = emulator.app
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function portkeyState(key: string) {
  return emulator.store.data.portkey[key] as { generations: unknown[]; feedback: Record<string, unknown>[] } | undefined
}

function expectError(res: request.Response, status: number, errorCode: string, message?: RegExp) {
  expect(res.status).toBe(status)
  expect(res.headers['content-type']).toMatch(/application\/json/)
  expect(res.body).toEqual({ success: false, data: { message: expect.any(String), errorCode } })
  if (message !== undefined) expect(res.body.data.message).toMatch(message)
}

test('creates one feedback: 200 with its UUID, weight defaulting to 1 and text stored', async () => {
  const key = freshKey()
  const res = await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send({ trace_id: 't1', value: 5, metadata: { _user: 'u1' }, text: 'nice' })
  expect(res.status).toBe(200)
  expect(res.body).toEqual({ status: 'success', message: expect.any(String), feedback_ids: [expect.stringMatching(UUID)] })
  expect(portkeyState(key)?.feedback).toEqual([
    {
      id: res.body.feedback_ids[0],
      trace_id: 't1',
      value: 5,
      weight: 1,
      metadata: { _user: 'u1' },
      text: 'nice',
      created_at: NOW.toISOString(),
    },
  ])
})

test('creates an array of feedback with ids in input order', async () => {
  const key = freshKey()
  const res = await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send([
      { trace_id: 'a', value: 1 },
      { trace_id: 'b', value: -1, weight: 0.25 },
      { trace_id: 'c', value: 10, weight: 0 },
    ])
  expect(res.status).toBe(200)
  expect(res.body.feedback_ids).toHaveLength(3)
  expect(portkeyState(key)?.feedback.map((f) => [f['id'], f['trace_id'], f['weight']])).toEqual([
    [res.body.feedback_ids[0], 'a', 1],
    [res.body.feedback_ids[1], 'b', 0.25],
    [res.body.feedback_ids[2], 'c', 0],
  ])
})

test.each([
  [
    'value above 10',
    [
      { trace_id: 'a', value: 1 },
      { trace_id: 'b', value: 11 },
    ],
    /body\[1\]\.value must be <= 10/,
  ],
  ['value below -10', [{ trace_id: 'a', value: -11 }], /body\[0\]\.value must be >= -10/],
  [
    'a non-integer value',
    [
      { trace_id: 'a', value: 1 },
      { trace_id: 'b', value: 1 },
      { trace_id: 'c', value: 0.5 },
    ],
    /body\[2\]\.value must be integer/,
  ],
  ['weight above 1', [{ trace_id: 'a', value: 1, weight: 1.5 }], /body\[0\]\.weight must be <= 1/],
  ['a missing trace_id', [{ trace_id: 'a', value: 1 }, { value: 1 }], /body\[1\]\.trace_id is required/],
  ['metadata that is not an object', [{ trace_id: 'a', value: 1, metadata: 'x' }], /body\[0\]\.metadata must be object/],
  ['an empty array', [], /body must NOT have fewer than 1 items/],
])('an array with %s is 400 AB01 naming the index, and nothing is stored', async (_name, body, message) => {
  const key = freshKey()
  const res = await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send(body)
  expectError(res, 400, 'AB01', message)
  expect(portkeyState(key)).toBeUndefined()
})

test.each([
  ['a missing value', { trace_id: 't' }, /body\.value is required/],
  ['a string value', { trace_id: 't', value: '1' }, /body\.value must be integer/],
  ['a numeric trace_id', { trace_id: 5, value: 1 }, /body\.trace_id must be string/],
  ['a negative weight', { trace_id: 't', value: 1, weight: -0.1 }, /body\.weight must be >= 0/],
  ['a scalar body', 5, /body must be object or array$/],
])('one feedback with %s is 400 AB01 naming the field', async (_name, body, message) => {
  const res = await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', freshKey())
    .set('content-type', 'application/json')
    .send(JSON.stringify(body))
  expectError(res, 400, 'AB01', message)
})

test('the Node SDK array shape {"0":…,"1":…} is a validation error (it lacks trace_id and value)', async () => {
  const key = freshKey()
  const res = await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send({ 0: { trace_id: 'a', value: 1 }, 1: { trace_id: 'b', value: 2 } })
  expectError(res, 400, 'AB01', /body\.trace_id is required; body\.value is required/)
  expect(portkeyState(key)).toBeUndefined()
})

test('malformed JSON, a missing body and a body over 1 MB get Portkey error bodies', async () => {
  const key = freshKey()
  const malformed = await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .set('content-type', 'application/json')
    .send('{"trace_id":')
  expectError(malformed, 400, 'AB01', /not valid JSON/)
  const missing = await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', key)
  expectError(missing, 400, 'AB01', /body is required/)
  const huge = await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send({ trace_id: 't', value: 1, metadata: { blob: 'x'.repeat(1_100_000) } })
  expectError(huge, 413, 'AB01', /larger than 1mb/)
})

test('updates a feedback: value and weight replaced, metadata kept when absent, feedback_id in the body ignored', async () => {
  const key = freshKey()
  const created = await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send({ trace_id: 't', value: 1, weight: 0.5, metadata: { a: 1 } })
  const id = created.body.feedback_ids[0] as string
  const res = await request(app).put(`/portkey/v1/feedback/${id}`).set('x-portkey-api-key', key).send({ feedback_id: 'other', value: -3 })
  expect(res.status).toBe(200)
  expect(res.body).toEqual({ status: 'success', message: expect.any(String), feedback_ids: [id] })
  expect(portkeyState(key)?.feedback[0]).toMatchObject({
    id,
    trace_id: 't',
    value: -3,
    weight: 1,
    metadata: { a: 1 },
    updated_at: NOW.toISOString(),
  })
  await request(app)
    .put(`/portkey/v1/feedback/${id}`)
    .set('x-portkey-api-key', key)
    .send({ value: 2, weight: 0.2, metadata: { b: 2 } })
    .expect(200)
  expect(portkeyState(key)?.feedback[0]).toMatchObject({ value: 2, weight: 0.2, metadata: { b: 2 } })
})

test.each([
  ['an unknown id', '5b0c2f6e-3a51-4c2e-9a77-1f3c9d2e8a10'],
  ['the literal undefined the SDK sends for feedbackId', 'undefined'],
])('updating %s is 404 AB08', async (_name, id) => {
  const res = await request(app).put(`/portkey/v1/feedback/${id}`).set('x-portkey-api-key', freshKey()).send({ value: 1 })
  expectError(res, 404, 'AB08', /Feedback not found/)
})

test('an update without value, or with an array body, is 400 AB01', async () => {
  const res = await request(app).put('/portkey/v1/feedback/x').set('x-portkey-api-key', freshKey()).send({ weight: 1 })
  expectError(res, 400, 'AB01', /body\.value is required/)
  const array = await request(app)
    .put('/portkey/v1/feedback/x')
    .set('x-portkey-api-key', freshKey())
    .send([{ value: 1 }])
  expectError(array, 400, 'AB01', /body must be object$/)
})

test('a feedback of another tenant cannot be updated', async () => {
  const owner = freshKey()
  const created = await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', owner).send({ trace_id: 't', value: 1 })
  const res = await request(app)
    .put(`/portkey/v1/feedback/${created.body.feedback_ids[0]}`)
    .set('x-portkey-api-key', freshKey())
    .send({ value: 5 })
  expectError(res, 404, 'AB08')
  expect(portkeyState(owner)?.feedback[0]).toMatchObject({ value: 1 })
})

test.each([
  ['POST', '/portkey/v1/feedback'],
  ['PUT', '/portkey/v1/feedback/some-id'],
  ['POST', '/portkey/v1/logs'],
  [
    'GET',
    '/portkey/v1/analytics/graphs/feedbacks/scores?time_of_generation_min=2026-01-01T00:00:00Z&time_of_generation_max=2026-01-02T00:00:00Z',
  ],
])('%s %s without a key is 401 AB05, before validation', async (method, url) => {
  const res = await request(app)
    [method === 'GET' ? 'get' : method === 'PUT' ? 'put' : 'post'](url)
    .send(method === 'GET' ? undefined : { nonsense: true })
  expectError(res, 401, 'AB05', /Invalid API Key/)
})

test('an empty key is 401; a Bearer token works as the key', async () => {
  expectError(await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', '').send({ trace_id: 't', value: 1 }), 401, 'AB05')
  const key = freshKey()
  await request(app).post('/portkey/v1/feedback').set('authorization', `Bearer ${key}`).send({ trace_id: 't', value: 1 }).expect(200)
  expect(portkeyState(key)?.feedback).toHaveLength(1)
})

test.each([
  ['GET', '/portkey/v1/nothing-here'],
  ['GET', '/portkey/v1/feedback'],
  ['DELETE', '/portkey/v1/feedback/x'],
  ['POST', '/portkey/v1/feedback/x'],
  ['GET', '/portkey/v1/analytics/graphs/feedback-distribution'],
])("%s %s is a 404 AB08 in Portkey's envelope", async (method, url) => {
  const res = await request(app)[method.toLowerCase() as 'get' | 'post' | 'delete'](url).set('x-portkey-api-key', freshKey())
  expectError(res, 404, 'AB08', /Not found/)
})

test('POST /v1/logs stores generations and answers their ids and trace ids', async () => {
  const key = freshKey()
  const log = (trace?: string) => ({
    request: {
      url: 'https://api.openai.com/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: { model: 'gpt-4o' },
    },
    response: { status: 200, headers: {}, body: { usage: { prompt_tokens: 10, completion_tokens: 2 } }, response_time: 90 },
    metadata: trace === undefined ? { _user: 'u' } : { trace_id: trace, _user: 'u' },
  })
  const res = await request(app)
    .post('/portkey/v1/logs')
    .set('x-portkey-api-key', key)
    .send([log('t-1'), log()])
  expect(res.status).toBe(200)
  expect(res.body).toEqual({
    status: 'success',
    message: '2 logs inserted',
    log_ids: [expect.stringMatching(UUID), expect.stringMatching(UUID)],
    trace_ids: ['t-1', expect.stringMatching(UUID)],
  })
  expect(portkeyState(key)?.generations).toHaveLength(2)
  expect(portkeyState(key)?.generations[0]).toMatchObject({
    trace_id: 't-1',
    provider: 'openai',
    model: 'gpt-4o',
    total_tokens: 12,
    latency_ms: 90,
    metadata: { _user: 'u' },
    created_at: NOW.toISOString(),
  })
})

test('POST /v1/logs is all or nothing and names the bad index', async () => {
  const key = freshKey()
  const good = { request: { url: 'https://api.openai.com/v1/x', body: {} }, response: { body: {} } }
  const res = await request(app)
    .post('/portkey/v1/logs')
    .set('x-portkey-api-key', key)
    .send([good, { request: { body: {} }, response: { body: {} } }])
  expectError(res, 400, 'AB01', /body\[1\]\.request\.url is required/)
  expect(portkeyState(key)).toBeUndefined()
  const single = await request(app).post('/portkey/v1/logs').set('x-portkey-api-key', key).send({ request: good.request })
  expectError(single, 400, 'AB01', /body\.response is required/)
})

test('tenants are isolated: a second key sees nothing of the first', async () => {
  const first = freshKey()
  const second = freshKey()
  await request(app)
    .post('/portkey/v1/logs')
    .set('x-portkey-api-key', first)
    .send({
      request: { url: 'https://api.openai.com/v1/x', body: { model: 'gpt-4o' } },
      response: { body: {} },
      metadata: { trace_id: 'shared' },
    })
    .expect(200)
  await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', first).send({ trace_id: 'shared', value: 3 }).expect(200)
  const query = { time_of_generation_min: '2026-01-10T00:00:00Z', time_of_generation_max: '2026-01-10T23:59:59Z' }
  const mine = await request(app).get('/portkey/v1/analytics/graphs/feedbacks/scores').query(query).set('x-portkey-api-key', first)
  expect(mine.body.summary).toEqual({ total: 1 })
  const theirs = await request(app).get('/portkey/v1/analytics/graphs/feedbacks/scores').query(query).set('x-portkey-api-key', second)
  expect(theirs.body).toEqual({ summary: { total: 0 }, data_points: [], object: 'analytics-graph' })
  // Feedback on the same trace id from the second tenant does not reach the first tenant's generation.
  await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', second).send({ trace_id: 'shared', value: -3 }).expect(200)
  expect(
    (await request(app).get('/portkey/v1/analytics/graphs/feedbacks/scores').query(query).set('x-portkey-api-key', first)).body.summary,
  ).toEqual({ total: 1 })
  expect(
    (await request(app).get('/portkey/v1/analytics/graphs/feedbacks/scores').query(query).set('x-portkey-api-key', second)).body.summary,
  ).toEqual({ total: 0 })
})
