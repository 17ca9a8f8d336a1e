// The request journal through the control API (supertest, in-process).
import request from 'supertest'
import { expect, test } from 'vitest'
import { keyHash } from '../../src/control/journal.ts'
import { createTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'

const emulator = await createTestEmulator()

const feedback = (key: string, body: unknown) =>
  request(emulator.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send(body as object)

test('every vendor request is journaled: operation, key hash, scrubbed headers, bodies, status, duration, violations', async () => {
  const key = freshKey('pk')
  await feedback(key, { trace_id: 'journal-1', value: 1, metadata: { echo: key } }).expect(200)
  const res = await request(emulator.app).get('/__emulator/requests').query({ apiKey: key }).expect(200)
  expect(res.body.requests).toHaveLength(1)
  const [entry] = res.body.requests
  expect(entry).toMatchObject({
    id: expect.stringMatching(/^req-\d+$/),
    vendor: 'portkey',
    operationId: 'createFeedback',
    tenant: keyHash(key),
    method: 'POST',
    path: '/portkey/v1/feedback',
    query: {},
    requestBody: { trace_id: 'journal-1', value: 1, metadata: { echo: '[scrubbed]' } },
    status: 200,
    responseBody: { status: 'success', feedback_ids: [expect.any(String)] },
    violations: { request: [], response: [] },
  })
  expect(entry.requestHeaders['x-portkey-api-key']).toBe('[scrubbed]')
  expect(entry.durationMs).toBeGreaterThan(0)
  expect(Date.parse(entry.time)).toBeLessThanOrEqual(Date.now())
  expect(res.text).not.toContain(key)
  expect((await request(emulator.app).get(`/__emulator/requests/${entry.id}`).expect(200)).body).toEqual(entry)
})

test('a refused request keeps its body and its request violations; an unknown route names the spec', async () => {
  const key = freshKey('pk')
  await feedback(key, { trace_id: 'journal-2', value: 11 }).expect(400)
  await request(emulator.app).get('/portkey/v1/nope').set('x-portkey-api-key', key).expect(404)
  await request(emulator.app)
    .post('/pulze/v1/logs/not-a-uuid/rating')
    .set('authorization', `Bearer ${key}`)
    .send({ good_answer: true })
    .expect(422)
  const [pulze, unknown, invalid] = (await request(emulator.app).get('/__emulator/requests').query({ apiKey: key })).body.requests
  expect(invalid).toMatchObject({ status: 400, requestBody: { trace_id: 'journal-2', value: 11 } })
  expect(invalid.violations.request).toEqual([{ location: 'body.value', message: 'must be <= 10' }])
  expect(unknown).toMatchObject({
    operationId: null,
    status: 404,
    violations: { request: [{ location: 'route', message: expect.stringMatching(/specs\/portkey.yaml has no operation/) }] },
  })
  expect(pulze).toMatchObject({
    vendor: 'pulze',
    operationId: 'Logs_rateById',
    status: 422,
    violations: { request: [{ location: 'request', message: 'rejected by pydantic (422)' }] },
  })
})

test('filters, newest first, limit; count with a deep-subset body; DELETE by filter', async () => {
  const [a, b] = [freshKey('pk'), freshKey('pk')]
  await feedback(a, { trace_id: 'X', value: 1 }).expect(200)
  await feedback(a, { trace_id: 'Y', value: 2, metadata: { user: 'u1' } }).expect(200)
  await feedback(b, { trace_id: 'X', value: 3 }).expect(200)
  await request(emulator.app).get('/helicone/v1/evals/scores').set('authorization', `Bearer ${a}`).expect(200)

  const listed = (query: Record<string, string | number>) =>
    request(emulator.app)
      .get('/__emulator/requests')
      .query(query)
      .expect(200)
      .then((r) => r.body.requests.map((e: { requestBody?: { trace_id?: string }; vendor: string }) => e.requestBody?.trace_id ?? e.vendor))
  expect(await listed({ apiKey: a })).toEqual(['helicone', 'Y', 'X'])
  expect(await listed({ apiKey: a, vendor: 'portkey', limit: 1 })).toEqual(['Y'])
  expect(await listed({ apiKey: a, path: '/helicone/*' })).toEqual(['helicone'])
  expect(await listed({ apiKey: a, method: 'GET', status: 200, operationId: 'getEvalScores' })).toEqual(['helicone'])

  const count = (matcher: unknown) =>
    request(emulator.app)
      .post('/__emulator/requests/count')
      .send(matcher as object)
      .expect(200)
      .then((r) => r.body.count)
  expect(await count({ apiKey: a })).toBe(3)
  expect(await count({ operationId: 'createFeedback', body: { trace_id: 'X' }, apiKey: b })).toBe(1)
  expect(await count({ apiKey: a, body: { metadata: { user: 'u1' } } })).toBe(1)
  expect(await count({ apiKey: a, path: '/portkey/v1/feedback', method: 'POST', status: 200, vendor: 'portkey' })).toBe(2)

  expect((await request(emulator.app).delete('/__emulator/requests').query({ apiKey: a, vendor: 'helicone' }).expect(200)).body).toEqual({
    removed: 1,
  })
  expect(await count({ apiKey: a })).toBe(2)
  await request(emulator.app).post('/__emulator/requests/count').send({ nope: 1 }).expect(400)
  await request(emulator.app).get('/__emulator/requests').query({ status: 'x' }).expect(400)
  await request(emulator.app).get('/__emulator/requests/req-999999999').expect(404)
})

test('faulted and Prefer-shortcut requests are journaled with the fault and the body the app sent; they store nothing', async () => {
  const key = freshKey('pk')
  await feedback(key, { trace_id: 'prefer', value: 1 }).set('prefer', 'code=429').expect(429)
  expect(emulator.store.data.portkey[key]).toBeUndefined()
  const [entry] = (await request(emulator.app).get('/__emulator/requests').query({ apiKey: key })).body.requests
  expect(entry).toMatchObject({
    status: 429,
    fault: { id: 'prefer', kind: 'status' },
    requestBody: { trace_id: 'prefer', value: 1 },
    responseBody: { success: false, data: { errorCode: 'AB06' } },
    violations: { request: [], response: [] },
  })
})

test('response violations in non-strict mode are computed read-only from the bytes sent (the store is untouched)', async () => {
  const loose = await createTestEmulator({ strict: false })
  const key = freshKey('sk')
  const logId = '2315fc76-3479-4565-a120-4254aebe89e6'
  await loose.seed({
    pulze: [{ apiKey: key, logs: [{ id: logId, timestamp: 1_700_000_000_000, response: { model: 'm', object: 'chat.completion' } }] }],
  })
  // A stored record the spec no longer allows (as a hand-edited --db file could hold).
  const tenant = loose.store.data.pulze[key] as { logs: Record<string, unknown>[] }
  tenant.logs[0]!['model'] = 42
  const stored = structuredClone(loose.store.data.pulze[key])
  await request(loose.app).get(`/pulze/v1/logs/${logId}`).set('authorization', `Bearer ${key}`).expect(200)
  const [entry] = loose.requests({ apiKey: key })
  expect(entry!.violations.response).toContainEqual({ location: 'response.model', message: 'must be string,null' })
  expect(loose.store.data.pulze[key]).toEqual(stored)

  // Strict mode: the same answer became a 500, and the journal says why.
  const strict = await createTestEmulator()
  await strict.seed({
    pulze: [{ apiKey: key, logs: [{ id: logId, timestamp: 1_700_000_000_000, response: { model: 'm', object: 'chat.completion' } }] }],
  })
  ;(strict.store.data.pulze[key] as { logs: Record<string, unknown>[] }).logs[0]!['model'] = 42
  await request(strict.app).get(`/pulze/v1/logs/${logId}`).set('authorization', `Bearer ${key}`).expect(500)
  const { takeUnexpectedErrors } = await import('../helpers/create-test-emulator.ts')
  expect(takeUnexpectedErrors().join()).toMatch(/violates the spec/)
  const [strictEntry] = strict.requests({ apiKey: key })
  expect(strictEntry).toMatchObject({ status: 500, responseBody: { type: expect.stringMatching(/response-violates-spec/) } })
  expect(strictEntry!.violations.response).toContainEqual({ location: 'response.model', message: 'must be string,null' })
})

test('--journal-size 0: the journal endpoints answer 409 (a count cannot silently be 0), the in-process ones throw', async () => {
  const off = await createTestEmulator({ journalSize: 0 })
  await request(off.app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'k').send({ trace_id: 't', value: 1 }).expect(200)
  const res = await request(off.app).post('/__emulator/requests/count').send({}).expect(409)
  expect(res.headers['content-type']).toMatch(/problem\+json/)
  await request(off.app).get('/__emulator/requests').expect(409)
  await request(off.app).get('/__emulator/requests.har').expect(409)
  expect(() => off.count()).toThrow(/journal is off/)
  // Coverage still counts.
  expect((await request(off.app).get('/__emulator/coverage').expect(200)).body.exercised).toBe(1)
})

test('the journal is bounded by journalSize: the oldest entries go', async () => {
  const small = await createTestEmulator({ journalSize: 2 })
  for (const value of [1, 2, 3]) {
    await request(small.app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'k').send({ trace_id: 't', value }).expect(200)
  }
  expect(small.requests().map((e) => (e.requestBody as { value: number }).value)).toEqual([3, 2])
  expect(small.count()).toBe(2)
})
