// Issue 13: small hostile requests that froze the server, lost writes or answered 500. Each case is answered
// as the vendor would, and no request blocks the event loop past the budget (test/helpers/event-loop-budget.ts).
import request from 'supertest'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../src/emulator.ts'
import { freshKey, startTestEmulator } from '../helpers/create-test-emulator.ts'
import { LOOP_BUDGET_MS, measureWithinBudget } from '../helpers/event-loop-budget.ts'

let emulator: Emulator & { url: string }
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())

const post = (path: string, headers: Record<string, string>, body: unknown) => () =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

const helicone = (key: string) => ({ authorization: `Bearer ${key}` })

async function logHeliconeRequest(key: string, model: string): Promise<void> {
  await request(emulator.app)
    .post('/helicone/custom/v1/log')
    .set(helicone(key))
    .send({
      providerRequest: { url: 'https://x', json: { model } },
      providerResponse: { json: {}, status: 200 },
      timing: { startTime: { seconds: 1_700_000_000, milliseconds: 0 }, endTime: { seconds: 1_700_000_001, milliseconds: 0 } },
    })
    .expect(200)
}

test('case 1: a backtracking-prone LIKE against a 5 000-character model is answered within the loop budget', async () => {
  const key = freshKey()
  await logHeliconeRequest(key, 'a'.repeat(5000))
  const filter = { request_response_rmt: { model: { like: '%a%a%a%a%a%a%a%a%a%b' } } }
  const measure = await measureWithinBudget(emulator.url, post('/helicone/v1/request/query', helicone(key), { filter }))
  expect(measure.status).toBe(201)
  expect(JSON.parse(measure.text)).toEqual({ data: [], error: null })
  expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
  const hit = await request(emulator.app)
    .post('/helicone/v1/request/query')
    .set(helicone(key))
    .send({ filter: { request_response_rmt: { model: { ilike: '%A%A%A%' } } } })
    .expect(201)
  expect(hit.body.data).toHaveLength(1)
})

test('case 2: a filter tree nested deep around an invalid leaf gets a bounded 422, fast', async () => {
  for (const depth of [20, 22, 400]) {
    let node: unknown = { request_response_rmt: { model: { nope: 'x' } } }
    for (let i = 0; i < depth; i++) node = { left: node, operator: 'and', right: 'all' }
    for (const body of [
      { filter: node },
      { userFilter: node, timeFilter: { start: 'a', end: 'b' }, dbIncrement: 'day', timeZoneDifference: 0 },
    ]) {
      const path = 'filter' in body ? '/helicone/v1/request/query' : '/helicone/v1/dashboard/scores/query'
      const measure = await measureWithinBudget(emulator.url, post(path, helicone(freshKey()), body))
      expect(measure.status).toBe(422)
      const answer = JSON.parse(measure.text) as { message: string; details: Record<string, { message: string }> }
      expect(answer.message).toBe('Validation Failed')
      const field = Object.keys(answer.details)[0]!
      expect(answer.details[field]!.message).toMatch(/^Could not match the union against any of the items\. Issues: \[/)
      expect(measure.text.length).toBeLessThan(100_000 + JSON.stringify(body).length * 2)
      expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
    }
  }
})

test('case 4: thousands of excess keys on a Helicone body: the first 100 field errors, fast', async () => {
  const body: Record<string, unknown> = { filter: 'all' }
  for (let i = 0; i < 8000; i++) body[`k${i}`] = 1
  const measure = await measureWithinBudget(emulator.url, post('/helicone/v1/request/query', helicone(freshKey()), body))
  expect(measure.status).toBe(422)
  const details = (JSON.parse(measure.text) as { details: Record<string, unknown> }).details
  expect(Object.keys(details)).toHaveLength(100)
  expect(details['requestBody.k0']).toEqual({ message: '"k0" is an excess property and therefore is not allowed', value: 'k0' })
  expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
})

test('case 6: a tsoa-checked field given {"toString": 1} is a 422 field error, not a 500', async () => {
  const id = '2315fc76-3479-4565-a120-4254aebe89e6'
  const rating = await request(emulator.app)
    .post(`/helicone/v1/request/${id}/feedback`)
    .set(helicone(freshKey()))
    .send({ rating: { toString: 1 } })
    .expect(422)
  expect(rating.body).toEqual({
    message: 'Validation Failed',
    details: { 'requestBody.rating': { message: 'invalid boolean value', value: { toString: 1 } } },
  })
  const score = await request(emulator.app)
    .post(`/helicone/v1/request/${id}/score`)
    .set(helicone(freshKey()))
    .send({ scores: { a: { valueOf: 1 } } })
  expect(score.status).toBe(422)
  const offset = await request(emulator.app)
    .post('/helicone/v1/dashboard/scores/query')
    .set(helicone(freshKey()))
    .send({ userFilter: 'all', timeFilter: { start: 'a', end: 'b' }, dbIncrement: 'day', timeZoneDifference: { toString: 1 } })
    .expect(422)
  expect(offset.body.details['requestBody.timeZoneDifference']).toEqual({ message: 'invalid float number', value: { toString: 1 } })
})

test('case 3: Portkey array bodies of 40 000 and 123 000 invalid items: one AB01 line naming the first 20, fast', async () => {
  for (const n of [40_000, 123_000]) {
    const measure = await measureWithinBudget(
      emulator.url,
      post('/portkey/v1/feedback', { 'x-portkey-api-key': freshKey() }, Array(n).fill(1)),
    )
    expect(measure.status).toBe(400)
    const message = (JSON.parse(measure.text) as { data: { message: string; errorCode: string } }).data.message
    expect(message).toMatch(
      /^Request Validation Error: body\[0\] must be object; body\[1\] must be object; .*; body\[19\] must be object; …$/,
    )
    expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
  }
})

test('case 4: /seed with 80 000 invalid tenants and Pulze search with 40 000 invalid params: capped errors, fast', async () => {
  const seed = await measureWithinBudget(emulator.url, post('/__emulator/seed', {}, { portkey: Array(80_000).fill(1) }))
  expect(seed.status).toBe(400)
  const problem = JSON.parse(seed.text) as { errors: { path: string; message: string }[] }
  expect(problem.errors).toHaveLength(100)
  expect(problem.errors[0]).toEqual({ path: '$.portkey[0]', message: 'must be object' })
  expect(seed.blockedMs).toBeLessThan(LOOP_BUDGET_MS)

  const search = await measureWithinBudget(
    emulator.url,
    post('/pulze/v1/logs?page=1&size=10', { authorization: `Bearer ${freshKey()}` }, { params: Array(40_000).fill(1) }),
  )
  expect(search.status).toBe(422)
  const detail = (JSON.parse(search.text) as { detail: { type: string; loc: unknown[] }[] }).detail
  expect(detail).toHaveLength(500)
  expect(detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'date_from'] })
  expect(detail[1]).toMatchObject({ type: 'model_attributes_type', loc: ['body', 'params', 0] })
  expect(search.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
})

const PROTO = '__proto__'
/** An object with an own `__proto__` key, as JSON.parse makes it. */
const withProto = (value: unknown, rest: Record<string, unknown> = {}) => ({
  ...JSON.parse(`{"${PROTO}":${JSON.stringify(value)}}`),
  ...rest,
})

test('case 5: an API key named __proto__ is a tenant like any other, in every vendor and in /seed and /state', async () => {
  await request(emulator.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', PROTO)
    .send({ trace_id: 't-proto', value: 3 })
    .expect(200)
  expect(Object.hasOwn(emulator.store.data.portkey, PROTO)).toBe(true)
  const seeded = await request(emulator.app)
    .post('/__emulator/seed')
    .send({ helicone: [{ apiKey: PROTO, requests: [] }], pulze: [{ apiKey: PROTO, logs: [] }] })
    .expect(200)
  expect(seeded.body.tenants).toEqual({ helicone: 1, pulze: 1 })
  const state = await request(emulator.app).get('/__emulator/state').query({ apiKey: PROTO }).expect(200)
  expect(state.body.portkey[0]).toMatchObject({ apiKey: PROTO, feedback: [{ trace_id: 't-proto', value: 3 }] })
  expect(state.body.helicone[0]).toMatchObject({ apiKey: PROTO, requests: [] })
  expect(state.body.pulze[0]).toMatchObject({ apiKey: PROTO, logs: [] })
  // Another key does not see it.
  const other = await request(emulator.app).get('/__emulator/state').query({ apiKey: freshKey() }).expect(200)
  expect(other.body).toEqual({})
})

test('case 5: metadata, Helicone properties and scores, and Pulze labels named __proto__ are stored, returned and filtered', async () => {
  // Portkey: metadata key of a custom log, and the analytics metadata filter.
  const key = freshKey()
  for (const [trace, metadata] of [
    ['with', withProto('x', { trace_id: 'with' })],
    ['without', { trace_id: 'without' }],
  ] as const) {
    await request(emulator.app)
      .post('/portkey/v1/logs')
      .set('x-portkey-api-key', key)
      .send({
        request: { url: 'https://api.openai.com/v1/chat/completions', body: { model: 'gpt-4o' } },
        response: { status: 200, body: {} },
        metadata,
      })
      .expect(200)
    await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send({ trace_id: trace, value: 1 }).expect(200)
  }
  const stored = (emulator.store.data.portkey[key] as { generations: { metadata: object }[] }).generations
  expect(Object.hasOwn(stored[0]!.metadata, PROTO)).toBe(true)
  const graph = await request(emulator.app)
    .get('/portkey/v1/analytics/graphs/feedbacks/scores')
    .set('x-portkey-api-key', key)
    .query({ time_of_generation_min: '2000-01-01T00:00:00Z', time_of_generation_max: '2100-01-01T00:00:00Z', metadata: `{"${PROTO}":"x"}` })
    .expect(200)
  expect(graph.body.summary).toEqual({ total: 1 })
  const none = await request(emulator.app)
    .get('/portkey/v1/analytics/graphs/feedbacks/scores')
    .set('x-portkey-api-key', key)
    .query({ time_of_generation_min: '2000-01-01T00:00:00Z', time_of_generation_max: '2100-01-01T00:00:00Z', metadata: `{"${PROTO}":"y"}` })
    .expect(200)
  expect(none.body.summary).toEqual({ total: 0 })

  // Helicone: a property header and a score named __proto__.
  const h = freshKey()
  const id = 'a1b2c3d4-0000-4000-8000-000000000001'
  // Scores only reach requests of the last 30 days.
  const now = Math.floor(Date.now() / 1000)
  await request(emulator.app)
    .post('/helicone/custom/v1/log')
    .set(helicone(h))
    .set('Helicone-Request-Id', id)
    .set(`Helicone-Property-${PROTO}`, 'p')
    .send({
      providerRequest: { url: 'https://x', json: { model: 'm' } },
      providerResponse: { json: {}, status: 200 },
      timing: { startTime: { seconds: now, milliseconds: 0 }, endTime: { seconds: now + 1, milliseconds: 0 } },
    })
    .expect(200)
  await request(emulator.app)
    .post('/helicone/custom/v1/log')
    .set(helicone(h))
    .send({
      providerRequest: { url: 'https://x', json: { model: 'm' } },
      providerResponse: { json: {}, status: 200 },
      timing: { startTime: { seconds: now, milliseconds: 0 }, endTime: { seconds: now + 1, milliseconds: 0 } },
    })
  await request(emulator.app)
    .post(`/helicone/v1/request/${id}/score`)
    .set(helicone(h))
    .send({ scores: withProto(7) })
    .expect(201)
  const byProperty = await request(emulator.app)
    .post('/helicone/v1/request/query')
    .set(helicone(h))
    .send({ filter: { request_response_rmt: { properties: withProto({ equals: 'p' }) } } })
    .expect(201)
  expect(byProperty.body.data).toHaveLength(1)
  expect(Object.hasOwn(byProperty.body.data[0].properties, PROTO)).toBe(true)
  expect(byProperty.body.data[0].scores).toEqual(withProto(7))
  const byScore = await request(emulator.app)
    .post('/helicone/v1/request/query')
    .set(helicone(h))
    .send({ filter: { request_response_rmt: { scores: withProto({ equals: '7' }) } } })
    .expect(201)
  expect(byScore.body.data.map((r: { request_id: string }) => r.request_id)).toEqual([id])
  const keys = await request(emulator.app).get('/helicone/v1/evals/scores').set(helicone(h)).expect(200)
  expect(keys.body.data).toEqual([PROTO])

  // Pulze: labels filter.
  const p = freshKey()
  const log = (id: string, labels: object) => ({
    id,
    timestamp: Date.parse('2026-01-01T00:00:00Z'),
    response: { model: 'm', object: 'chat.completion', metadata: { labels } },
  })
  await request(emulator.app)
    .post('/__emulator/seed')
    .send({
      pulze: [
        { apiKey: p, logs: [log('00000000-0000-4000-8000-000000000001', withProto('a')), log('00000000-0000-4000-8000-000000000002', {})] },
      ],
    })
    .expect(200)
  const search = await request(emulator.app)
    .post('/pulze/v1/logs?page=1&size=10')
    .set('authorization', `Bearer ${p}`)
    .send({ date_from: '2025-01-01T00:00:00Z', labels: withProto('A') })
    .expect(200)
  expect(search.body.items.map((l: { id: string }) => l.id)).toEqual(['00000000-0000-4000-8000-000000000001'])
})

test('case 6: Helicone time filters at the edge of the date range are "Invalid time filter", never a 500', async () => {
  const query = (start: string, end: string, dbIncrement: string, timeZoneDifference: number) =>
    request(emulator.app)
      .post('/helicone/v1/dashboard/scores/query')
      .set(helicone(freshKey()))
      .send({ userFilter: 'all', timeFilter: { start, end }, dbIncrement, timeZoneDifference })
  const reported = await query('+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'min', 0.5)
  expect([reported.status, reported.body]).toEqual([200, { data: null, error: 'Invalid time filter' }])
  for (const [start, end, tzd] of [
    ['+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', -0.5],
    ['+275760-09-12T23:00:00.000Z', '+275760-09-13T00:00:00.000Z', -90.5],
    ['-271821-04-20T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', 30.25],
    ['-271821-04-20T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', -30.25],
  ] as const) {
    for (const dbIncrement of ['min', 'hour', 'day', 'week', 'month', 'year']) {
      const res = await query(start, end, dbIncrement, tzd)
      expect(res.status).toBe(200)
      if (res.body.data === null) expect(res.body.error).toBe('Invalid time filter')
      else expect(res.body.error).toBeNull()
    }
  }
})

test("case 6: a manual log whose timing no date can hold is the worker's 400, not a 500", async () => {
  for (const timing of [
    { startTime: { seconds: 1_700_000_000, milliseconds: 0 }, endTime: { seconds: 1e16, milliseconds: 0 } },
    { startTime: { seconds: -1e16, milliseconds: 0 }, endTime: { seconds: 1_700_000_000, milliseconds: 0 } },
    { startTime: { seconds: 1_700_000_000, milliseconds: 1e300 }, endTime: { seconds: 1_700_000_000, milliseconds: 0 } },
  ]) {
    const res = await request(emulator.app)
      .post('/helicone/oai/v1/log')
      .set(helicone(freshKey()))
      .send({ providerRequest: { url: 'https://x', json: { model: 'm' } }, providerResponse: { json: {}, status: 200 }, timing })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatch(/^Invalid log body: timing\.(startTime|endTime) is not a time a date can hold$/)
  }
})

test('case 8: a /state over 1 MB can be posted back to /seed', async () => {
  const key = freshKey()
  const feedback = Array.from({ length: 6000 }, (_, i) => ({
    id: `fb-${i}`,
    trace_id: `trace-${i}`,
    value: 1,
    weight: 1,
    metadata: { note: 'x'.repeat(200) },
    created_at: '2026-01-01T00:00:00.000Z',
  }))
  await emulator.seed({ portkey: [{ apiKey: key, generations: [], feedback }] })
  const state = await request(emulator.app).get('/__emulator/state').query({ apiKey: key }).expect(200)
  expect(state.text.length).toBeGreaterThan(1024 * 1024)
  await emulator.reset({ apiKey: key, empty: true })
  const seeded = await request(emulator.app).post('/__emulator/seed').set('content-type', 'application/json').send(state.text)
  expect([seeded.status, seeded.body.tenants]).toEqual([200, { portkey: 1 }])
  const again = await request(emulator.app).get('/__emulator/state').query({ apiKey: key }).expect(200)
  expect(again.body).toEqual(state.body)
})

test('case 8: a timeAnchor that would move a date past year 9999 is refused at /seed, naming the record', async () => {
  const res = await request(emulator.app)
    .post('/__emulator/seed')
    .send({
      timeAnchor: '0001-01-01T00:00:00.000Z',
      portkey: [
        {
          apiKey: freshKey(),
          feedback: [{ id: 'f', trace_id: 't', value: 1, weight: 1, metadata: {}, created_at: '9999-01-01T00:00:00.000Z' }],
        },
      ],
    })
  expect(res.status).toBe(400)
  expect(res.body.errors).toEqual([
    {
      path: '$.portkey[0].feedback[0].created_at',
      message: expect.stringMatching(/^moved by the timeAnchor: must match format "date-time"/),
    },
  ])
  // A manual log far in the future is refused too, so no state holds a date /seed would not take back.
  const log = await request(emulator.app)
    .post('/helicone/custom/v1/log')
    .set(helicone(freshKey()))
    .send({
      providerRequest: { url: 'https://x', json: {} },
      providerResponse: { json: {}, status: 200 },
      timing: { startTime: { seconds: 3e11, milliseconds: 0 }, endTime: { seconds: 3e11, milliseconds: 0 } },
    })
  expect(log.status).toBe(400)
})

test('case 9: a score or rating that reaches no request stores nothing: no tenant, no pending entry', async () => {
  const unknown = 'b1b2c3d4-0000-4000-8000-000000000009'
  const keys = Array.from({ length: 50 }, () => freshKey())
  for (const key of keys) {
    await request(emulator.app)
      .post(`/helicone/v1/request/${unknown}/score`)
      .set(helicone(key))
      .send({ scores: { a: 1 } })
      .expect(201)
    await request(emulator.app).post(`/helicone/v1/request/${unknown}/feedback`).set(helicone(key)).send({ rating: true }).expect(201)
    await request(emulator.app)
      .post('/helicone/v1/request/not-a-uuid/score')
      .set(helicone(key))
      .send({ scores: { a: 1 } })
      .expect(201)
  }
  for (const key of keys) expect(Object.hasOwn(emulator.store.data.helicone, key)).toBe(false)
  // A tenant that exists keeps no trace of it either.
  const key = freshKey()
  await logHeliconeRequest(key, 'm')
  const before = JSON.stringify(emulator.store.data.helicone[key])
  await request(emulator.app)
    .post(`/helicone/v1/request/${unknown}/score`)
    .set(helicone(key))
    .send({ scores: { a: 1 } })
    .expect(201)
  expect(JSON.stringify(emulator.store.data.helicone[key])).toBe(before)
})

test('case 10: a Portkey graph window of 0000–9999 is a 400 AB01, not 120 000 buckets', async () => {
  const query = { time_of_generation_min: '0000-01-01T00:00:00Z', time_of_generation_max: '9999-12-31T23:59:59Z' }
  for (const graph of ['feedbacks', 'feedbacks/weighted', 'feedbacks/scores', 'feedbacks/ai-models']) {
    const measure = await measureWithinBudget(emulator.url, () =>
      fetch(`${emulator.url}/portkey/v1/analytics/graphs/${graph}?${new URLSearchParams(query)}`, {
        headers: { 'x-portkey-api-key': freshKey() },
      }),
    )
    expect(measure.status).toBe(400)
    expect(JSON.parse(measure.text)).toEqual({
      success: false,
      data: {
        errorCode: 'AB01',
        message:
          'Request Validation Error: the window from query.time_of_generation_min to query.time_of_generation_max holds more than 100000 time buckets',
      },
    })
    expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
  }
  // 8 000 years of months are still answered.
  const res = await request(emulator.app)
    .get('/portkey/v1/analytics/graphs/feedbacks')
    .set('x-portkey-api-key', freshKey())
    .query({ time_of_generation_min: '2000-01-01T00:00:00Z', time_of_generation_max: '2100-01-01T00:00:00Z' })
    .expect(200)
  expect(res.body.data_points).toHaveLength(1201)
})

test('case 12: the request log line never prints a secret from the query', async () => {
  const lines: string[] = []
  const { createTestEmulator } = await import('../helpers/create-test-emulator.ts')
  const logged = await createTestEmulator({ quiet: false, logger: { request: (line) => lines.push(line) } })
  await request(logged.app)
    .get('/portkey/v1/feedback-nope?api_key=plain-secret-123&x=sk-4fQx7Zk2L9mNpR3sT8vW')
    .set('x-portkey-api-key', 'k')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^GET \/portkey\/v1\/feedback-nope\?api_key=%5Bscrubbed%5D&x=\[scrubbed\] 404 /)
})
