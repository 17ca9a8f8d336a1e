// The whole loop against a CLI-started emulator (file store, bundled fixtures, as `npm start` runs it), with the
// real portkey-ai client: LLM calls → the trace id from the response header → feedback on it → the feedback
// graphs show it with the right numbers.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Portkey } from 'portkey-ai'
import { afterAll, expect, test } from 'vitest'
import { ROOT, startCli } from '../../cli/run-cli.ts'
import { freshKey } from '../../helpers/create-test-emulator.ts'

const dir = await mkdtemp(join(tmpdir(), 'lfe-portkey-gateway-'))
const server = await startCli(['--db', join(dir, 'db.json'), '--fixtures', join(ROOT, 'fixtures/default.json'), '--quiet'])
afterAll(async () => {
  if (server.child.exitCode === null) server.child.kill('SIGTERM')
  await server.finished
  await rm(dir, { recursive: true, force: true })
})

test('portkey-ai through the CLI-started gateway: call → trace id → feedback → analytics', async () => {
  const apiKey = freshKey('cli-loop')
  const baseURL = `${server.url}/portkey/v1`
  const HOUR = 60 * 60 * 1000
  const window = {
    time_of_generation_min: new Date(Date.now() - HOUR).toISOString(),
    time_of_generation_max: new Date(Date.now() + HOUR).toISOString(),
  }

  // Two calls, each on a fresh client (per-call params stick to a client): no trace id sent, so each is minted.
  const gpt = new Portkey({ apiKey, baseURL, provider: 'openai', Authorization: 'Bearer sk-not-checked' })
  const answer = await gpt.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Suggest a name for a cat' }],
  })
  const gptTrace = answer.getHeaders?.()?.['trace-id']
  expect(gptTrace).toMatch(/^[0-9a-f-]{36}$/)

  const claude = new Portkey({ apiKey, baseURL, provider: 'anthropic', Authorization: 'sk-ant-not-checked' })
  const stream = await claude.chat.completions.create({
    model: 'claude-3-5-haiku-20241022',
    messages: [{ role: 'user', content: 'Suggest a name for a dog' }],
    stream: true,
  })
  let streamed = ''
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? ''
  expect(streamed).not.toBe('')
  const claudeTrace = claude.responseHeaders?.['x-portkey-trace-id']
  expect(claudeTrace).toMatch(/^[0-9a-f-]{36}$/)
  expect(claudeTrace).not.toBe(gptTrace)

  // Feedback on each trace, from a client that carries no per-call params.
  const control = new Portkey({ apiKey, baseURL })
  await control.feedback.create({ traceID: gptTrace!, value: 1, weight: 1 })
  await control.feedback.create({ traceID: gptTrace!, value: 4, weight: 0.5 })
  await control.feedback.create({ traceID: claudeTrace!, value: -1, weight: 1 })

  const scores = await control.analytics.graphs.feedbacks_score(window)
  expect(scores).toMatchObject({
    summary: { total: 3 },
    data_points: [
      { score: -1, total: 1 },
      { score: 1, total: 1 },
      { score: 4, total: 1 },
    ],
    object: 'analytics-graph',
  })
  const weighted = (await control.analytics.graphs.feedbacks_weighted(window)) as unknown as { summary: { avg: number } }
  expect(weighted.summary.avg).toBe(Math.round(((1 + 2 - 1) / 3) * 1e4) / 1e4)
  const models = await control.analytics.graphs.feedback_ai_models(window)
  expect(models).toMatchObject({
    data_points: [
      { ai_model: 'gpt-4o-mini', total: 2, avg_weighted_feedback: 1.5 },
      { ai_model: 'claude-3-5-haiku-20241022', total: 1, avg_weighted_feedback: -1 },
    ],
  })
  // Filters on what the gateway logged: the provider and model, and the trace.
  const onlyClaude = await control.analytics.graphs.feedbacks_score({ ...window, ai_org_model: 'anthropic__claude-3-5-haiku-20241022' })
  expect(onlyClaude).toMatchObject({ summary: { total: 1 }, data_points: [{ score: -1, total: 1 }] })
  // The SDK's type lacks `trace_id`; it sends every key it is given.
  const byTrace = { ...window, trace_id: gptTrace! } as Parameters<typeof control.analytics.graphs.feedbacks_score>[0]
  const onlyGpt = await control.analytics.graphs.feedbacks_score(byTrace)
  expect(onlyGpt).toMatchObject({ summary: { total: 2 } })

  server.child.kill('SIGTERM')
  expect((await server.finished).code).toBe(0)
})
