import request from 'supertest'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createApp } from '../../../src/app.ts'
import { createCompletionEngine } from '../../../src/completions/index.ts'
import type { Emulator } from '../../../src/emulator.ts'
import { createPulzeVendor } from '../../../src/vendors/pulze/index.ts'
import { createTestEmulator, freshKey } from '../../helpers/create-test-emulator.ts'
import { logId, NOW, sampleLogs } from './helpers.ts'

let emulator: Emulator
let key: string
const DATE_FROM = '2020-01-01T00:00:00Z'

beforeAll(async () => {
  emulator = await createTestEmulator({ now: () => NOW })
  key = freshKey('pulze')
  await emulator.seed({ pulze: [{ apiKey: key, logs: sampleLogs() }] } as never)
})
afterAll(() => emulator.close())

const auth = (k = key) => ({ Authorization: `Bearer ${k}` })
const api = () => request(emulator.app)
const list = (body: unknown, query = '', k = key) =>
  api()
    .post(`/pulze/v1/logs${query}`)
    .set(auth(k))
    .send(body as object)

/** A key with its own copy of the sample app, for tests that write. */
async function freshApp(): Promise<string> {
  const k = freshKey('pulze')
  await emulator.seed({ pulze: [{ apiKey: k, logs: sampleLogs() }] } as never)
  return k
}

test('rating round trip: rate, get, list, re-rate, reset with {}', async () => {
  const k = await freshApp()
  const id = logId('a')
  const rated = await api().post(`/pulze/v1/logs/${id}/rating`).set(auth(k)).send({ good_answer: true, feedback: 'correct' })
  expect(rated.status).toBe(200)
  expect(rated.body).toMatchObject({ id, good_answer: true, feedback: 'correct', prompt: 'What is the capital of France?' })
  expect(Object.keys(rated.body).slice(0, 4)).toEqual(['conversation_id', 'parent_request_id', 'good_answer', 'feedback'])

  const got = await api().get(`/pulze/v1/logs/${id}`).set(auth(k))
  expect(got.status).toBe(200)
  expect(got.body).toEqual(rated.body)

  const listed = await list({ date_from: DATE_FROM, query: 'capital of France' }, '', k)
  expect(listed.body.items).toHaveLength(1)
  expect(listed.body.items[0]).toMatchObject({ id, good_answer: true, feedback: 'correct' })

  const rerated = await api().post(`/pulze/v1/logs/${id}/rating`).set(auth(k)).send({ good_answer: false })
  expect(rerated.body).toMatchObject({ good_answer: false, feedback: '' })

  const reset = await api().post(`/pulze/v1/logs/${id}/rating`).set(auth(k)).send({})
  expect(reset.status).toBe(200)
  expect(reset.body).toMatchObject({ good_answer: null, feedback: '' })
  expect((await api().get(`/pulze/v1/logs/${id}`).set(auth(k))).body).toMatchObject({ good_answer: null, feedback: '' })
})

test('rating reads booleans as pydantic does and keeps null feedback', async () => {
  const k = await freshApp()
  const id = logId('b')
  for (const [sent, expected] of [
    ['yes', true],
    ['OFF', false],
    [1, true],
    [0, false],
    [null, null],
  ] as const) {
    const res = await api().post(`/pulze/v1/logs/${id}/rating`).set(auth(k)).send({ good_answer: sent, feedback: null, ignored: 1 })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ good_answer: expected, feedback: null })
  }
})

test('the whole log object carries every field with its default', async () => {
  const res = await api()
    .get(`/pulze/v1/logs/${logId('d')}`)
    .set(auth())
  expect(res.body).toMatchObject({
    conversation_id: null,
    auth0_id: null,
    good_answer: null,
    feedback: '',
    costs_incurred: true,
    status_code: -1,
    is_test: false,
    is_saved_for_later: false,
    comment_count: 0,
    collections: [],
    parent: null,
    children: [],
    added_on: new Date(NOW.getTime() - 30 * 3_600_000).toISOString(),
    response: { created: NOW.getTime() - 30 * 3_600_000, choices: [{ index: 0, finish_reason: 'stop' }] },
  })
  expect(res.body.app_id).toMatch(/^[0-9a-f-]{36}$/)
})

test('parents and children are filled one level deep; level-3 children are left out', async () => {
  const parent = await api()
    .get(`/pulze/v1/logs/${logId('parent')}`)
    .set(auth())
  expect(parent.body.children.map((c: { id: string }) => c.id)).toEqual([logId('child1')])
  expect(parent.body.children[0]).toMatchObject({ parent: null, children: null })
  const child = await api()
    .get(`/pulze/v1/logs/${logId('child1')}`)
    .set(auth())
  expect(child.body.parent).toMatchObject({ id: logId('parent'), parent: null, children: null })
})

test('privacy level 2 is listed and retrievable with its text masked', async () => {
  const res = await api()
    .get(`/pulze/v1/logs/${logId('masked')}`)
    .set(auth())
  expect(res.status).toBe(200)
  expect(res.body).toMatchObject({ privacy_level: 2, prompt: null, response_text: null, total_tokens: 10 })
  expect(res.body.payload.messages).toEqual([{ role: 'user', content: null }])
  expect(res.body.response.choices[0].message).toEqual({ role: 'assistant', content: null })
  expect(res.body.response.metadata.labels).toEqual({ team: 'support' })
  const listed = await list({ date_from: DATE_FROM, labels: { team: 'support' } })
  expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(logId('masked'))
  const searched = await list({ date_from: DATE_FROM, query: 'secret' })
  expect(searched.body.total).toBe(0)
})

test('privacy level 3 is not retrievable, not rateable and not listed', async () => {
  const id = logId('stealth')
  expect((await api().get(`/pulze/v1/logs/${id}`).set(auth())).body).toEqual({ detail: 'Log not found' })
  const rate = await api().post(`/pulze/v1/logs/${id}/rating`).set(auth()).send({ good_answer: true })
  expect(rate.status).toBe(404)
  const listed = await list({ date_from: DATE_FROM })
  const ids = listed.body.items.map((i: { id: string }) => i.id)
  expect(ids).not.toContain(id)
  expect(ids).not.toContain(logId('child2'))
  expect(listed.body.total).toBe(8)
})

test('tenant isolation: another app sees a 404 exactly like an unknown log', async () => {
  const other = freshKey('pulze-other')
  const foreign = await api()
    .get(`/pulze/v1/logs/${logId('a')}`)
    .set(auth(other))
  const unknown = await api()
    .get(`/pulze/v1/logs/${logId('nope')}`)
    .set(auth())
  expect(foreign.status).toBe(404)
  expect(foreign.body).toEqual(unknown.body)
  expect(
    (
      await api()
        .post(`/pulze/v1/logs/${logId('a')}/rating`)
        .set(auth(other))
        .send({ good_answer: false })
    ).status,
  ).toBe(404)
  expect((await list({ date_from: DATE_FROM }, '', other)).body).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 })
  expect(
    (
      await api()
        .get(`/pulze/v1/logs/${logId('a')}`)
        .set(auth())
    ).body.good_answer,
  ).toBeNull()
})

test('list: default page, newest first, date range', async () => {
  const all = await list({ date_from: DATE_FROM })
  expect(all.status).toBe(200)
  expect(all.body).toMatchObject({ total: 8, page: 1, size: 50, pages: 1 })
  expect(all.body.items[0].id).toBe(logId('a'))
  const stamps = all.body.items.map((i: { timestamp: number }) => i.timestamp)
  expect(stamps).toEqual([...stamps].sort((x, y) => y - x))
  const lastDay = await list({ date_from: new Date(NOW.getTime() - 24 * 3_600_000).toISOString(), date_to: NOW.toISOString() })
  expect(lastDay.body.total).toBe(6)
  const naive = await list({ date_from: '2026-02-28', date_to: '2026-03-01 09:30:00' })
  expect(naive.body.items.map((i: { id: string }) => i.id)).toEqual([
    logId('c'),
    logId('parent'),
    logId('child1'),
    logId('masked'),
    logId('d'),
  ])
})

test('list: pagination edges', async () => {
  expect((await list({ date_from: DATE_FROM }, '?size=100')).body).toMatchObject({ size: 100, total: 8, pages: 1 })
  const last = await list({ date_from: DATE_FROM }, '?size=3&page=3')
  expect(last.body).toMatchObject({ page: 3, size: 3, total: 8, pages: 3 })
  expect(last.body.items).toHaveLength(2)
  const past = await list({ date_from: DATE_FROM }, '?size=3&page=4')
  expect(past.body).toMatchObject({ items: [], page: 4, pages: 3 })
  const tooBig = await list({ date_from: DATE_FROM }, '?size=101')
  expect(tooBig.status).toBe(422)
  expect(tooBig.body).toEqual({
    detail: [
      { type: 'less_than_equal', loc: ['query', 'size'], msg: 'Input should be less than or equal to 100', input: '101', ctx: { le: 100 } },
    ],
  })
})

test('list: labels compare values lower-cased, keys exactly, all must match', async () => {
  const support = await list({ date_from: DATE_FROM, labels: { team: 'SUPPORT' } })
  expect(support.body.items.map((i: { id: string }) => i.id).sort()).toEqual([logId('a'), logId('c'), logId('masked')].sort())
  const both = await list({ date_from: DATE_FROM, labels: { team: 'support', env: 'Staging' } })
  expect(both.body.items.map((i: { id: string }) => i.id)).toEqual([logId('c')])
  expect((await list({ date_from: DATE_FROM, labels: { Team: 'support' } })).body.total).toBe(0)
})

test('list: query is a case-insensitive substring of prompt or response', async () => {
  const prompt = await list({ date_from: DATE_FROM, query: 'TRANSLATE' })
  expect(prompt.body.items.map((i: { id: string }) => i.id)).toEqual([logId('b')])
  const answer = await list({ date_from: DATE_FROM, query: 'paris' })
  expect(answer.body.items.map((i: { id: string }) => i.id)).toEqual([logId('a')])
})

test('list: sorting by params columns, in order, unknown columns ignored', async () => {
  const byTokens = await list({ date_from: DATE_FROM, params: [{ col: 'total_tokens', order: 'desc' }] })
  const tokens = byTokens.body.items.map((i: { total_tokens: number }) => i.total_tokens)
  expect(tokens).toEqual([...tokens].sort((a, b) => b - a))
  const byLatency = await list({
    date_from: DATE_FROM,
    params: [
      { col: 'nonsense', order: 'asc' },
      { col: 'latency', order: 'asc', multiple: true },
    ],
  })
  expect(byLatency.body.items[0].id).toBe(logId('d'))
  const rated = await list({ date_from: DATE_FROM, params: [{ col: 'good_answer', order: 'asc' }] })
  expect(rated.body.items[0].id).toBe(logId('c'))
})

test('422 bodies for bad path, body, JSON and query, in pydantic v2 words', async () => {
  const id = logId('a')
  const cases: [request.Test, unknown][] = [
    [
      api().get('/pulze/v1/logs/12345').set(auth()),
      [
        {
          type: 'uuid_parsing',
          loc: ['path', 'log_id'],
          msg: 'Input should be a valid UUID, invalid length: expected length 32 for simple format, found 5',
          input: '12345',
          ctx: { error: 'invalid length: expected length 32 for simple format, found 5' },
        },
      ],
    ],
    [api().post(`/pulze/v1/logs/${id}/rating`).set(auth()), [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]],
    [
      api().post(`/pulze/v1/logs/${id}/rating`).set(auth()).send([1]),
      [
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: [1],
        },
      ],
    ],
    [
      api()
        .post(`/pulze/v1/logs/${id}/rating`)
        .set(auth())
        .send({ good_answer: 'maybe', feedback: { a: 1 } }),
      [
        {
          type: 'bool_parsing',
          loc: ['body', 'good_answer'],
          msg: 'Input should be a valid boolean, unable to interpret input',
          input: 'maybe',
        },
        { type: 'string_type', loc: ['body', 'feedback'], msg: 'Input should be a valid string', input: { a: 1 } },
      ],
    ],
    [
      api()
        .post(`/pulze/v1/logs/${id}/rating`)
        .set(auth())
        .send({ good_answer: [true], feedback: 5 }),
      [
        { type: 'bool_type', loc: ['body', 'good_answer'], msg: 'Input should be a valid boolean', input: [true] },
        { type: 'string_type', loc: ['body', 'feedback'], msg: 'Input should be a valid string', input: 5 },
      ],
    ],
    [
      api().post(`/pulze/v1/logs/${id}/rating`).set(auth()).set('Content-Type', 'application/json').send('{bad'),
      [
        {
          type: 'json_invalid',
          loc: ['body', 1],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: 'Expecting property name enclosed in double quotes' },
        },
      ],
    ],
    [
      api().post(`/pulze/v1/logs/${id}/rating`).set(auth()).set('Content-Type', 'application/json').send('{"good_answer": true,}'),
      [
        {
          type: 'json_invalid',
          loc: ['body', 21],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: 'Expecting property name enclosed in double quotes' },
        },
      ],
    ],
    [
      api().post('/pulze/v1/logs?page=0&size=abc').set(auth()).send({ query: 'x' }),
      [
        {
          type: 'greater_than_equal',
          loc: ['query', 'page'],
          msg: 'Input should be greater than or equal to 1',
          input: '0',
          ctx: { ge: 1 },
        },
        {
          type: 'int_parsing',
          loc: ['query', 'size'],
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: 'abc',
        },
        { type: 'missing', loc: ['body', 'date_from'], msg: 'Field required', input: { query: 'x' } },
      ],
    ],
    [
      api().post('/pulze/v1/logs?size=0x10').set(auth()).send({ date_from: DATE_FROM }),
      [
        {
          type: 'int_parsing',
          loc: ['query', 'size'],
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: '0x10',
        },
      ],
    ],
    [
      list({ date_from: 'last tuesday', app_ids: ['nope'], labels: { team: 1 }, params: [{ col: 'latency', order: 'up' }], query: 7 }),
      [
        {
          type: 'datetime_from_date_parsing',
          loc: ['body', 'date_from'],
          msg: 'Input should be a valid datetime or date, invalid character in year',
          input: 'last tuesday',
          ctx: { error: 'invalid character in year' },
        },
        {
          type: 'uuid_parsing',
          loc: ['body', 'app_ids', 0],
          msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1',
          input: 'nope',
          ctx: { error: 'invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1' },
        },
        { type: 'string_type', loc: ['body', 'labels', 'team'], msg: 'Input should be a valid string', input: 1 },
        {
          type: 'literal_error',
          loc: ['body', 'params', 0, 'order'],
          msg: "Input should be 'asc' or 'desc'",
          input: 'up',
          ctx: { expected: "'asc' or 'desc'" },
        },
        { type: 'string_type', loc: ['body', 'query'], msg: 'Input should be a valid string', input: 7 },
      ],
    ],
  ]
  for (const [req, detail] of cases) {
    const res = await req
    expect(res.status).toBe(422)
    expect(res.body).toEqual({ detail })
  }
})

test('pydantic is the one validator: what it accepts and ajv would not (a 32-hex UUID, "yes") goes through', async () => {
  const simple = logId('a').replaceAll('-', '').toUpperCase()
  const got = await request(emulator.app).get(`/pulze/v1/logs/${simple}`).set('Authorization', `Bearer ${key}`).expect(200)
  expect(got.body.id).toBe(logId('a'))
  await request(emulator.app)
    .post(`/pulze/v1/logs/${simple}/rating`)
    .set('Authorization', `Bearer ${key}`)
    .send({ good_answer: 'yes' })
    .expect(200)
  const bad = await request(emulator.app)
    .post('/pulze/v1/logs')
    .query({ size: '0x10' })
    .set('Authorization', `Bearer ${key}`)
    .send({ date_from: DATE_FROM })
  expect(bad.status).toBe(422)
  // Every item in pydantic's words: no ajv keyword ("type", "format") leaks into them.
  expect(bad.body.detail).toEqual([expect.objectContaining({ type: 'int_parsing', loc: ['query', 'size'] })])
})

test('401, 404 and 405 bodies', async () => {
  const id = logId('a')
  const none = await api().get(`/pulze/v1/logs/${id}`)
  expect(none.status).toBe(401)
  expect(none.body).toEqual({ detail: 'Not authenticated' })
  expect(none.headers['www-authenticate']).toBe('Bearer')
  const basic = await api().post(`/pulze/v1/logs/${id}/rating`).set('Authorization', 'Basic dTpw').send({})
  expect(basic.status).toBe(401)
  expect(basic.body).toEqual({ detail: 'Not authenticated' })
  const empty = await api().get(`/pulze/v1/logs/not-a-uuid`).set('Authorization', 'Bearer ')
  expect(empty.status).toBe(401)

  const unknown = await api()
    .get(`/pulze/v1/logs/${logId('nope')}`)
    .set(auth())
  expect(unknown.status).toBe(404)
  expect(unknown.body).toEqual({ detail: 'Log not found' })
  const route = await api().get('/pulze/v1/nothing-here')
  expect(route.status).toBe(404)
  expect(route.body).toEqual({ detail: 'Not Found' })

  const getRating = await api().get(`/pulze/v1/logs/${id}/rating`)
  expect(getRating.status).toBe(405)
  expect(getRating.body).toEqual({ detail: 'Method Not Allowed' })
  expect(getRating.headers['allow']).toBe('POST')
  const deleteLog = await api().delete(`/pulze/v1/logs/${id}`).set(auth())
  expect(deleteLog.status).toBe(405)
  expect(deleteLog.headers['allow']).toBe('GET, HEAD')
})

test('a body over 1 MB answers 413, even without a key (FastAPI reads the body before its auth dependency)', async () => {
  const big = { good_answer: true, feedback: 'x'.repeat(1_100_000) }
  const res = await api()
    .post(`/pulze/v1/logs/${logId('a')}/rating`)
    .set(auth())
    .send(big)
  expect(res.status).toBe(413)
  expect(res.body).toEqual({ detail: 'Request Entity Too Large' })
  expect(
    (
      await api()
        .post(`/pulze/v1/logs/${logId('a')}/rating`)
        .send(big)
    ).status,
  ).toBe(413)
})

test('malformed JSON is a 422 even without a key, and a HEAD request is answered like GET', async () => {
  const malformed = await api()
    .post(`/pulze/v1/logs/${logId('a')}/rating`)
    .set('content-type', 'application/json')
    .send('{bad')
  expect(malformed.status).toBe(422)
  expect(malformed.body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 1] })
  const head = await api()
    .head(`/pulze/v1/logs/${logId('a')}`)
    .set(auth())
  expect(head.status).toBe(200)
})

test('a --keys file: unlisted keys get 401, listed keys share their app and appId', async () => {
  const appId = '92bca216-e64c-4bcb-a70a-e2359a6df125'
  const restricted = await createTestEmulator({
    now: () => NOW,
    keys: {
      pulze: [
        { key: 'sk-one', tenant: 'app-1', appId },
        { key: 'sk-two', tenant: 'app-1' },
      ],
    },
  })
  await restricted.seed({ pulze: [{ apiKey: 'sk-one', logs: sampleLogs() }] } as never)
  const bad = await request(restricted.app)
    .get(`/pulze/v1/logs/${logId('a')}`)
    .set('Authorization', 'Bearer sk-unknown')
  expect(bad.status).toBe(401)
  expect(bad.body).toEqual({ detail: 'Could not validate credentials' })
  expect(bad.headers['www-authenticate']).toBe('Bearer')
  const viaOther = await request(restricted.app)
    .get(`/pulze/v1/logs/${logId('a')}`)
    .set('Authorization', 'Bearer sk-two')
  expect(viaOther.status).toBe(200)
  expect(viaOther.body.app_id).toBe(appId)
  const filtered = await request(restricted.app)
    .post('/pulze/v1/logs')
    .set('Authorization', 'Bearer sk-two')
    .send({ date_from: DATE_FROM, app_ids: [appId.toUpperCase()] })
  expect(filtered.body.total).toBe(8)
  const otherApp = await request(restricted.app)
    .post('/pulze/v1/logs')
    .set('Authorization', 'Bearer sk-two')
    .send({ date_from: DATE_FROM, app_ids: [logId('x')] })
  expect(otherApp.body.total).toBe(0)
  await restricted.close()
})

test('legacy mode answers a missing key with FastAPI < 0.122 403s', async () => {
  const legacy = createPulzeVendor({ legacyAuthStatus: true })
  const app = createApp({
    db: emulator.store,
    keys: emulator.keys,
    vendors: [legacy],
    strict: true,
    version: 'test',
    logger: { request: () => {}, error: () => {} },
    vendorOptions: { now: () => NOW, heliconeScoreDelayMs: 0 },
    faults: emulator.faults,
    state: { reset: () => emulator.reset(), seed: (doc) => emulator.seed(doc) },
    completions: createCompletionEngine(),
  })
  const none = await request(app).get(`/pulze/v1/logs/${logId('a')}`)
  expect(none.status).toBe(403)
  expect(none.body).toEqual({ detail: 'Not authenticated' })
  const basic = await request(app)
    .get(`/pulze/v1/logs/${logId('a')}`)
    .set('Authorization', 'Basic dTpw')
  expect(basic.body).toEqual({ detail: 'Invalid authentication credentials' })
  expect(
    (
      await request(app)
        .get(`/pulze/v1/logs/${logId('a')}`)
        .set(auth())
    ).status,
  ).toBe(200)
})

test('a rating is on disk state: /__emulator/state round-trips it', async () => {
  const k = await freshApp()
  await api()
    .post(`/pulze/v1/logs/${logId('c')}/rating`)
    .set(auth(k))
    .send({ good_answer: true, feedback: 'fixed' })
  const state = await api().get(`/__emulator/state?apiKey=${k}`)
  expect(state.status).toBe(200)
  const log = state.body.pulze[0].logs.find((l: { id: string }) => l.id === logId('c'))
  expect(log).toMatchObject({ good_answer: true, feedback: 'fixed' })
  const reseeded = await api().post('/__emulator/seed').send(state.body)
  expect(reseeded.status).toBe(200)
  expect(
    (
      await api()
        .get(`/pulze/v1/logs/${logId('c')}`)
        .set(auth(k))
    ).body,
  ).toMatchObject({ good_answer: true, feedback: 'fixed' })
})
