// Coverage and HAR (export, and import for replay), in-process.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { expect, test } from 'vitest'
import { createTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'

test('GET /coverage: every operation × declared status of the served vendors, counted; DELETE starts over', async () => {
  const e = await createTestEmulator({ vendor: 'portkey' })
  const empty = (await request(e.app).get('/__emulator/coverage').expect(200)).body
  expect(empty.operations.every((o: { vendor: string }) => o.vendor === 'portkey')).toBe(true)
  expect(empty).toMatchObject({ exercised: 0, percent: 0, undeclared: [] })
  expect(empty.summary).toBe(`0/${empty.total} operation-status pairs exercised (0%)`)

  await request(e.app).post('/v1/feedback').set('x-portkey-api-key', 'k').send({ trace_id: 't', value: 1 }).expect(200)
  await request(e.app).post('/v1/feedback').set('x-portkey-api-key', 'k').send({ trace_id: 't', value: 99 }).expect(400)
  await request(e.app).post('/v1/feedback').send({ trace_id: 't', value: 1 }).expect(401)
  await request(e.app).post('/v1/feedback').set('x-portkey-api-key', 'k').set('prefer', 'code=429').send({}).expect(429)
  await request(e.app).get('/__emulator/health').expect(200)
  const report = (await request(e.app).get('/__emulator/coverage').expect(200)).body
  const feedback = report.operations.find((o: { operationId: string }) => o.operationId === 'createFeedback')
  expect(Object.fromEntries(feedback.statuses.map((s: { status: string; count: number }) => [s.status, s.count]))).toMatchObject({
    '200': 1,
    '400': 1,
    '401': 1,
    '500': 0,
  })
  expect(report.exercised).toBe(3)
  expect(report.undeclared).toEqual([{ vendor: 'portkey', operationId: 'createFeedback', status: 429, count: 1 }])
  expect(e.coverage.get().exercised).toBe(3)
  expect((await request(e.app).delete('/__emulator/coverage').expect(200)).body).toMatchObject({ exercised: 0, undeclared: [] })
})

test('GET /requests.har: HAR 1.2, oldest first, scrubbed, with the emulator fields', async () => {
  const e = await createTestEmulator()
  const key = freshKey('pk')
  await request(e.app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send({ trace_id: 'har-1', value: 1 }).expect(200)
  await request(e.app)
    .get('/portkey/v1/analytics/graphs/feedbacks/scores')
    .query({ time_of_generation_min: '2000-01-01T00:00:00Z', time_of_generation_max: '2100-01-01T00:00:00Z' })
    .set('x-portkey-api-key', key)
    .expect(200)
  const res = await request(e.app).get('/__emulator/requests.har').query({ apiKey: key }).expect(200)
  expect(res.headers['content-disposition']).toMatch(/attachment; filename=".*\.har"/)
  const har = res.body
  expect(har.log).toMatchObject({ version: '1.2', creator: { name: 'llm-feedback-emulator' } })
  const [post, get] = har.log.entries
  expect(post.request).toMatchObject({ method: 'POST', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/portkey\/v1\/feedback$/) })
  expect(JSON.parse(post.request.postData.text)).toEqual({ trace_id: 'har-1', value: 1 })
  expect(post.request.headers).toContainEqual({ name: 'x-portkey-api-key', value: '[scrubbed]' })
  expect(post.response).toMatchObject({ status: 200, statusText: 'OK', content: { mimeType: expect.stringMatching(/json/) } })
  expect(JSON.parse(post.response.content.text)).toMatchObject({ status: 'success' })
  expect(post._emulator).toMatchObject({ vendor: 'portkey', operationId: 'createFeedback' })
  expect(get.request.queryString).toContainEqual({ name: 'time_of_generation_min', value: '2000-01-01T00:00:00Z' })
  expect(new URL(get.request.url).searchParams.get('time_of_generation_max')).toBe('2100-01-01T00:00:00Z')
  expect(Date.parse(post.startedDateTime)).toBeLessThanOrEqual(Date.parse(get.startedDateTime))
  expect(res.text).not.toContain(key)
  expect(e.har({ apiKey: key }).log.entries).toHaveLength(2)
})

test("a HAR file replays: vendor by path, by _emulator or by host (a browser's capture of the real API), secrets scrubbed on import", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'har-import-'))
  const file = join(dir, 'capture.har')
  const entry = (url: string, status: number, response: unknown, extra: Record<string, unknown> = {}) => ({
    startedDateTime: '2026-01-01T00:00:00.000Z',
    time: 12,
    request: {
      method: 'POST',
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [
        { name: 'X-Portkey-Api-Key', value: 'pk-live-0123456789' },
        { name: 'Content-Type', value: 'application/json' },
      ],
      queryString: [],
      postData: {
        mimeType: 'application/json',
        text: JSON.stringify({ trace_id: 'from-har', value: 1, metadata: { key: 'pk-live-0123456789' } }),
      },
      headersSize: -1,
      bodySize: -1,
    },
    response: {
      status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [
        { name: 'Content-Type', value: 'application/json' },
        { name: 'Set-Cookie', value: 'session=abc' },
      ],
      content: { size: 0, mimeType: 'application/json', text: JSON.stringify(response) },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 12, receive: 0 },
    ...extra,
  })
  const recorded = { status: 'success', message: 'from the HAR', feedback_ids: ['1b4e28ba-2fa1-41d2-883f-0016d3cca427'] }
  await writeFile(
    file,
    JSON.stringify({
      log: {
        version: '1.2',
        creator: { name: 'browser', version: '1' },
        entries: [
          entry('https://api.portkey.ai/v1/feedback', 200, recorded),
          entry('https://example.com/analytics', 200, {}),
          entry('http://127.0.0.1:4100/portkey/v1/feedback', 0, {}),
          entry(
            'http://127.0.0.1:4100/portkey/v1/feedback',
            429,
            {},
            { _emulator: { vendor: 'portkey', fault: { id: 'fault-1', kind: 'status' } } },
          ),
        ],
      },
    }),
  )
  const e = await createTestEmulator({ replay: { files: [file], strict: true } })
  const res = await request(e.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', 'another-key-entirely')
    // The app echoes its own key, as it did when captured: both sides are scrubbed before matching.
    .send({ trace_id: 'from-har', value: 1, metadata: { key: 'another-key-entirely' } })
    .expect(200)
  expect(res.body).toEqual(recorded)
  expect(res.headers['x-emulator-replay']).toBe(`${file}#0`)
  expect(res.headers['set-cookie']).toBeUndefined()
  // Replayed answers are journaled (and covered) like any other.
  expect(e.requests({ apiKey: 'another-key-entirely' })[0]).toMatchObject({
    operationId: 'createFeedback',
    status: 200,
    responseBody: recorded,
    responseHeaders: { 'x-emulator-replay': `${file}#0` },
  })
  expect(e.coverage.get().exercised).toBe(1)

  const broken = join(dir, 'broken.har')
  await writeFile(
    broken,
    JSON.stringify({ log: { version: '1.2', entries: [entry('https://api.portkey.ai/v1/feedback', 200, { status: 7 })] } }),
  )
  await expect(createTestEmulator({ replay: { files: [broken] } })).rejects.toThrow(/\$\.log\.entries\[0\] \(as a recording\)/)
  const nothing = join(dir, 'nothing.har')
  await writeFile(nothing, JSON.stringify({ log: { version: '1.2', entries: [entry('https://example.com/x', 200, {})] } }))
  await expect(createTestEmulator({ replay: { files: [nothing] } })).rejects.toThrow(/none of its 1 HAR entries/)
})
