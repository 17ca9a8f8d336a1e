// Fault rules through the control API, and what a client sees when one fires.
import request from 'supertest'
import { afterAll, expect, test } from 'vitest'
import { startTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'

const emulator = await startTestEmulator()
afterAll(() => emulator.close())

const addFault = (rule: unknown) =>
  request(emulator.app)
    .post('/__emulator/faults')
    .send(rule as object)

test('POST /faults → the rule with its id; GET lists remaining and fired; DELETE one, DELETE all', async () => {
  const added = await addFault({ vendor: 'portkey', operationId: 'createFeedback', status: 503, times: 2 }).expect(201)
  expect(added.body).toEqual({
    id: expect.any(String),
    vendor: 'portkey',
    operationId: 'createFeedback',
    status: 503,
    times: 2,
    remaining: 2,
    fired: 0,
  })
  const key = freshKey('pk')
  await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send({ trace_id: 't', value: 1 }).expect(503)
  expect((await request(emulator.app).get(`/__emulator/faults/${added.body.id}`).expect(200)).body).toMatchObject({
    remaining: 1,
    fired: 1,
  })
  const other = await addFault({ path: '/helicone/*', kind: 'reset' }).expect(201)
  expect((await request(emulator.app).get('/__emulator/faults').expect(200)).body.faults.map((f: { id: string }) => f.id)).toEqual([
    other.body.id,
    added.body.id,
  ])
  expect((await request(emulator.app).delete(`/__emulator/faults/${other.body.id}`).expect(200)).body).toEqual({ removed: 1 })
  await request(emulator.app).delete(`/__emulator/faults/${other.body.id}`).expect(404)
  await request(emulator.app).get(`/__emulator/faults/${other.body.id}`).expect(404)
  expect((await request(emulator.app).delete('/__emulator/faults').expect(200)).body).toEqual({ removed: 1 })
  await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send({ trace_id: 't', value: 1 }).expect(200)
})

test('a rule that cannot fire or would change nothing is refused with a problem naming why', async () => {
  const typo = await addFault({ operationId: 'createFeedbak', status: 429 }).expect(400)
  expect(JSON.parse(typo.text).detail).toMatch(/createFeedbak.*not an operation/)
  await addFault({ vendor: 'helicone', operationId: 'createFeedback', status: 429 }).expect(400)
  expect(JSON.parse((await addFault({ vendor: 'portkey' }).expect(400)).text).detail).toMatch(/change nothing/)
  expect(JSON.parse((await addFault({ kind: 'reset', status: 500 }).expect(400)).text).detail).toMatch(/leave status out/)
  await addFault({ status: 700 }).expect(400)
  await addFault({ status: 429, colour: 'red' }).expect(400)
  expect(() => emulator.use({ operationId: 'nope', status: 500 })).toThrow(/nope/)
})

// The bodies chosen for each vendor (specs/emulator.yaml FaultRule), from the vendor notes.
const VENDOR_BODIES: [string, string, Record<string, string>, number, unknown, Record<string, string>?][] = [
  [
    'portkey 429 AB06',
    '/portkey/v1/feedback',
    { 'x-portkey-api-key': 'k' },
    429,
    { success: false, data: { message: 'Rate limit exceeded', errorCode: 'AB06' } },
  ],
  [
    'portkey 500 AB04',
    '/portkey/v1/feedback',
    { 'x-portkey-api-key': 'k' },
    500,
    { success: false, data: { message: 'Internal Server Error', errorCode: 'AB04' } },
  ],
  [
    'portkey 503 (undocumented: AB04 envelope)',
    '/portkey/v1/feedback',
    { 'x-portkey-api-key': 'k' },
    503,
    { success: false, data: { message: 'Service Unavailable', errorCode: 'AB04' } },
  ],
  [
    'helicone 429 (rate limiter)',
    '/helicone/v1/evals/scores',
    { authorization: 'Bearer k' },
    429,
    { error: 'Too many requests, please try again later.' },
  ],
  [
    'helicone 500 (global handler)',
    '/helicone/v1/evals/scores',
    { authorization: 'Bearer k' },
    500,
    { message: 'Internal Server Error', details: 'Internal Server Error' },
  ],
  [
    'helicone 418 (undocumented: a Result error)',
    '/helicone/v1/evals/scores',
    { authorization: 'Bearer k' },
    418,
    { data: null, error: "I'm a Teapot" },
  ],
  [
    'pulze 429 (Starlette HTTPException)',
    '/pulze/v1/logs?page=1&size=1',
    { authorization: 'Bearer k' },
    429,
    { detail: 'Too Many Requests' },
  ],
  ['pulze 500', '/pulze/v1/logs?page=1&size=1', { authorization: 'Bearer k' }, 500, { detail: 'Internal Server Error' }],
  [
    'pulze 401 (with the Bearer challenge)',
    '/pulze/v1/logs?page=1&size=1',
    { authorization: 'Bearer k' },
    401,
    { detail: 'Not authenticated' },
    { 'www-authenticate': 'Bearer' },
  ],
]

for (const [name, path, headers, status, body, extraHeaders] of VENDOR_BODIES) {
  test(`a status fault without a body answers the vendor's own: ${name}`, async () => {
    const method = path.startsWith('/helicone') ? 'get' : 'post'
    const res = await request(emulator.app)[method](path).set(headers).set('prefer', `code=${status}`).send({ trace_id: 't', value: 1 })
    expect(res.status).toBe(status)
    expect(res.body).toEqual(body)
    if (extraHeaders !== undefined) expect(res.headers).toMatchObject(extraHeaders)
  })
}

test('a reset fault is a network error for the client; the journal shows the request and what happened', async () => {
  const key = freshKey('pk')
  await addFault({ operationId: 'createFeedback', apiKey: key, kind: 'reset', times: 1 }).expect(201)
  const sent = fetch(`${emulator.url}/portkey/v1/feedback`, {
    method: 'POST',
    headers: { 'x-portkey-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ trace_id: 'reset-1', value: 1 }),
  })
  await expect(sent).rejects.toThrow(/fetch failed/)
  await expect(sent.catch((e: Error) => (e.cause as { code?: string }).code)).resolves.toMatch(/ECONNRESET|UND_ERR_SOCKET/)
  const [entry] = emulator.requests({ apiKey: key })
  expect(entry).toMatchObject({
    status: null,
    fault: { kind: 'reset' },
    requestBody: { trace_id: 'reset-1', value: 1 },
    error: expect.stringMatching(/reset/),
  })
  expect(emulator.store.data.portkey[key]).toBeUndefined()
})

test('a timeout fault holds the request until the client gives up; delayMs and Prefer: delay add latency', async () => {
  const key = freshKey('pk')
  await addFault({ apiKey: key, kind: 'timeout', times: 1 }).expect(201)
  const held = fetch(`${emulator.url}/portkey/v1/feedback`, {
    method: 'POST',
    headers: { 'x-portkey-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ trace_id: 'held', value: 1 }),
    signal: AbortSignal.timeout(300),
  })
  await expect(held).rejects.toThrow(/abort|timeout/i)
  await expect.poll(() => emulator.requests({ apiKey: key }).length).toBe(1)
  expect(emulator.requests({ apiKey: key })[0]).toMatchObject({
    status: null,
    fault: { kind: 'timeout' },
    error: expect.stringMatching(/until the client gave up/),
  })

  const started = Date.now()
  await request(emulator.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .set('prefer', 'delay=150')
    .send({ trace_id: 'slow', value: 1 })
    .expect(200)
  expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  expect(emulator.requests({ apiKey: key, status: 200 })[0]).toMatchObject({ fault: { id: 'prefer', kind: 'delay' } })
  const both = await request(emulator.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .set('prefer', 'code=502, delay=50')
    .send({})
  expect(both.status).toBe(502)
})

test('probability draws from the seeded generator: the same seed fires on the same requests', async () => {
  const firings = async (seed: number) => {
    const e = await startTestEmulator({ seed })
    try {
      e.faults.add({ operationId: 'getEvalScores', status: 503, probability: 0.5 })
      const statuses: number[] = []
      for (let i = 0; i < 12; i++)
        statuses.push((await request(e.app).get('/helicone/v1/evals/scores').set('authorization', 'Bearer k')).status)
      return statuses
    } finally {
      await e.close()
    }
  }
  const first = await firings(7)
  expect(first).toEqual(await firings(7))
  expect(first).toContain(503)
  expect(first).toContain(200)
})
