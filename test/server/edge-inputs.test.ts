// Inputs that once crashed or misled the emulator (found by an audit): each now gets the vendor's answer.
import { request as httpRequest } from 'node:http'
import { gzipSync } from 'node:zlib'
import request from 'supertest'
import { beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../src/emulator.ts'
import { createTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'

let emulator: Emulator
beforeAll(async () => {
  emulator = await createTestEmulator()
})

const LOG_ID = '2315fc76-3479-4565-a120-4254aebe89e6'
const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

test.each([
  [
    'portkey',
    '/portkey/v1/feedback',
    { 'x-portkey-api-key': 'k' },
    400,
    (b: unknown) => expect(b).toMatchObject({ success: false, data: { errorCode: 'AB01' } }),
  ],
  [
    'helicone',
    '/helicone/v1/request/query',
    { authorization: 'Bearer k' },
    500,
    (b: unknown) => expect(b).toEqual({ message: 'Internal Server Error', details: 'Internal Server Error' }),
  ],
  [
    'pulze',
    '/pulze/v1/logs',
    { authorization: 'Bearer k' },
    400,
    (b: unknown) => expect(b).toEqual({ detail: 'There was an error parsing the body' }),
  ],
  ['control API', '/__emulator/seed', {}, 400, (b: unknown) => expect(b).toMatchObject({ title: 'Malformed JSON', status: 400 })],
] as const)(
  '%s: JSON nested 10,000 deep is a malformed body, not a 500 from a stack overflow',
  async (_name, path, headers, status, check) => {
    const res = await request(emulator.app).post(path).set(headers).set('content-type', 'application/json').send(deepJson(10_000))
    expect(res.status).toBe(status)
    check(JSON.parse(res.text))
  },
)

test('JSON nested 1,000 deep is still read (the limit is past it)', async () => {
  const metadata = JSON.parse('{"a":'.repeat(998) + '1' + '}'.repeat(998)) as object
  await request(emulator.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', freshKey())
    .send({ trace_id: 't', value: 1, metadata })
    .expect(200)
})

test('a body that does not match its Content-Encoding is the vendor malformed-body answer', async () => {
  const plain = JSON.stringify({ trace_id: 't', value: 1 })
  const bad = await request(emulator.app)
    .post('/portkey/v1/feedback')
    .set({ 'x-portkey-api-key': 'k', 'content-type': 'application/json', 'content-encoding': 'gzip' })
    .send(plain)
  expect(bad.status).toBe(400)
  expect(bad.body).toMatchObject({ success: false, data: { errorCode: 'AB01' } })
  const pulze = await request(emulator.app)
    .post('/pulze/v1/logs')
    .set({ authorization: 'Bearer k', 'content-type': 'application/json', 'content-encoding': 'gzip' })
    .send('{"date_from":"2020-01-01T00:00:00Z"}')
  expect(pulze.status).toBe(400)
  // A body that really is gzip is read (through a real socket: supertest would serialize a Buffer as JSON).
  const listening = await createTestEmulator()
  const { url } = await listening.listen(0)
  const good = await fetch(`${url}/portkey/v1/feedback`, {
    method: 'POST',
    headers: { 'x-portkey-api-key': freshKey(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(plain),
  })
  expect(good.status).toBe(200)
  await listening.close()
})

test('portkey: an empty trace_id is refused with 400 AB01 (and so state always seeds back)', async () => {
  const res = await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', freshKey()).send({ trace_id: '', value: 1 })
  expect(res.status).toBe(400)
  expect(res.body).toMatchObject({ success: false, data: { errorCode: 'AB01', message: expect.stringContaining('trace_id') } })
})

test('portkey: month buckets of a window in the year 50 are in the year 50', async () => {
  const res = await request(emulator.app)
    .get('/portkey/v1/analytics/graphs/feedbacks')
    .query({ time_of_generation_min: '0050-01-01T00:00:00Z', time_of_generation_max: '0060-01-01T00:00:00Z' })
    .set('x-portkey-api-key', freshKey())
    .expect(200)
  expect(res.body.data_points).toHaveLength(121)
  expect(res.body.data_points[0]).toEqual({ timestamp: '0050-01-01T00:00:00.000Z', total: 0 })
  expect(res.body.data_points.at(-1)).toEqual({ timestamp: '0060-01-01T00:00:00.000Z', total: 0 })
})

test('helicone: a range that would fill more than 100,000 buckets is answered as a query timeout, not built', async () => {
  const res = await request(emulator.app)
    .post('/helicone/v1/dashboard/scores/query')
    .set('authorization', `Bearer ${freshKey()}`)
    .send({
      userFilter: 'all',
      timeFilter: { start: '1970-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' },
      dbIncrement: 'min',
      timeZoneDifference: 0,
    })
    .expect(200)
  expect(res.body).toEqual({ data: null, error: 'Query timeout. Try a shorter time range or simpler filters.' })
  // 69 days of minutes still fit.
  const fits = await request(emulator.app)
    .post('/helicone/v1/dashboard/scores/query')
    .set('authorization', `Bearer ${freshKey()}`)
    .send({
      userFilter: 'all',
      timeFilter: { start: '2024-01-01T00:00:00Z', end: '2024-03-09T00:00:00Z' },
      dbIncrement: 'min',
      timeZoneDifference: 0,
    })
    .expect(200)
  expect(fits.body.data).toHaveLength(97_921) // 68 days × 1,440 minutes + 1
})

test('helicone: tsoa coerces a one-element array score ([1] → 1), so the score is stored', async () => {
  const key = freshKey()
  const requestId = 'a3d54d0e-2b53-4f3b-9b2a-0d4f5c1e7a11'
  await emulator.seed({ helicone: [{ apiKey: key, requests: [{ request_id: requestId, request_created_at: new Date().toISOString() }] }] })
  await request(emulator.app)
    .post(`/helicone/v1/request/${requestId}/score`)
    .set('authorization', `Bearer ${key}`)
    .send({ scores: { a: [1] } })
    .expect(201, { data: null, error: null })
  const state = await request(emulator.app).get('/__emulator/state').query({ apiKey: key }).expect(200)
  expect(state.body.helicone[0].requests[0].scores).toEqual({ a: 1 })
  void LOG_ID
})

test('request bodies read as body-parser reads them, on the fixed-length fast path and off it (chunked, a charset, a BOM, over the limit)', async () => {
  const listening = await createTestEmulator()
  const { port } = await listening.listen(0)
  const key = freshKey()
  const note = 'é 漢字 ✓'
  const post = (chunks: Buffer[], headers: Record<string, string | number>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/portkey/v1/feedback',
        headers: { 'x-portkey-api-key': key, ...headers },
      })
      req.on('response', (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
      // Written apart, so a multi-byte character arrives split across two chunks.
      for (const chunk of chunks) req.write(chunk)
      req.end()
    })
  const body = (trace: string) => Buffer.from(JSON.stringify({ trace_id: trace, value: 1, metadata: { note } }))
  const split = (bytes: Buffer) => {
    const at = bytes.indexOf(Buffer.from('漢')) + 1
    return [bytes.subarray(0, at), bytes.subarray(at)]
  }
  const fixed = body('fixed')
  expect((await post(split(fixed), { 'content-type': 'application/json', 'content-length': fixed.length })).status).toBe(200)
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body('bom')])
  expect((await post([bom], { 'content-type': 'application/json', 'content-length': bom.length })).status).toBe(200)
  expect((await post(split(body('chunked')), { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })).status).toBe(200)
  const utf8 = body('charset')
  expect((await post([utf8], { 'content-type': 'application/json; charset=utf-8', 'content-length': utf8.length })).status).toBe(200)
  const latin1 = Buffer.from(JSON.stringify({ trace_id: 'latin1', value: 1, metadata: { note: 'é' } }), 'latin1')
  expect((await post([latin1], { 'content-type': 'application/json; charset=latin1', 'content-length': latin1.length })).status).toBe(200)
  const stored = listening.store.data.portkey[key]!.feedback
  expect(Object.fromEntries(stored.map((f) => [f.trace_id, (f.metadata as { note: string }).note]))).toEqual({
    fixed: note,
    bom: note,
    chunked: note,
    charset: note,
    latin1: 'é',
  })
  // Over the 1 MB limit by its declared length: Portkey's 413, whichever way the body comes.
  const big = Buffer.from(JSON.stringify({ trace_id: 'big', value: 1, metadata: { pad: 'x'.repeat(1024 * 1024) } }))
  const tooLarge = await post([big], { 'content-type': 'application/json', 'content-length': big.length })
  expect(tooLarge.status).toBe(413)
  expect((await post([big], { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })).status).toBe(413)
  expect(listening.store.data.portkey[key]!.feedback).toHaveLength(5)
  await listening.close()
})

test('JSON answers written without res.send keep what res.send does for HEAD and conditional GETs (an Express server answers If-None-Match: * with 304)', async () => {
  const path =
    '/portkey/v1/analytics/graphs/feedbacks?time_of_generation_min=2025-01-01T00:00:00Z&time_of_generation_max=2025-01-02T00:00:00Z'
  const key = { 'x-portkey-api-key': freshKey() }
  const plain = await request(emulator.app).get(path).set(key)
  expect(plain.status).toBe(200)
  expect(plain.headers['content-length']).toBe(String(Buffer.byteLength(plain.text)))
  const conditional = await request(emulator.app)
    .get(path)
    .set({ ...key, 'if-none-match': '*' })
  expect(conditional.status).toBe(304)
  expect(conditional.text ?? '').toBe('')
  const head = await request(emulator.app).head(path).set(key)
  expect(head.status).toBe(200)
  expect(head.headers['content-length']).toBe(plain.headers['content-length'])
  expect(head.text ?? '').toBe('')
})
