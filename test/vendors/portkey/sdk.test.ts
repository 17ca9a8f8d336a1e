// End to end with the official Node SDK (portkey-ai 3.1.0) against a listening emulator.
import { Portkey } from 'portkey-ai'
import { afterAll, expect, test } from 'vitest'
import { startTestEmulator, freshKey } from '../../helpers/create-test-emulator.ts'

const emulator = await startTestEmulator()
afterAll(() => emulator.close())

// The SDK's error classes are not exported from its entry point; its constructor names are stable.
const errorClass = (error: unknown) => (error as object).constructor.name
const client = (apiKey: string) => new Portkey({ apiKey, baseURL: `${emulator.url}/portkey/v1` })
const HOUR = 60 * 60 * 1000
const window = () => ({
  time_of_generation_min: new Date(Date.now() - HOUR).toISOString(),
  time_of_generation_max: new Date(Date.now() + HOUR).toISOString(),
})

function chatLog(traceId: string, model: string, url: string, usage: Record<string, number>) {
  return {
    request: {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: { model, messages: [{ role: 'user', content: 'hi' }] },
    },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: { id: 'x', usage }, response_time: 420 },
    metadata: { trace_id: traceId, span_id: `${traceId}-s1`, span_name: 'chat', _user: 'user_1', env: 'test' },
  }
}

test('logs.create → feedback.create → feedback.update → the feedback graphs show the numbers', async () => {
  const portkey = client(freshKey('sdk'))
  const logged = await portkey.logs.create(
    chatLog('sdk-trace-1', 'gpt-4o-mini', 'https://api.openai.com/v1/chat/completions', {
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 120,
    }),
  )
  expect(logged).toMatchObject({ status: 'success', trace_ids: ['sdk-trace-1'] })
  await portkey.logs.create(
    chatLog('sdk-trace-2', 'claude-3-5-haiku-20241022', 'https://api.anthropic.com/v1/messages', { input_tokens: 50, output_tokens: 10 }),
  )

  const first = await portkey.feedback.create({ traceID: 'sdk-trace-1', value: 1, weight: 1, metadata: { _user: 'user_1' } })
  expect(first.status).toBe('success')
  const ids = (first as unknown as { feedback_ids: string[] }).feedback_ids
  expect(ids).toHaveLength(1)
  await portkey.feedback.create({ traceID: 'sdk-trace-2', value: -1, weight: 0.5 })
  await portkey.feedback.create({ traceID: 'sdk-trace-1', value: 7 })

  const updated = await portkey.feedback.update({ feedbackID: ids[0]!, value: 5, weight: 0.5 })
  expect((updated as unknown as { feedback_ids: string[] }).feedback_ids).toEqual(ids)

  const scores = await portkey.analytics.graphs.feedbacks_score(window())
  expect(scores).toMatchObject({
    summary: { total: 3 },
    data_points: [
      { score: -1, total: 1 },
      { score: 5, total: 1 },
      { score: 7, total: 1 },
    ],
    object: 'analytics-graph',
  })

  const feedbacks = (await portkey.analytics.graphs.feedbacks(window())) as unknown as {
    summary: { total: number }
    data_points: { total: number }[]
  }
  expect(feedbacks.summary.total).toBe(3)
  expect(feedbacks.data_points.reduce((sum, p) => sum + p.total, 0)).toBe(3)

  const weighted = (await portkey.analytics.graphs.feedbacks_weighted(window())) as unknown as { summary: { avg: number } }
  expect(weighted.summary.avg).toBe(Math.round(((5 * 0.5 + 7 - 0.5) / 3) * 1e4) / 1e4)

  const models = await portkey.analytics.graphs.feedback_ai_models(window())
  expect(models).toMatchObject({
    data_points: [
      { ai_model: 'gpt-4o-mini', total: 2, avg_weighted_feedback: 4.75 },
      { ai_model: 'claude-3-5-haiku-20241022', total: 1, avg_weighted_feedback: -0.5 },
    ],
  })

  const filtered = await portkey.analytics.graphs.feedbacks_score({
    ...window(),
    ai_org_model: 'anthropic__claude-3-5-haiku-20241022',
    metadata: '{"env":"test"}',
  })
  expect(filtered).toMatchObject({ summary: { total: 1 }, data_points: [{ score: -1, total: 1 }] })
})

test('the SDK array bug ({"0":…,"1":…}) comes back as a 400 BadRequestError and stores nothing', async () => {
  const key = freshKey('sdk')
  const portkey = client(key)
  const error = await portkey.feedback
    .create([
      { traceID: 'a', value: 1 },
      { traceID: 'b', value: 2 },
    ])
    .catch((e: unknown) => e)
  expect(errorClass(error)).toBe('BadRequestError')
  expect((error as { status: number; error: unknown }).status).toBe(400)
  expect((error as { error: { data: { errorCode: string } } }).error.data.errorCode).toBe('AB01')
  expect(emulator.store.data.portkey[key]).toBeUndefined()
})

test('update with feedbackId (lower-case d) hits /feedback/undefined: a 404 NotFoundError', async () => {
  const portkey = client(freshKey('sdk'))
  const error = await portkey.feedback.update({ feedbackId: 'x', value: 3 } as never).catch((e: unknown) => e)
  expect(errorClass(error)).toBe('NotFoundError')
  expect((error as { error: { data: { errorCode: string } } }).error.data.errorCode).toBe('AB08')
})

test('a call without a key is a 401 AuthenticationError', async () => {
  const portkey = new Portkey({ baseURL: `${emulator.url}/portkey/v1` })
  const error = await portkey.feedback.create({ traceID: 't', value: 1 }).catch((e: unknown) => e)
  expect(errorClass(error)).toBe('AuthenticationError')
})
