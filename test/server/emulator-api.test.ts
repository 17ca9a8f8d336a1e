// createEmulator()'s test-friendly surface: reset to the startup fixtures, MSW-style overrides, listen/close.
import { request as httpRequest } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { expect, test } from 'vitest'
import { createTestEmulator, freshKey, startTestEmulator } from '../helpers/create-test-emulator.ts'

const NOW = new Date('2026-02-01T00:00:00.000Z')
const FIXTURE_KEY = 'pk-fixture'
const FIXTURE = {
  timeAnchor: '2026-01-01T00:00:00.000Z',
  portkey: [
    {
      apiKey: FIXTURE_KEY,
      generations: [],
      feedback: [{ id: 'f-1', trace_id: 't', value: 5, weight: 1, metadata: {}, created_at: '2025-12-31T00:00:00.000Z' }],
    },
  ],
}
const portkeyKey = (key: string) => ({ 'x-portkey-api-key': key })
const feedbackOf = (emulator: { store: { data: { portkey: Record<string, unknown> } } }, tenant: string) =>
  (emulator.store.data.portkey[tenant] as { feedback: { id: string }[] } | undefined)?.feedback.map((f) => f.id)

test('reset() returns to the startup fixtures (anchored to now); reset({ empty: true }) empties everything', async () => {
  const emulator = await createTestEmulator({ fixtures: [FIXTURE], now: () => NOW })
  const other = freshKey()
  for (const key of [FIXTURE_KEY, other]) {
    await request(emulator.app).post('/portkey/v1/feedback').set(portkeyKey(key)).send({ trace_id: 't', value: 1 }).expect(200)
  }
  expect(feedbackOf(emulator, FIXTURE_KEY)).toHaveLength(2)
  expect(await emulator.reset()).toEqual({ removed: 2, restored: 1 })
  expect(feedbackOf(emulator, FIXTURE_KEY)).toEqual(['f-1'])
  expect(feedbackOf(emulator, other)).toBeUndefined()
  expect((emulator.store.data.portkey[FIXTURE_KEY] as { feedback: { created_at: string }[] }).feedback[0]!.created_at).toBe(
    '2026-01-31T00:00:00.000Z',
  )
  expect(await emulator.reset({ empty: true })).toEqual({ removed: 1, restored: 0 })
  expect(emulator.store.data.portkey).toEqual({})
})

test('reset of one key restores only that tenant; POST /__emulator/reset does the same', async () => {
  const emulator = await createTestEmulator({ fixtures: [FIXTURE], now: () => NOW })
  const other = freshKey()
  for (const key of [FIXTURE_KEY, other]) {
    await request(emulator.app).post('/portkey/v1/feedback').set(portkeyKey(key)).send({ trace_id: 't', value: 1 }).expect(200)
  }
  await request(emulator.app).post('/__emulator/reset').query({ apiKey: FIXTURE_KEY }).expect(200, {
    status: 'ok',
    apiKey: FIXTURE_KEY,
    removed: 1,
    restored: 1,
  })
  expect(feedbackOf(emulator, FIXTURE_KEY)).toEqual(['f-1'])
  expect(feedbackOf(emulator, other)).toHaveLength(1)
  await request(emulator.app).post('/__emulator/reset').query({ empty: 'true' }).expect(200, { status: 'ok', removed: 2, restored: 0 })
})

test('reset re-reads fixture files: an edited fixture is what the next reset loads', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'emulator-reset-'))
  const file = join(folder, 'fixture.json')
  await writeFile(file, JSON.stringify(FIXTURE))
  const emulator = await createTestEmulator({ fixtures: [file], now: () => NOW })
  const edited = structuredClone(FIXTURE)
  edited.portkey[0]!.feedback[0]!.id = 'f-2'
  await writeFile(file, JSON.stringify(edited))
  await emulator.reset()
  expect(feedbackOf(emulator, FIXTURE_KEY)).toEqual(['f-2'])
  await writeFile(file, '{"portkey": [{"apiKey": 1}]}')
  await expect(emulator.reset()).rejects.toThrow(/apiKey/)
  expect(feedbackOf(emulator, FIXTURE_KEY)).toEqual(['f-2'])
  await rm(folder, { recursive: true })
})

test("use(): an override answers in the vendor's own words, counts down, changes no state; resetOverrides() drops it", async () => {
  const emulator = await createTestEmulator()
  const key = freshKey()
  const [held] = emulator.use({ operationId: 'createFeedback', status: 429, times: 1 })
  expect(held).toMatchObject({ operationId: 'createFeedback', status: 429, remaining: 1, fired: 0 })
  const limited = await request(emulator.app).post('/portkey/v1/feedback').set(portkeyKey(key)).send({ trace_id: 't', value: 1 })
  expect(limited.status).toBe(429)
  expect(limited.body).toEqual({ success: false, data: { message: 'Rate limit exceeded', errorCode: 'AB06' } })
  expect(emulator.store.data.portkey[key]).toBeUndefined()
  await request(emulator.app).post('/portkey/v1/feedback').set(portkeyKey(key)).send({ trace_id: 't', value: 1 }).expect(200)

  emulator.use({
    method: 'GET',
    path: '/pulze/v1/logs/*',
    reply: { status: 503, body: { detail: 'maintenance' }, headers: { 'retry-after': '1' } },
  })
  const down = await request(emulator.app).get('/pulze/v1/logs/2315fc76-3479-4565-a120-4254aebe89e6').set('authorization', 'Bearer k')
  expect([down.status, down.body, down.headers['retry-after']]).toEqual([503, { detail: 'maintenance' }, '1'])
  emulator.resetOverrides()
  await request(emulator.app).get('/pulze/v1/logs/2315fc76-3479-4565-a120-4254aebe89e6').set('authorization', 'Bearer k').expect(404)
  expect(() => emulator.use({ operationId: 'createFeedback', status: 99 } as never)).toThrow(/status/)
})

test('use({ delayMs }) adds latency and then serves normally', async () => {
  const emulator = await createTestEmulator()
  emulator.use({ vendor: 'helicone', delayMs: 150 })
  const started = Date.now()
  await request(emulator.app).get('/helicone/v1/evals/scores').set('authorization', 'Bearer k').expect(200)
  expect(Date.now() - started).toBeGreaterThanOrEqual(140)
})

test('listen() twice refuses instead of leaking the first server; close() frees the port; await using closes', async () => {
  const emulator = await startTestEmulator()
  await expect(emulator.listen(0)).rejects.toThrow(/already listening/)
  await request(emulator.url).get('/__emulator/health').expect(200)
  await emulator.close()
  const { url } = await emulator.listen(0)
  let disposedUrl: string
  {
    await using scoped = emulator
    disposedUrl = url
    await request(scoped.app).get('/__emulator/health').expect(200)
  }
  await expect(fetch(`${disposedUrl}/__emulator/health`)).rejects.toThrow()
})

test('an empty chunked body and an empty fixed-length body mean the same: no body', async () => {
  const emulator = await startTestEmulator()
  const { hostname, port } = new URL(emulator.url)
  const send = (path: string, headers: Record<string, string>, chunked: boolean) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          hostname,
          port,
          path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...headers,
            ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': '0' }),
          },
        },
        (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        },
      )
      req.on('error', reject)
      req.end()
    })
  for (const [path, headers] of [
    ['/portkey/v1/feedback', { 'x-portkey-api-key': 'k' }],
    ['/helicone/v1/request/query', { authorization: 'Bearer k' }],
    ['/pulze/v1/logs', { authorization: 'Bearer k' }],
    ['/__emulator/seed', {}],
  ] as const) {
    const chunked = await send(path, headers, true)
    const fixed = await send(path, headers, false)
    expect(chunked, path).toEqual(fixed)
    expect(chunked.status, path).toBeGreaterThanOrEqual(400)
  }
  await emulator.close()
})
