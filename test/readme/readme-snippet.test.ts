// The README's "Use in tests" snippet, as written there (only the import path differs): if this fails,
// the README is no longer true.
import request from 'supertest'
import { expect, test } from 'vitest'
import { createEmulator } from '../../src/index.ts'

test('feedback shows up in the score distribution', async () => {
  const emulator = await createEmulator({ db: ':memory:', strict: true, quiet: true })
  const key = `test-${crypto.randomUUID()}` // a fresh key = a fresh tenant
  await request(emulator.app)
    .post('/portkey/v1/logs')
    .set('x-portkey-api-key', key)
    .send({
      request: { url: 'https://api.openai.com/v1/chat/completions', method: 'POST', body: { model: 'gpt-4o' } },
      response: { status: 200, body: { usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } } },
      metadata: { trace_id: 'trace-1' },
    })
    .expect(200)
  await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send({ trace_id: 'trace-1', value: 1 }).expect(200)
  const res = await request(emulator.app)
    .get('/portkey/v1/analytics/graphs/feedbacks/scores')
    .query({ time_of_generation_min: '2000-01-01T00:00:00Z', time_of_generation_max: '2100-01-01T00:00:00Z' })
    .set('x-portkey-api-key', key)
    .expect(200)
  expect(res.body).toEqual({ summary: { total: 1 }, data_points: [{ score: 1, total: 1 }], object: 'analytics-graph' })
})
