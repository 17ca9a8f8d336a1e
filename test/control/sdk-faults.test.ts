// What a user of each vendor SDK sees when a fault fires, and how many requests the journal then shows
// (README "Faults and what each SDK sees").
import { randomUUID } from 'node:crypto'
import { HeliconeAPIClient } from '@helicone/helicone'
import { HeliconeManualLogger } from '@helicone/helpers'
import OpenAI from 'openai'
import { Portkey } from 'portkey-ai'
import { afterAll, afterEach, expect, test, vi } from 'vitest'
import { startTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'

const emulator = await startTestEmulator()
afterAll(() => emulator.close())
afterEach(() => emulator.faults.clear())

// The SDK's error classes are not exported from its entry point; their constructor names are stable.
const errorClass = (error: unknown) => (error as object).constructor.name
const portkey = (apiKey: string) => new Portkey({ apiKey, baseURL: `${emulator.url}/portkey/v1` })
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  )

test('portkey-ai: a 429 fault surfaces as RateLimitError with the AB06 body; 4xx are not retried, the journal shows one request', async () => {
  const key = freshKey('pk')
  emulator.faults.add({ operationId: 'createFeedback', status: 429, times: 1 })
  const error = (await caught(portkey(key).feedback.create({ traceID: 'sdk-429', value: 1 }))) as { status: number; error: unknown }
  expect(errorClass(error)).toBe('RateLimitError')
  expect(error.status).toBe(429)
  expect(error.error).toEqual({ success: false, data: { message: 'Rate limit exceeded', errorCode: 'AB06' } })
  expect(emulator.count({ apiKey: key, operationId: 'createFeedback', body: { trace_id: 'sdk-429' } })).toBe(1)
  expect(emulator.requests({ apiKey: key })[0]).toMatchObject({ status: 429, fault: { kind: 'status' } })
  expect(emulator.store.data.portkey[key]).toBeUndefined()
})

test('portkey-ai: a 5xx is retried once (two requests in the journal) unless the answer carries x-portkey-trace-id', async () => {
  const key = freshKey('pk')
  emulator.faults.add({ operationId: 'createFeedback', apiKey: key, status: 503 })
  expect(errorClass(await caught(portkey(key).feedback.create({ traceID: 'sdk-503', value: 1 })))).toBe('InternalServerError')
  expect(emulator.count({ apiKey: key, body: { trace_id: 'sdk-503' } })).toBe(2)

  emulator.faults.clear()
  emulator.faults.add({ operationId: 'createFeedback', apiKey: key, status: 503, headers: { 'x-portkey-trace-id': 'tr-1' } })
  expect(errorClass(await caught(portkey(key).feedback.create({ traceID: 'sdk-503-traced', value: 1 })))).toBe('InternalServerError')
  expect(emulator.count({ apiKey: key, body: { trace_id: 'sdk-503-traced' } })).toBe(1)

  // One 5xx, then the retry succeeds: the app never sees the fault, the journal does.
  emulator.faults.clear()
  emulator.faults.add({ operationId: 'createFeedback', apiKey: key, status: 500, times: 1 })
  await expect(portkey(key).feedback.create({ traceID: 'sdk-500-once', value: 1 })).resolves.toMatchObject({ status: 'success' })
  expect(emulator.requests({ apiKey: key, limit: 2 }).map((e) => e.status)).toEqual([200, 500])
})

test('portkey-ai: a reset fault is a network error (APIConnectionError) after its one retry', async () => {
  const key = freshKey('pk')
  emulator.faults.add({ operationId: 'createFeedback', apiKey: key, kind: 'reset' })
  expect(errorClass(await caught(portkey(key).feedback.create({ traceID: 'sdk-reset', value: 1 })))).toBe('APIConnectionError')
  const entries = emulator.requests({ apiKey: key })
  expect(entries).toHaveLength(2)
  expect(entries.every((e) => e.status === null && e.fault?.kind === 'reset')).toBe(true)
})

test('openai: 429 is retried twice (honouring retry-after-ms): three requests in the journal, then RateLimitError', async () => {
  const key = freshKey('pk')
  // The OpenAI SDK as a generic client of a vendor route (its own retry policy is what is under test).
  const openai = new OpenAI({ apiKey: 'unused', baseURL: `${emulator.url}/portkey/v1`, defaultHeaders: { 'x-portkey-api-key': key } })
  emulator.faults.add({ operationId: 'createFeedback', apiKey: key, status: 429, headers: { 'retry-after-ms': '5' } })
  const error = await caught(openai.post('/feedback', { body: { trace_id: 'oai-429', value: 1 } }))
  expect(errorClass(error)).toBe('RateLimitError')
  expect(emulator.count({ apiKey: key, status: 429, body: { trace_id: 'oai-429' } })).toBe(3)

  emulator.faults.clear()
  emulator.faults.add({ operationId: 'createFeedback', apiKey: key, status: 429, times: 2, headers: { 'retry-after-ms': '5' } })
  await expect(openai.post('/feedback', { body: { trace_id: 'oai-recovers', value: 1 } })).resolves.toMatchObject({ status: 'success' })
  expect(emulator.requests({ apiKey: key, limit: 3 }).map((e) => e.status)).toEqual([200, 429, 429])
})

test('@helicone/helpers HeliconeManualLogger: a 5xx fault is only logged to the console (no throw, no retry): one request', async () => {
  const key = freshKey('sk-helicone')
  emulator.faults.add({ operationId: 'logCustomRequest', status: 500 })
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
  try {
    const logger = new HeliconeManualLogger({ apiKey: key, loggingEndpoint: `${emulator.url}/helicone/custom/v1/log` })
    const answer = await logger.logRequest({ model: 'gpt-4o-mini', messages: [] }, async (recorder) => {
      recorder.appendResults({ id: 'c', usage: { prompt_tokens: 1, completion_tokens: 1 } })
      return 'the app goes on'
    })
    expect(answer).toBe('the app goes on')
    // The logger posts in the background.
    await vi.waitFor(() =>
      expect(consoleError).toHaveBeenCalledWith('Error making request to Helicone log endpoint:', 'Internal Server Error'),
    )
  } finally {
    consoleError.mockRestore()
  }
  expect(emulator.requests({ apiKey: key }).map((e) => [e.operationId, e.status])).toEqual([['logCustomRequest', 500]])
  expect(emulator.store.data.helicone[key]).toBeUndefined()
})

test('@helicone/helicone HeliconeAPIClient: a 429 fault comes back as { error, response } (no throw, no retry): one request', async () => {
  const key = freshKey('sk-helicone')
  emulator.faults.add({ operationId: 'addScores', status: 429 })
  const api = new HeliconeAPIClient({ apiKey: key, baseURL: `${emulator.url}/helicone` })
  const requestId = randomUUID()
  const result = await api.rawClient.POST('/v1/request/{requestId}/score', {
    params: { path: { requestId } },
    body: { scores: { accuracy: 1 } },
  })
  expect(result.response.status).toBe(429)
  expect(result.error).toEqual({ error: 'Too many requests, please try again later.' })
  expect(emulator.count({ apiKey: key, operationId: 'addScores', body: { scores: { accuracy: 1 } } })).toBe(1)
})
