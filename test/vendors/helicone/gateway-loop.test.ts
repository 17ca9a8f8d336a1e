// The whole loop against a CLI-started emulator, with the real clients unchanged but for their base URL and
// headers: the app's LLM calls through the Helicone proxy (openai v5) → the `Helicone-Id` response header →
// scores and feedback with HeliconeAPIClient → `/v1/dashboard/scores/query` and `/v1/request/query` show
// them, with every column the scores filter reads filled from the calls.
import { HeliconeAPIClient } from '@helicone/helicone'
import OpenAI from 'openai-v5'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startCli } from '../../cli/run-cli.ts'

let server: Awaited<ReturnType<typeof startCli>>
beforeAll(async () => {
  server = await startCli(['--db', ':memory:', '--quiet'])
})
afterAll(async () => {
  server.child.kill('SIGTERM')
  await server.finished
})

const HELICONE_KEY = 'sk-helicone-loop-test'
type RawPost = (path: string, init: { body: unknown }) => Promise<{ data?: unknown; response: Response }>
type ScoreRow = { created_at_trunc: string; score_key: string; score_sum: number }
type Row = Record<string, unknown> & { request_id: string }

test('LLM calls through the proxy, scored by their Helicone-Id, show in the scores dashboard under every filter and in the request query', async () => {
  const llm = new OpenAI({
    apiKey: 'sk-provider-key',
    baseURL: `${server.url}/helicone/oai/v1`,
    defaultHeaders: { 'Helicone-Auth': `Bearer ${HELICONE_KEY}` },
  })
  // Call A: plain. Call B: streamed with usage, another user, model and property.
  const a = await llm.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Summarise the meeting notes' }] },
      { headers: { 'Helicone-User-Id': 'alice', 'Helicone-Property-Env': 'prod' } },
    )
    .withResponse()
  const idA = a.response.headers.get('helicone-id')!
  const b = await llm.chat.completions
    .create(
      {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Translate to French' }],
        stream: true,
        stream_options: { include_usage: true },
      },
      { headers: { 'Helicone-User-Id': 'bob', 'Helicone-Property-Env': 'dev' } },
    )
    .withResponse()
  const idB = b.response.headers.get('helicone-id')!
  let usageB: { prompt_tokens: number; completion_tokens: number } | undefined
  for await (const chunk of b.data) if (chunk.usage) usageB = chunk.usage
  expect(idA).not.toBe(idB)

  const helicone = new HeliconeAPIClient({ apiKey: HELICONE_KEY, baseURL: `${server.url}/helicone` })
  const post = (helicone.rawClient as unknown as { POST: RawPost }).POST.bind(helicone.rawClient)
  for (const [requestId, scores] of [
    [idA, { accuracy: 90, helpful: true }],
    [idB, { accuracy: 70, helpful: false }],
  ] as const) {
    const scored = await helicone.rawClient.POST('/v1/request/{requestId}/score', { params: { path: { requestId } }, body: { scores } })
    expect(scored.response.status).toBe(201)
  }
  const rated = await helicone.rawClient.POST('/v1/request/{requestId}/feedback', {
    params: { path: { requestId: idA } },
    body: { rating: true },
  })
  expect(rated.response.status).toBe(201)

  // The rows, as jawn's request query returns them: every column the filters read is filled from the calls.
  const query = await post('/v1/request/query', { body: { filter: 'all', limit: 10, offset: 0, sort: { created_at: 'asc' } } })
  expect(query.response.status).toBe(201)
  const [rowA, rowB] = (query.data as { data: Row[] }).data as [Row, Row]
  expect(rowA).toMatchObject({
    request_id: idA,
    model: 'gpt-4o-mini',
    provider: 'OPENAI',
    request_user_id: 'alice',
    response_status: 200,
    prompt_tokens: a.data.usage!.prompt_tokens,
    completion_tokens: a.data.usage!.completion_tokens,
    time_to_first_token: 0,
    target_url: 'https://api.openai.com/v1/chat/completions',
    properties: { env: 'prod' },
    scores: { accuracy: 90, 'helpful-hcone-bool': 1, 'helicone-score-feedback': 1 },
    feedback_rating: true,
  })
  expect(rowB).toMatchObject({
    request_id: idB,
    model: 'gpt-4o',
    request_user_id: 'bob',
    prompt_tokens: usageB!.prompt_tokens,
    completion_tokens: usageB!.completion_tokens,
    properties: { env: 'dev' },
    scores: { accuracy: 70, 'helpful-hcone-bool': 0 },
  })
  expect(rowB['time_to_first_token']).toBeGreaterThan(0)
  for (const row of [rowA, rowB]) {
    expect(row['delay_ms']).toBeGreaterThanOrEqual(20)
    expect(row['cost']).toBeGreaterThan(0)
  }

  const now = new Date(Date.now() + 1000)
  const day = `${now.toISOString().slice(0, 10)}T00:00:00.000Z`
  const dashboard = async (userFilter: unknown): Promise<Record<string, number>> => {
    const result = await post('/v1/dashboard/scores/query', {
      body: {
        userFilter,
        timeFilter: { start: new Date(now.getTime() - 3_600_000).toISOString(), end: now.toISOString() },
        dbIncrement: 'day',
        timeZoneDifference: 0,
      },
    })
    expect(result.response.status).toBe(200)
    const { data, error } = result.data as { data: ScoreRow[]; error: null }
    expect(error).toBeNull()
    return Object.fromEntries(data.filter((r) => r.created_at_trunc === day && r.score_key !== '').map((r) => [r.score_key, r.score_sum]))
  }

  expect(await dashboard('all')).toEqual({ accuracy: 80, 'helpful-hcone-bool': 0.5, 'helicone-score-feedback': 1 })
  const onlyA = { accuracy: 90, 'helpful-hcone-bool': 1, 'helicone-score-feedback': 1 }
  const onlyB = { accuracy: 70, 'helpful-hcone-bool': 0 }
  const leaf = (column: Record<string, unknown>) => ({ request_response_rmt: column })
  const costA = rowA['cost'] as number
  const costB = rowB['cost'] as number
  // gpt-4o costs about 16 times gpt-4o-mini a token.
  expect(costB).toBeGreaterThan(costA * 5)
  const filters: [string, unknown, Record<string, number>][] = [
    ['model', leaf({ model: { equals: 'gpt-4o-mini' } }), onlyA],
    ['provider', leaf({ provider: { equals: 'OPENAI' } }), { accuracy: 80, 'helpful-hcone-bool': 0.5, 'helicone-score-feedback': 1 }],
    ['user_id', leaf({ user_id: { equals: 'bob' } }), onlyB],
    ['status', leaf({ status: { equals: 200 } }), { accuracy: 80, 'helpful-hcone-bool': 0.5, 'helicone-score-feedback': 1 }],
    ['latency', leaf({ latency: { equals: rowB['delay_ms'] } }), onlyB],
    ['time_to_first_token', leaf({ time_to_first_token: { gt: 0 } }), onlyB],
    ['cost ≥', leaf({ cost: { gte: costB } }), onlyB],
    ['cost <', leaf({ cost: { lt: costB } }), onlyA],
    ['prompt_tokens', leaf({ prompt_tokens: { equals: rowB['prompt_tokens'] } }), onlyB],
    ['completion_tokens', leaf({ completion_tokens: { equals: rowA['completion_tokens'] } }), onlyA],
    ['properties', leaf({ properties: { env: { equals: 'prod' } } }), onlyA],
    ['property_key', leaf({ property_key: { equals: 'env' } }), { accuracy: 80, 'helpful-hcone-bool': 0.5, 'helicone-score-feedback': 1 }],
    [
      'target_url',
      leaf({ target_url: { contains: '/v1/chat/completions' } }),
      { accuracy: 80, 'helpful-hcone-bool': 0.5, 'helicone-score-feedback': 1 },
    ],
    ['request_id', leaf({ request_id: { equals: idB.toUpperCase() } }), onlyB],
    ['cache_enabled', leaf({ cache_enabled: { equals: true } }), {}],
    ['cached', leaf({ cached: { equals: false } }), { accuracy: 80, 'helpful-hcone-bool': 0.5, 'helicone-score-feedback': 1 }],
    ['request_body', leaf({ request_body: { contains: 'French' } }), onlyB],
    ['response_body', leaf({ response_body: { contains: 'meeting notes' } }), onlyA],
    ['scores', leaf({ scores: { accuracy: { equals: '70' } } }), onlyB],
    ['feedback', leaf({ 'helicone-score-feedback': { equals: true } }), onlyA],
    [
      'request_created_at',
      leaf({ request_created_at: { gte: new Date(now.getTime() - 3_600_000).toISOString() } }),
      { accuracy: 80, 'helpful-hcone-bool': 0.5, 'helicone-score-feedback': 1 },
    ],
    [
      'a branch',
      { left: leaf({ user_id: { equals: 'alice' } }), operator: 'or', right: leaf({ properties: { env: { equals: 'dev' } } }) },
      { accuracy: 80, 'helpful-hcone-bool': 0.5, 'helicone-score-feedback': 1 },
    ],
  ]
  for (const [name, filter, expected] of filters) expect({ name, scores: await dashboard(filter) }).toEqual({ name, scores: expected })
}, 60_000)
