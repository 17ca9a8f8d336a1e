import { randomUUID } from 'node:crypto'
import request from 'supertest'
import { expect, test } from 'vitest'
import type { Emulator, EmulatorOptions } from '../../../src/emulator.ts'
import { stableUuid } from '../../../src/util/stable-uuid.ts'
import { createTestEmulator, freshKey } from '../../helpers/create-test-emulator.ts'

const NOW = new Date('2024-01-05T12:00:00.000Z')
const RANGE = { start: '2024-01-01T00:00:00.000Z', end: '2024-01-05T12:00:00.000Z' }

async function emulatorAt(options: EmulatorOptions = {}): Promise<Emulator> {
  return createTestEmulator({ now: () => NOW, ...options })
}

function seedRequests(emulator: Emulator, apiKey: string, requests: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return emulator.seed({ helicone: [{ apiKey, requests, ...extra }] })
}

function post(emulator: Emulator, path: string, key: string | null, body?: unknown) {
  const r = request(emulator.app).post(`/helicone${path}`)
  if (key !== null) r.set('Authorization', `Bearer ${key}`)
  return body === undefined ? r : r.send(body as object)
}

function scoresQuery(emulator: Emulator, key: string, overrides: Record<string, unknown> = {}) {
  return post(emulator, '/v1/dashboard/scores/query', key, {
    userFilter: 'all',
    timeFilter: RANGE,
    dbIncrement: 'day',
    timeZoneDifference: 0,
    ...overrides,
  })
}

const dataRows = (body: { data: { score_key: string; score_sum: number; created_at_trunc: string }[] }) =>
  body.data.filter((r) => r.score_key !== '')

test('scores merge into the request: new keys added, the same key overwritten, booleans suffixed, null is false', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const id = randomUUID()
  await seedRequests(e, key, [{ request_id: id, request_created_at: '2024-01-04T10:00:00.000Z' }])
  expect((await post(e, `/v1/request/${id}/score`, key, { scores: { accuracy: 50, passed: true } })).status).toBe(201)
  const second = await post(e, `/v1/request/${id}/score`, key, { scores: { accuracy: 90, fluent: null, count: '5' } })
  expect(second.status).toBe(201)
  expect(second.body).toEqual({ data: null, error: null })
  const read = await post(e, '/v1/request/query', key, { filter: 'all' })
  expect(read.body.data[0].scores).toEqual({ accuracy: 90, 'passed-hcone-bool': 1, 'fluent-hcone-bool': 0, count: 5 })
})

test('a non-integer score is the real 500 and stores nothing; an empty scores object is accepted', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const id = randomUUID()
  await seedRequests(e, key, [{ request_id: id, request_created_at: '2024-01-04T10:00:00.000Z' }])
  const res = await post(e, `/v1/request/${id}/score`, key, { scores: { accuracy: 1, ratio: 0.5 } })
  expect(res.status).toBe(500)
  expect(res.body).toEqual({ message: 'Internal Server Error', details: 'Internal Server Error' })
  expect((await post(e, `/v1/request/${id}/score`, key, { scores: {} })).status).toBe(201)
  expect((await post(e, '/v1/request/query', key, { filter: 'all' })).body.data[0].scores).toEqual({})
})

test('unknown, non-UUID and older-than-30-days request ids are accepted with 201 and change nothing', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const old = randomUUID()
  await seedRequests(e, key, [{ request_id: old, request_created_at: '2023-12-01T10:00:00.000Z' }])
  for (const id of [randomUUID(), 'not-a-uuid', old]) {
    expect((await post(e, `/v1/request/${id}/score`, key, { scores: { a: 1 } })).status).toBe(201)
  }
  expect((await post(e, `/v1/request/${old}/feedback`, key, { rating: true })).status).toBe(201)
  expect((await post(e, '/v1/request/query', key, { filter: 'all' })).body.data[0].scores).toEqual({})
  expect((await request(e.app).get('/helicone/v1/evals/scores').set('Authorization', key)).body).toEqual({ data: [], error: null })
})

test('feedback is the score helicone-score-feedback (1/0, overwritten); a non-UUID id is the real 500 body', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const id = randomUUID()
  await seedRequests(e, key, [{ request_id: id, request_created_at: '2024-01-04T10:00:00.000Z' }])
  expect((await post(e, `/v1/request/${id}/feedback`, key, { rating: true })).status).toBe(201)
  expect((await post(e, `/v1/request/${id}/feedback`, key, { rating: 'false' })).status).toBe(201)
  const read = await post(e, '/v1/request/query', key, { filter: 'all' })
  expect(read.body.data[0]).toMatchObject({ scores: { 'helicone-score-feedback': 0 }, feedback_rating: false })
  const bad = await post(e, '/v1/request/abc/feedback', key, { rating: true })
  expect(bad.status).toBe(500)
  expect(bad.body).toEqual({ data: null, error: 'Invalid requestId: must be a valid UUID' })
})

test("tenants are isolated: one key never sees another key's requests or scores", async () => {
  const e = await emulatorAt()
  const [a, b] = [freshKey(), freshKey()]
  const id = randomUUID()
  await seedRequests(e, a, [{ request_id: id, request_created_at: '2024-01-04T10:00:00.000Z', scores: { accuracy: 80 } }])
  // b scoring a's request changes nothing in a's tenant.
  await post(e, `/v1/request/${id}/score`, b, { scores: { accuracy: 1 } })
  expect(dataRows((await scoresQuery(e, a)).body)).toEqual([
    { created_at_trunc: '2024-01-04T00:00:00.000Z', score_key: 'accuracy', score_sum: 80 },
  ])
  expect(dataRows((await scoresQuery(e, b)).body)).toEqual([])
  expect((await post(e, '/v1/request/query', b, { filter: 'all' })).body.data).toEqual([])
})

test('the scores query answers its checks and query errors as 200 {data: null, error}', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const expectError = async (overrides: Record<string, unknown>, error: RegExp | string) => {
    const res = await scoresQuery(e, key, overrides)
    expect(res.status).toBe(200)
    expect(res.body.data).toBeNull()
    if (typeof error === 'string') expect(res.body.error).toBe(error)
    else expect(res.body.error).toMatch(error)
  }
  await expectError({ timeFilter: { start: '2024-01-02', end: '2024-01-01' } }, 'Invalid time filter')
  await expectError({ timeZoneDifference: 1441 }, 'Invalid time zone difference')
  await expectError({ userFilter: { request_response_rmt: { total_tokens: { gte: 1 } } } }, /total_tokens/)
  await expectError({ userFilter: { request_response_rmt: { scores: { accuracy: { like: '9%' } } } } }, /Illegal type Int64/)
  await expectError({ userFilter: { request_response_rmt: { search_properties: { a: { equals: 'b' } } } } }, /identifier `key`/)
})

test('a filter the real builder throws on is its global 500', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  for (const userFilter of [{ request_response_rmt: {} }, { request_response_rmt: { model: {} } }]) {
    const res = await scoresQuery(e, key, { userFilter })
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ message: 'Internal Server Error', details: 'Internal Server Error' })
  }
})

test("organization_id filters compare with the tenant's organization: stable by default, set per key or fixture", async () => {
  const e = await emulatorAt({
    keys: { helicone: [{ key: 'k-org', organizationId: '7d2c1f0e-5b4a-4c3d-9e8f-1a2b3c4d5e6f' }, { key: 'k-default' }] },
  })
  const requests = [{ request_id: randomUUID(), request_created_at: '2024-01-04T10:00:00.000Z', scores: { a: 1 } }]
  await seedRequests(e, 'k-org', requests)
  await seedRequests(e, 'k-default', requests)
  const byOrg = (key: string, org: string) =>
    scoresQuery(e, key, { userFilter: { request_response_rmt: { organization_id: { equals: org } } } })
  expect(dataRows((await byOrg('k-org', '7D2C1F0E-5B4A-4C3D-9E8F-1A2B3C4D5E6F')).body)).toHaveLength(1)
  expect(dataRows((await byOrg('k-default', stableUuid('helicone:k-default'))).body)).toHaveLength(1)
  expect(dataRows((await byOrg('k-default', '7d2c1f0e-5b4a-4c3d-9e8f-1a2b3c4d5e6f')).body)).toHaveLength(0)
})

test('auth: no header, unknown key, read-only key on POST, write-only key on GET, bare key, lower-case bearer', async () => {
  const e = await emulatorAt({ keys: { helicone: [{ key: 'k-rw' }, { key: 'k-r', permissions: 'r' }, { key: 'k-w', permissions: 'w' }] } })
  const body = { userFilter: 'all', timeFilter: RANGE, dbIncrement: 'day', timeZoneDifference: 0 }
  const missing = await post(e, '/v1/dashboard/scores/query', null, body)
  expect([missing.status, missing.body]).toEqual([401, { error: 'No authorization header', trace: 'isAuthenticated.error' }])
  const unknown = await post(e, '/v1/dashboard/scores/query', 'k-nope', body)
  expect([unknown.status, unknown.body]).toEqual([401, { error: 'No API key found', trace: 'isAuthenticated.error' }])
  const readOnly = await post(e, '/v1/dashboard/scores/query', 'k-r', body)
  expect([readOnly.status, readOnly.body]).toEqual([401, { error: null, trace: 'isAuthenticated.error' }])
  const writeOnly = await request(e.app).get('/helicone/v1/evals/scores').set('Authorization', 'Bearer k-w')
  expect([writeOnly.status, writeOnly.body]).toEqual([401, { error: null, trace: 'isAuthenticated.error' }])
  expect((await request(e.app).get('/helicone/v1/evals/scores').set('Authorization', 'Bearer k-r')).status).toBe(200)
  expect((await request(e.app).post('/helicone/v1/dashboard/scores/query').set('Authorization', 'k-rw').send(body)).status).toBe(200)
  expect((await request(e.app).post('/helicone/v1/dashboard/scores/query').set('Authorization', 'bearer k-rw').send(body)).status).toBe(401)
  // Auth runs before routing on /v1/...: an unknown route without a key is a 401, with a key a 404.
  expect((await request(e.app).post('/helicone/v1/nothing-here')).status).toBe(401)
  expect((await request(e.app).post('/helicone/v1/nothing-here').set('Authorization', 'k-rw')).status).toBe(404)
})

test("422 bodies are tsoa's, message for message", async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const details = async (path: string, body: unknown) => {
    const res = await post(e, path, key, body)
    expect(res.status).toBe(422)
    expect(res.body.message).toBe('Validation Failed')
    return res.body.details as Record<string, { message: string; value?: unknown }>
  }
  const base = { userFilter: 'all', timeFilter: RANGE, dbIncrement: 'day', timeZoneDifference: 0 }
  const { timeZoneDifference: _omit, ...noTz } = base
  expect(await details('/v1/dashboard/scores/query', noTz)).toEqual({
    'requestBody.timeZoneDifference': { message: "'timeZoneDifference' is required" },
  })
  expect(await details('/v1/dashboard/scores/query', { ...base, foo: 1 })).toEqual({
    'requestBody.foo': { message: '"foo" is an excess property and therefore is not allowed', value: 'foo' },
  })
  expect(await details('/v1/dashboard/scores/query', { ...base, timeZoneDifference: 'abc' })).toEqual({
    'requestBody.timeZoneDifference': { message: 'invalid float number', value: 'abc' },
  })
  expect(await details('/v1/dashboard/scores/query', { ...base, timeFilter: { start: 1 } })).toEqual({
    'requestBody.timeFilter.end': { message: "'end' is required" },
    'requestBody.timeFilter.start': { message: 'invalid string value', value: 1 },
  })
  const increment = await details('/v1/dashboard/scores/query', { ...base, dbIncrement: 'minute' })
  expect(increment['requestBody.dbIncrement']?.value).toBe('minute')
  expect(increment['requestBody.dbIncrement']?.message).toBe(
    `Could not match the union against any of the items. Issues: [${['min', 'hour', 'day', 'week', 'month', 'year']
      .map((u) => `{"requestBody.dbIncrement":{"message":"should be one of the following; ['${u}']","value":"minute"}}`)
      .join(',')}]`,
  )
  const leaf = await details('/v1/dashboard/scores/query', { ...base, userFilter: { request: { model: { equals: 'x' } } } })
  expect(leaf['requestBody.userFilter']?.message).toMatch(/^Could not match the union against any of the items\. Issues: \[/)
  expect(leaf['requestBody.userFilter']?.message).toContain(`"'right' is required"`)
  expect(leaf['requestBody.userFilter']?.message).toContain(`should be one of the following; ['all']`)
  // Scores on a score key take text operators only.
  expect(
    Object.keys(
      await details('/v1/dashboard/scores/query', { ...base, userFilter: { request_response_rmt: { scores: { accuracy: { gte: 5 } } } } }),
    ),
  ).toEqual(['requestBody.userFilter'])

  const id = randomUUID()
  expect(await details(`/v1/request/${id}/score`, {})).toEqual({ 'requestBody.scores': { message: "'scores' is required" } })
  expect(Object.keys(await details(`/v1/request/${id}/score`, { scores: { a: 'abc' } }))).toEqual(['requestBody.scores.a'])
  expect(await details(`/v1/request/${id}/feedback`, { rating: 1 })).toEqual({
    'requestBody.rating': { message: 'invalid boolean value', value: 1 },
  })
  expect(await details(`/v1/request/${id}/feedback`, { rating: true, x: 1 })).toEqual({
    requestBody: { message: '"x" is an excess property and therefore is not allowed', value: { x: 1 } },
  })
  const empty = await post(e, `/v1/request/${id}/feedback`, key)
  expect([empty.status, empty.body]).toEqual([
    422,
    { message: 'Validation Failed', details: { requestBody: { message: "'requestBody' is required" } } },
  ])
})

test('coercion as tsoa does it: numeric strings and "true" strings are accepted', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const res = await scoresQuery(e, key, { timeZoneDifference: '300', userFilter: { request_response_rmt: { latency: { gte: '10' } } } })
  expect(res.status).toBe(200)
  expect(res.body.error).toBeNull()
  expect(res.body.data[0].created_at_trunc).toBe('2023-12-31T05:00:00.000Z')
})

test('with --helicone-score-delay-ms, a score becomes visible only after the delay', async () => {
  let now = NOW.getTime()
  const e = await createTestEmulator({ now: () => new Date(now), heliconeScoreDelayMs: 600_000 })
  const key = freshKey()
  const id = randomUUID()
  await seedRequests(e, key, [{ request_id: id, request_created_at: '2024-01-05T10:00:00.000Z' }])
  expect((await post(e, `/v1/request/${id}/score`, key, { scores: { accuracy: 70 } })).status).toBe(201)
  expect(dataRows((await scoresQuery(e, key)).body)).toEqual([])
  // The pending score is part of the state (so a restart keeps it).
  const state = await request(e.app).get(`/__emulator/state?apiKey=${key}`)
  expect(state.body.helicone[0].pendingScores).toHaveLength(1)
  now += 600_000
  expect(dataRows((await scoresQuery(e, key)).body)).toEqual([
    { created_at_trunc: '2024-01-05T00:00:00.000Z', score_key: 'accuracy', score_sum: 70 },
  ])
})

test('/v1/request/query: filter, isScored, sort, limit and offset', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const ids: string[] = [randomUUID(), randomUUID(), randomUUID()]
  await seedRequests(e, key, [
    { request_id: ids[0], request_created_at: '2024-01-01T10:00:00.000Z', model: 'gpt-4o', latency: 300, scores: { a: 1 } },
    { request_id: ids[1], request_created_at: '2024-01-02T10:00:00.000Z', model: 'gpt-4o', latency: 100 },
    { request_id: ids[2], request_created_at: '2024-01-03T10:00:00.000Z', model: 'claude', latency: null },
  ])
  const query = async (body: Record<string, unknown>) => {
    const res = await post(e, '/v1/request/query', key, { filter: 'all', ...body })
    expect(res.status).toBe(201)
    return (res.body.data as { request_id: string }[]).map((r) => ids.indexOf(r.request_id))
  }
  expect(await query({})).toEqual([2, 1, 0])
  expect(await query({ sort: { created_at: 'asc' } })).toEqual([0, 1, 2])
  expect(await query({ sort: { latency: 'asc' } })).toEqual([1, 0, 2])
  expect(await query({ limit: 1, offset: 1 })).toEqual([1])
  expect(await query({ isScored: true })).toEqual([0])
  expect(await query({ isScored: false })).toEqual([2, 1])
  expect(await query({ filter: { request_response_rmt: { model: { equals: 'gpt-4o' } } } })).toEqual([1, 0])
  const failed = await post(e, '/v1/request/query', key, { filter: { request_response_rmt: { node_id: { equals: 'x' } } } })
  expect(failed.status).toBe(500)
  expect(failed.body.data).toBeNull()
})

test('the logging routes store a request from the headers and the bodies', async () => {
  const e = await emulatorAt()
  const key = freshKey()
  const id = randomUUID()
  const res = await request(e.app)
    .post('/helicone/anthropic/v1/log')
    .set('Authorization', `Bearer ${key}`)
    .set('Helicone-Request-Id', id)
    .set('Helicone-User-Id', 'u-1')
    .set('Helicone-Property-Session', 's-9')
    .send({
      providerRequest: { url: 'https://api.anthropic.com/v1/messages', json: { model: 'claude-3-5-haiku', messages: [] }, meta: {} },
      providerResponse: { json: { usage: { input_tokens: 11, output_tokens: 7 } }, status: 200, headers: {} },
      timing: {
        startTime: { seconds: 1704448800, milliseconds: 250 },
        endTime: { seconds: 1704448801, milliseconds: 500 },
        timeToFirstToken: 400,
      },
    })
  expect(res.status).toBe(200)
  expect(res.headers['helicone-id']).toBe(id)
  const [row] = (await post(e, '/v1/request/query', key, { filter: 'all' })).body.data
  expect(row).toMatchObject({
    request_id: id,
    request_created_at: '2024-01-05T10:00:00.250Z',
    response_created_at: '2024-01-05T10:00:01.500Z',
    provider: 'ANTHROPIC',
    model: 'claude-3-5-haiku',
    request_user_id: 'u-1',
    delay_ms: 1250,
    time_to_first_token: 400,
    prompt_tokens: 11,
    completion_tokens: 7,
    properties: { session: 's-9' },
    target_url: 'https://api.anthropic.com/v1/messages',
  })
  const bad = await request(e.app).post('/helicone/custom/v1/log').set('Authorization', key).send({ nope: true })
  expect(bad.status).toBe(400)
  expect(bad.body.error).toMatch(/providerRequest/)
})
