import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createRecordingProxy } from '../../src/recordings/recording-proxy.ts'
import type { RecordingDocument } from '../../src/recordings/recording-document.ts'
import { REPLAY_HEADER } from '../../src/recordings/replay.ts'
import { createTestEmulator } from '../helpers/create-test-emulator.ts'
import { startFakePortkey } from './fake-upstream.ts'

// A Portkey key has no recognisable shape: only knowing it as the request's own key scrubs it.
const KEY = 'PkLiveKey0123456789abcdefXYZ'
const SK_IN_TEXT = 'sk-live1234567890abcdef'
const METADATA_SECRET = 'abc-not-a-pattern-secret'
const WINDOW = 'time_of_generation_min=2026-01-01T00:00:00Z&time_of_generation_max=2026-02-01T00:00:00Z'

type Exchange = { method: string; path: string; body?: unknown; status: number; responseBody: unknown; contentType: string | null }

let dir: string
let out: string
const session: Exchange[] = []
/** What the recorder printed (its log lines land in CI logs). */
const logLines: string[] = []

/** Records a short Portkey session through the proxy, against the fake upstream. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-record-'))
  out = join(dir, 'session.json')
  const upstream = await startFakePortkey()
  const proxy = await createRecordingProxy({ vendor: 'portkey', target: upstream.url, out, port: 0, log: (line) => logLines.push(line) })
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${proxy.url}${path}`, {
      method,
      headers: { 'x-portkey-api-key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    session.push({
      method,
      path,
      ...(body === undefined ? {} : { body }),
      status: res.status,
      responseBody: await res.json(),
      contentType: res.headers.get('content-type'),
    })
  }
  const scores = `/v1/analytics/graphs/feedbacks/scores?${WINDOW}&workspace_slug=default&api_key=${METADATA_SECRET}`
  await call('GET', scores)
  await call('POST', '/v1/feedback', {
    trace_id: 'trace-1',
    value: 1,
    metadata: { note: `reach me with ${SK_IN_TEXT}`, api_key: METADATA_SECRET },
  })
  await call('GET', scores)
  // The emulator's own prefix is accepted too, so a client set up for the emulator only changes the port.
  await call('PUT', '/portkey/v1/feedback/does-not-exist', { value: 2 })
  await call('POST', '/v1/feedback', { trace_id: 'trace-2', value: 11 })
  // Forwarded, but not recorded: no operation of specs/portkey.yaml has this path, so it could not be replayed.
  await call('GET', '/v1/not-an-endpoint')
  await proxy.close()
  await upstream.close()
  expect(upstream.seen).toHaveLength(6)
  // Issue 13, case 12: the printed query is scrubbed too.
  expect(logLines.join('\n')).toContain('api_key=%5Bscrubbed%5D')
  expect(logLines.join('\n')).not.toContain(METADATA_SECRET)
  // The upstream got the real key and the unscrubbed body: scrubbing only affects what is written.
  expect(upstream.seen[1]?.headers['x-portkey-api-key']).toBe(KEY)
  expect(upstream.seen[1]?.body).toContain(SK_IN_TEXT)
  expect(upstream.seen[3]?.url).toBe('/v1/feedback/does-not-exist')
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

test('the proxy answers the client with what the upstream answered', () => {
  expect(session.map((e) => e.status)).toEqual([200, 200, 200, 404, 400, 404])
  expect(session[1]?.responseBody).toMatchObject({ status: 'success', message: `Feedback saved for key ${KEY}` })
  expect(session[2]?.responseBody).toMatchObject({ summary: { total: 1 } })
})

test('the recording holds each interaction, and no key or auth header', async () => {
  const text = await readFile(out, 'utf8')
  for (const secret of [KEY, SK_IN_TEXT, METADATA_SECRET]) expect(text).not.toContain(secret)
  expect(text.toLowerCase()).not.toContain('x-portkey-api-key')
  const doc = JSON.parse(text) as RecordingDocument
  const recordings = doc.recordings ?? []
  expect(recordings.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
    'GET /v1/analytics/graphs/feedbacks/scores 200',
    'POST /v1/feedback 200',
    'GET /v1/analytics/graphs/feedbacks/scores 200',
    'PUT /v1/feedback/does-not-exist 404',
    'POST /v1/feedback 400',
  ])
  expect(recordings[0]?.query).toEqual({
    time_of_generation_min: '2026-01-01T00:00:00Z',
    time_of_generation_max: '2026-02-01T00:00:00Z',
    workspace_slug: 'default',
    api_key: '[scrubbed]',
  })
  expect(recordings[1]?.requestBody).toEqual({
    trace_id: 'trace-1',
    value: 1,
    metadata: { note: 'reach me with [scrubbed]', api_key: '[scrubbed]' },
  })
  expect(recordings[1]?.responseBody).toMatchObject({ message: 'Feedback saved for key [scrubbed]' })
  expect(recordings[1]?.responseHeaders).toEqual({ 'content-type': 'application/json; charset=utf-8', 'x-portkey-request-id': 'req-1' })
  expect(recordings.every((r) => r.vendor === 'portkey' && typeof r.recordedAt === 'string')).toBe(true)
})

test('replay serves the recorded session: status, content type and body, with any key', async () => {
  const emulator = await createTestEmulator({ replay: { files: [out] } })
  const recorded = (JSON.parse(await readFile(out, 'utf8')) as RecordingDocument).recordings ?? []
  const scores = `/portkey/v1/analytics/graphs/feedbacks/scores?api_key=another-${METADATA_SECRET}&workspace_slug=default&${WINDOW}`
  const replay = async (method: 'get' | 'post' | 'put', path: string, body?: unknown) => {
    const req = request(emulator.app)[method](path).set('x-portkey-api-key', 'a-different-key')
    return body === undefined ? req : req.send(body as object)
  }
  // Identical requests are answered in their recorded order.
  const first = await replay('get', scores)
  expect(first.status).toBe(200)
  expect(first.body).toEqual(session[0]?.responseBody)
  expect(first.headers[REPLAY_HEADER]).toBe(`${out}#0`)
  const created = await replay('post', '/portkey/v1/feedback', {
    trace_id: 'trace-1',
    value: 1,
    metadata: { api_key: 'other', note: 'reach me with sk-other1234567890' },
  })
  expect(created.status).toBe(200)
  expect(created.text).toBe(JSON.stringify(recorded[1]?.responseBody))
  expect(created.headers['content-type']).toBe(session[1]?.contentType)
  expect(created.headers['x-portkey-request-id']).toBe('req-1')
  const second = await replay('get', scores)
  expect(second.body).toEqual(session[2]?.responseBody)
  expect((await replay('get', scores)).body).toEqual(session[2]?.responseBody)
  // Error answers replay as recorded, including a request the spec itself rejects.
  const missing = await replay('put', '/portkey/v1/feedback/does-not-exist', { value: 2 })
  expect([missing.status, missing.body]).toEqual([404, session[3]?.responseBody])
  const invalid = await replay('post', '/portkey/v1/feedback', { value: 11, trace_id: 'trace-2' })
  expect([invalid.status, invalid.body]).toEqual([400, session[4]?.responseBody])
  // reset() starts the recorded sequences over.
  await emulator.reset()
  expect((await replay('get', scores)).body).toEqual(session[0]?.responseBody)
})

test('an unmatched request falls back to the stateful emulator', async () => {
  const emulator = await createTestEmulator({ replay: { files: [out] } })
  const res = await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'k').send({ trace_id: 'trace-1', value: 2 })
  expect(res.headers[REPLAY_HEADER]).toBeUndefined()
  expect(res.body).not.toEqual({ type: 'https://llm-feedback-emulator.local/problems/no-recorded-interaction' })
  const control = await request(emulator.app).get('/__emulator/health')
  expect(control.status).toBe(200)
})

test('--replay-strict answers an unmatched request with a JSON 404 that names the difference', async () => {
  const emulator = await createTestEmulator({ replay: { files: [out], strict: true } })
  const sent = { trace_id: 'trace-1', value: 2, metadata: { note: 'reach me with [scrubbed]', api_key: 'x' } }
  const differentBody = await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'k').send(sent)
  expect(differentBody.status).toBe(404)
  expect(differentBody.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(differentBody.body).toMatchObject({
    type: 'https://llm-feedback-emulator.local/problems/no-recorded-interaction',
    status: 404,
    request: { vendor: 'portkey', path: '/v1/feedback', body: { ...sent, metadata: { ...sent.metadata, api_key: '[scrubbed]' } } },
  })
  expect(differentBody.body.detail).toContain('the closest (')
  expect(differentBody.body.detail).toContain('$.recordings[1]): body $.value was recorded as 1, the request has 2')

  const notRecorded = await request(emulator.app).get('/portkey/v1/analytics/graphs/feedbacks/weighted').set('x-portkey-api-key', 'k')
  expect(notRecorded.status).toBe(404)
  expect(notRecorded.body.detail).toContain('nothing was recorded for portkey GET /v1/analytics/graphs/feedbacks/weighted')

  const differentQuery = await request(emulator.app)
    .get(`/portkey/v1/analytics/graphs/feedbacks/scores?${WINDOW}&workspace_slug=other`)
    .set('x-portkey-api-key', 'k')
  expect(differentQuery.status).toBe(404)
  expect(differentQuery.body.detail).toContain('query $.api_key was recorded as ["[scrubbed]"], the request has nothing')
  // The control API is never replayed.
  expect((await request(emulator.app).get('/__emulator/health')).status).toBe(200)
})
