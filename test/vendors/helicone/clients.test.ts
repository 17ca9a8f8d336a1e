// The done-when of issue 6, with Helicone's own clients: a request logged with HeliconeManualLogger, scored
// and rated through HeliconeAPIClient, shows up in /v1/dashboard/scores/query as Helicone computes it.
import { randomUUID } from 'node:crypto'
import { HeliconeAPIClient } from '@helicone/helicone'
import { HeliconeManualLogger } from '@helicone/helpers'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../../src/emulator.ts'
import { freshKey, startTestEmulator } from '../../helpers/create-test-emulator.ts'

let emulator: Emulator & { url: string }
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(async () => {
  await emulator.close()
})

type RawPost = (path: string, init: { body: unknown; params?: unknown }) => Promise<{ data?: unknown; error?: unknown; response: Response }>

function clients(apiKey: string) {
  const api = new HeliconeAPIClient({ apiKey, baseURL: `${emulator.url}/helicone` })
  const logger = new HeliconeManualLogger({ apiKey, loggingEndpoint: `${emulator.url}/helicone/custom/v1/log` })
  // The client's generated `paths` predate the dashboard endpoint: any path works at runtime.
  const post = (api.rawClient as unknown as { POST: RawPost }).POST.bind(api.rawClient)
  return { api, logger, post }
}

async function logChat(logger: HeliconeManualLogger, requestId: string, headers: Record<string, string> = {}) {
  await logger.logRequest(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi' }] },
    async (recorder) => {
      const response = {
        id: 'chatcmpl-1',
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' } }],
        usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
      }
      recorder.appendResults(response)
      return response
    },
    { 'Helicone-Request-Id': requestId, ...headers },
    'openai',
  )
}

test('a request logged with HeliconeManualLogger, scored and rated with HeliconeAPIClient, shows in the scores dashboard', async () => {
  const apiKey = freshKey('sk-helicone')
  const { api, logger, post } = clients(apiKey)
  const first = randomUUID()
  const second = randomUUID()
  await logChat(logger, first, { 'Helicone-Property-Environment': 'prod', 'Helicone-User-Id': 'alice' })
  await logChat(logger, second)

  const score1 = await api.rawClient.POST('/v1/request/{requestId}/score', {
    params: { path: { requestId: first } },
    body: { scores: { accuracy: 90, passed: true } },
  })
  expect(score1.response.status).toBe(201)
  expect(score1.data).toEqual({ data: null, error: null })
  await api.rawClient.POST('/v1/request/{requestId}/score', {
    params: { path: { requestId: second } },
    body: { scores: { accuracy: 71, passed: false } },
  })
  const rated = await api.rawClient.POST('/v1/request/{requestId}/feedback', {
    params: { path: { requestId: first } },
    body: { rating: true },
  })
  expect(rated.response.status).toBe(201)

  // The end bound loses its milliseconds on the real server: end a second later so the requests just logged count.
  const now = new Date(Date.now() + 1000)
  const start = new Date(now.getTime() - 2 * 86_400_000)
  const result = await post('/v1/dashboard/scores/query', {
    body: {
      userFilter: 'all',
      timeFilter: { start: start.toISOString(), end: now.toISOString() },
      dbIncrement: 'day',
      timeZoneDifference: 0,
    },
  })
  expect(result.response.status).toBe(200)
  const { data, error } = result.data as { data: { created_at_trunc: string; score_key: string; score_sum: number }[]; error: null }
  expect(error).toBeNull()
  const day = (d: Date) => `${d.toISOString().slice(0, 10)}T00:00:00.000Z`
  const today = data.filter((r) => r.created_at_trunc === day(now))
  expect(Object.fromEntries(today.map((r) => [r.score_key, r.score_sum]))).toEqual({
    accuracy: 80.5,
    'passed-hcone-bool': 0.5,
    'helicone-score-feedback': 1,
  })
  // The two days before hold no data: one filler row each, ascending.
  expect(data.slice(0, 2)).toEqual([
    { created_at_trunc: day(start), score_key: '', score_sum: 0 },
    { created_at_trunc: day(new Date(start.getTime() + 86_400_000)), score_key: '', score_sum: 0 },
  ])

  // Filtered on the logged property and on feedback.
  const filtered = await post('/v1/dashboard/scores/query', {
    body: {
      userFilter: {
        left: { request_response_rmt: { properties: { environment: { equals: 'prod' } } } },
        operator: 'and',
        right: { request_response_rmt: { 'helicone-score-feedback': { equals: true } } },
      },
      timeFilter: { start: start.toISOString(), end: now.toISOString() },
      dbIncrement: 'day',
      timeZoneDifference: 0,
    },
  })
  const rows = (filtered.data as { data: { created_at_trunc: string; score_key: string; score_sum: number }[] }).data.filter(
    (r) => r.created_at_trunc === day(now),
  )
  expect(Object.fromEntries(rows.map((r) => [r.score_key, r.score_sum]))).toEqual({
    accuracy: 90,
    'passed-hcone-bool': 1,
    'helicone-score-feedback': 1,
  })
})

test('HeliconeAPIClient reads the logged requests back with /v1/request/query', async () => {
  const apiKey = freshKey('sk-helicone')
  const { api, logger } = clients(apiKey)
  const id = randomUUID()
  await logChat(logger, id, { 'Helicone-User-Id': 'bob', 'Helicone-Property-Feature': 'chat' })
  await api.rawClient.POST('/v1/request/{requestId}/score', { params: { path: { requestId: id } }, body: { scores: { accuracy: 60 } } })

  const result = await api.rawClient.POST('/v1/request/query', {
    body: { filter: { request_response_rmt: { user_id: { equals: 'bob' } } }, limit: 10, offset: 0, sort: { created_at: 'desc' } } as never,
  })
  expect(result.response.status).toBe(201)
  const requests = (result.data as unknown as { data: Record<string, unknown>[] }).data
  expect(requests).toHaveLength(1)
  expect(requests[0]).toMatchObject({
    request_id: id,
    model: 'gpt-4o-mini',
    provider: 'OPENAI',
    request_user_id: 'bob',
    prompt_tokens: 9,
    completion_tokens: 3,
    total_tokens: 12,
    properties: { feature: 'chat' },
    scores: { accuracy: 60 },
  })
})

test('HeliconeAPIClient sees the real error bodies: 422 from tsoa, 500 for a non-UUID feedback id, 401 for an unknown key', async () => {
  const { api } = clients(freshKey('sk-helicone'))
  const bad = await api.rawClient.POST('/v1/request/{requestId}/score', {
    params: { path: { requestId: randomUUID() } },
    body: {} as never,
  })
  expect(bad.response.status).toBe(422)
  expect(bad.error).toEqual({ message: 'Validation Failed', details: { 'requestBody.scores': { message: "'scores' is required" } } })

  const notUuid = await api.rawClient.POST('/v1/request/{requestId}/feedback', {
    params: { path: { requestId: 'not-a-uuid' } },
    body: { rating: true },
  })
  expect(notUuid.response.status).toBe(500)
  expect(notUuid.error).toEqual({ data: null, error: 'Invalid requestId: must be a valid UUID' })

  const restricted = await startTestEmulator({ keys: { helicone: [{ key: 'sk-helicone-known' }] } })
  try {
    const stranger = new HeliconeAPIClient({ apiKey: 'sk-helicone-unknown', baseURL: `${restricted.url}/helicone` })
    const denied = await stranger.rawClient.POST('/v1/request/{requestId}/feedback', {
      params: { path: { requestId: randomUUID() } },
      body: { rating: true },
    })
    expect(denied.response.status).toBe(401)
    expect(denied.error).toEqual({ error: 'No API key found', trace: 'isAuthenticated.error' })
  } finally {
    await restricted.close()
  }
})
