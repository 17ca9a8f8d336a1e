// The gateway routes over HTTP (in-process, strict): headers, provider selection, provider-shaped bodies and
// streams, the gateway's and the provider's errors, the cache, and the generation each call stores.
import request from 'supertest'
import { expect, test } from 'vitest'
import { costInCents } from '../../../src/pricing/prices.ts'
import { createTestEmulator, freshKey } from '../../helpers/create-test-emulator.ts'
import { llmSchemaErrors } from '../../helpers/llm-api-schemas.ts'
import { asText, generationOf, generationsOf, parseSse, portkeySchemaErrors } from './gateway-helpers.ts'

const NOW = new Date('2026-03-02T09:30:00.000Z')
const emulator = await createTestEmulator({ now: () => NOW })
const app = emulator.app
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] }

const post = (path: string, key: string, headers: Record<string, string> = {}) =>
  request(app)
    .post(`/portkey/v1${path}`)
    .set({ 'x-portkey-api-key': key, ...headers })

const stream = (path: string, key: string, headers: Record<string, string>, body: object) =>
  post(path, key, headers).buffer(true).parse(asText).send(body)

function expectGatewayHeaders(res: request.Response, provider: string, traceId?: string) {
  expect(res.headers['x-portkey-provider']).toBe(provider)
  expect(res.headers['x-portkey-retry-attempt-count']).toBe('0')
  expect(res.headers['x-portkey-last-used-option-index']).toBe('config')
  expect(res.headers['x-portkey-cache-status']).toBe('DISABLED')
  if (traceId !== undefined) expect(res.headers['x-portkey-trace-id']).toBe(traceId)
}

test('chat completion: the OpenAI body as the provider sends it, the gateway headers, and the stored generation', async () => {
  const key = freshKey('gw')
  const res = await post('/chat/completions', key, {
    'x-portkey-provider': 'openai',
    authorization: 'Bearer sk-anything',
    'x-portkey-trace-id': 'trace-chat-1',
    'x-portkey-span-id': 'span-1',
    'x-portkey-span-name': 'answer',
    'x-portkey-parent-span-id': 'span-0',
    'x-portkey-metadata': JSON.stringify({ env: 'test', attempt: 2 }),
  }).send({ ...CHAT, user: 'user-42' })
  expect(res.status).toBe(200)
  expectGatewayHeaders(res, 'openai', 'trace-chat-1')
  expect(llmSchemaErrors('CreateChatCompletionResponse', res.body)).toEqual([])
  expect(res.body).toMatchObject({ id: expect.stringMatching(/^chatcmpl-/), object: 'chat.completion', model: 'gpt-4o-mini' })
  expect(res.body).not.toHaveProperty('provider')

  const usage = res.body.usage as { prompt_tokens: number; completion_tokens: number }
  const generation = generationOf(emulator, key, 'trace-chat-1')
  expect(generation).toEqual({
    id: expect.stringMatching(UUID_V4),
    trace_id: 'trace-chat-1',
    span_id: 'span-1',
    span_name: 'answer',
    parent_span_id: 'span-0',
    created_at: NOW.toISOString(),
    provider: 'openai',
    model: 'gpt-4o-mini',
    status_code: 200,
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    cost: costInCents('gpt-4o-mini', usage.prompt_tokens, usage.completion_tokens),
    latency_ms: expect.any(Number),
    api_key_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    cache_status: 'DISABLED',
    metadata: { env: 'test', attempt: '2', _user: 'user-42' },
  })
  expect(generation.cost).toBeGreaterThan(0)
  // The engine's simulated provider latency (20 ms by default) is part of it.
  expect(generation.latency_ms).toBeGreaterThanOrEqual(19)
})

test('without a trace id one is minted (UUIDv4), returned in the header and stored', async () => {
  const key = freshKey('gw')
  const res = await post('/chat/completions', key, { 'x-portkey-provider': 'openai' }).send(CHAT)
  expect(res.status).toBe(200)
  const traceId = res.headers['x-portkey-trace-id'] as string
  expect(traceId).toMatch(UUID_V4)
  expect(generationOf(emulator, key, traceId).span_id).toBeUndefined()
})

test('W3C traceparent and baggage: trace id, a new span under its parent, baggage in the metadata', async () => {
  const key = freshKey('gw')
  const res = await post('/chat/completions', key, {
    'x-portkey-provider': 'openai',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    baggage: 'tenant=acme,region=eu%20west',
    'x-portkey-metadata': '{"region":"us"}',
  }).send(CHAT)
  expect(res.headers['x-portkey-trace-id']).toBe('0af7651916cd43dd8448eb211c80319c')
  expect(generationOf(emulator, key, '0af7651916cd43dd8448eb211c80319c')).toMatchObject({
    span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    span_name: 'POST /v1/chat/completions',
    parent_span_id: 'b7ad6b7169203331',
    metadata: { tenant: 'acme', region: 'us' },
  })
})

test('the Portkey key as Authorization: Bearer with an @slug/ model (the OpenAI SDK against hosted Portkey)', async () => {
  const key = freshKey('gw')
  const res = await request(app)
    .post('/portkey/v1/chat/completions')
    .set({ authorization: `Bearer ${key}`, 'x-portkey-trace-id': 'slug-1' })
    .send({ ...CHAT, model: '@openai-prod/gpt-4o' })
  expect(res.status).toBe(200)
  expect(res.headers['x-portkey-provider']).toBe('openai')
  expect(res.body.model).toBe('gpt-4o')
  expect(generationOf(emulator, key, 'slug-1')).toMatchObject({ provider: 'openai', model: 'gpt-4o', virtual_key: 'openai-prod' })
})

test('a virtual key, a config slug and an inline config with targets: provider, record fields and the option index', async () => {
  const key = freshKey('gw')
  await post('/chat/completions', key, { 'x-portkey-virtual-key': 'anthropic-main', 'x-portkey-trace-id': 'vk' }).send({
    ...CHAT,
    model: 'claude-3-5-haiku-20241022',
  })
  expect(generationOf(emulator, key, 'vk')).toMatchObject({ provider: 'anthropic', virtual_key: 'anthropic-main' })

  await post('/chat/completions', key, { 'x-portkey-config': 'pc-support-4f2a', 'x-portkey-trace-id': 'cfg' }).send(CHAT)
  expect(generationOf(emulator, key, 'cfg')).toMatchObject({ provider: 'openai', config: 'pc-support-4f2a' })

  const config = { strategy: { mode: 'fallback' }, targets: [{ provider: 'groq', override_params: { model: 'llama-3.1-8b-instant' } }] }
  const res = await post('/chat/completions', key, { 'x-portkey-config': JSON.stringify(config), 'x-portkey-trace-id': 'targets' }).send(
    CHAT,
  )
  expect(res.status).toBe(200)
  expect(res.headers['x-portkey-last-used-option-index']).toBe('config.targets[0]')
  expect(res.headers['x-portkey-provider']).toBe('groq')
  expect(res.body).toMatchObject({ model: 'llama-3.1-8b-instant', provider: 'groq' })
  expect(generationOf(emulator, key, 'targets')).toMatchObject({ provider: 'groq', model: 'llama-3.1-8b-instant' })
  expect(generationOf(emulator, key, 'targets').config).toBeUndefined()
})

test("Anthropic through chat completions: the gateway's transform, native finish reasons only without strict compliance", async () => {
  const key = freshKey('gw')
  const claude = { ...CHAT, model: 'claude-3-5-haiku-20241022' }
  const loose = await post('/chat/completions', key, {
    'x-portkey-provider': 'anthropic',
    'x-portkey-strict-open-ai-compliance': 'false',
  }).send(claude)
  expect(loose.status).toBe(200)
  expect(portkeySchemaErrors('ProviderChatCompletion', loose.body)).toEqual([])
  const content = loose.body.choices[0].message.content as string
  expect(loose.body).toEqual({
    id: expect.stringMatching(/^msg_01[A-Za-z0-9]{22}$/),
    object: 'chat.completion',
    created: Math.floor(NOW.getTime() / 1000),
    model: 'claude-3-5-haiku-20241022',
    provider: 'anthropic',
    choices: [
      {
        message: { role: 'assistant', content, content_blocks: [{ type: 'text', text: content }] },
        index: 0,
        logprobs: null,
        finish_reason: 'end_turn',
      },
    ],
    usage: {
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
      prompt_tokens_details: { cached_tokens: 0 },
    },
  })

  const strict = await post('/chat/completions', key, { 'x-portkey-provider': 'anthropic' }).send(claude)
  expect(strict.body.choices[0]).toEqual({
    message: { role: 'assistant', content: expect.any(String) },
    index: 0,
    logprobs: null,
    finish_reason: 'stop',
  })
  // The gateway's message has no `refusal`: its answer is Portkey's shape, not OpenAI's.
  expect(portkeySchemaErrors('ProviderChatCompletion', strict.body)).toEqual([])
})

test('other non-OpenAI providers: the OpenAI body plus "provider"', async () => {
  const res = await post('/chat/completions', freshKey('gw'), { 'x-portkey-provider': 'mistral-ai' }).send({
    ...CHAT,
    model: 'mistral-small-latest',
  })
  expect(res.status).toBe(200)
  expect(res.body.provider).toBe('mistral-ai')
  expect(llmSchemaErrors('CreateChatCompletionResponse', res.body)).toEqual([])
})

test('streaming: OpenAI chunks passed through, the usage chunk only with include_usage, tokens stored either way', async () => {
  const key = freshKey('gw')
  const plain = await stream(
    '/chat/completions',
    key,
    { 'x-portkey-provider': 'openai', 'x-portkey-trace-id': 's1' },
    { ...CHAT, stream: true },
  )
  expect(plain.status).toBe(200)
  expect(plain.headers['content-type']).toMatch(/^text\/event-stream/)
  expectGatewayHeaders(plain, 'openai', 's1')
  const events = parseSse(plain.body as string)
  expect(events.at(-1)).toEqual({ data: '[DONE]' })
  const chunks = events.slice(0, -1).map((e) => e.data as { choices: unknown[]; usage?: unknown; provider?: string })
  for (const chunk of chunks) expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
  expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined && c.provider === undefined)).toBe(true)

  const withUsage = await stream(
    '/chat/completions',
    key,
    { 'x-portkey-provider': 'openai', 'x-portkey-trace-id': 's2' },
    { ...CHAT, stream: true, stream_options: { include_usage: true } },
  )
  const usageChunks = parseSse(withUsage.body as string).slice(0, -1)
  for (const e of usageChunks) expect(llmSchemaErrors('CreateChatCompletionStreamResponse', e.data)).toEqual([])
  const last = usageChunks.at(-1)!.data as { choices: unknown[]; usage: { prompt_tokens: number; completion_tokens: number } }
  expect(last.choices).toEqual([])

  const first = generationOf(emulator, key, 's1')
  const second = generationOf(emulator, key, 's2')
  expect([first.prompt_tokens, first.completion_tokens]).toEqual([last.usage.prompt_tokens, last.usage.completion_tokens])
  expect([second.prompt_tokens, second.completion_tokens]).toEqual([last.usage.prompt_tokens, last.usage.completion_tokens])
  expect(first.status_code).toBe(200)
  expect(first.time_to_first_token_ms).toBeGreaterThanOrEqual(19)
  expect(first.latency_ms).toBeGreaterThanOrEqual(first.time_to_first_token_ms!)
})

test("streaming from Anthropic: the gateway's re-chunking, usage on the finish chunk, content_blocks without strict compliance", async () => {
  const key = freshKey('gw')
  const res = await stream(
    '/chat/completions',
    key,
    { 'x-portkey-provider': 'anthropic', 'x-portkey-strict-open-ai-compliance': 'false', 'x-portkey-trace-id': 'as' },
    { ...CHAT, model: 'claude-3-5-haiku-20241022', stream: true },
  )
  const events = parseSse(res.body as string)
  expect(events.at(-1)).toEqual({ data: '[DONE]' })
  type Chunk = {
    id: string
    provider: string
    choices: { delta: { content?: string }; finish_reason: string | null }[]
    usage?: { completion_tokens: number }
  }
  const chunks = events.slice(0, -1).map((e) => e.data as Chunk)
  for (const chunk of chunks) expect(portkeySchemaErrors('ProviderChatCompletionChunk', chunk)).toEqual([])
  expect(chunks.every((c) => c.id === `anthropic-${NOW.getTime()}` && c.provider === 'anthropic')).toBe(true)
  expect(chunks[0]!.choices[0]!.delta).toEqual({ content: '', role: 'assistant' })
  const finish = chunks.at(-1)!
  expect(finish.choices[0]!.finish_reason).toBe('end_turn')
  const text = chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')
  expect(generationOf(emulator, key, 'as')).toMatchObject({ provider: 'anthropic', completion_tokens: finish.usage!.completion_tokens })
  expect(text.length).toBeGreaterThan(10)
})

test('completions and embeddings: OpenAI bodies, streamed completion chunks, records with their tokens', async () => {
  const key = freshKey('gw')
  const headers = { 'x-portkey-provider': 'openai' }
  const text = await post('/completions', key, { ...headers, 'x-portkey-trace-id': 'c1' }).send({
    model: 'gpt-3.5-turbo-instruct',
    prompt: 'Say hi',
  })
  expect(text.status).toBe(200)
  expect(llmSchemaErrors('CreateCompletionResponse', text.body)).toEqual([])
  expect(generationOf(emulator, key, 'c1').completion_tokens).toBe(text.body.usage.completion_tokens)

  const streamed = await stream(
    '/completions',
    key,
    { ...headers, 'x-portkey-trace-id': 'c2' },
    { model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', stream: true },
  )
  const events = parseSse(streamed.body as string)
  expect(events.at(-1)).toEqual({ data: '[DONE]' })
  expect(
    events
      .slice(0, -1)
      .map((e) => (e.data as { choices: { text: string }[] }).choices[0]!.text)
      .join(''),
  ).toBe(text.body.choices[0].text)
  expect(generationOf(emulator, key, 'c2').completion_tokens).toBe(text.body.usage.completion_tokens)

  const embedding = await post('/embeddings', key, { ...headers, 'x-portkey-trace-id': 'e1' }).send({
    model: 'text-embedding-3-small',
    input: ['a', 'b'],
  })
  expect(embedding.status).toBe(200)
  expectGatewayHeaders(embedding, 'openai', 'e1')
  expect(llmSchemaErrors('CreateEmbeddingResponse', embedding.body)).toEqual([])
  expect(generationOf(emulator, key, 'e1')).toMatchObject({
    model: 'text-embedding-3-small',
    prompt_tokens: embedding.body.usage.prompt_tokens,
    completion_tokens: 0,
  })
})

test('messages: the Anthropic body and named events, the Portkey key as x-api-key, metadata.user_id as _user', async () => {
  const key = freshKey('gw')
  const body = {
    model: 'claude-3-5-haiku-20241022',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Hello' }],
    metadata: { user_id: 'u-7' },
  }
  const res = await request(app)
    .post('/portkey/v1/messages')
    .set({ 'x-api-key': key, 'x-portkey-provider': 'anthropic', 'x-portkey-trace-id': 'm1' })
    .send(body)
  expect(res.status).toBe(200)
  expectGatewayHeaders(res, 'anthropic', 'm1')
  expect(llmSchemaErrors('AnthropicMessage', res.body)).toEqual([])
  expect(generationOf(emulator, key, 'm1')).toMatchObject({
    provider: 'anthropic',
    prompt_tokens: res.body.usage.input_tokens,
    completion_tokens: res.body.usage.output_tokens,
    metadata: { _user: 'u-7' },
  })

  const streamed = await stream(
    '/messages',
    key,
    { 'x-portkey-provider': 'anthropic', 'x-portkey-trace-id': 'm2' },
    { ...body, stream: true },
  )
  const events = parseSse(streamed.body as string)
  for (const e of events) expect(llmSchemaErrors('AnthropicMessageStreamEvent', e.data)).toEqual([])
  expect(events.map((e) => e.event)).toEqual(
    expect.arrayContaining(['message_start', 'content_block_delta', 'message_delta', 'message_stop']),
  )
  expect(events.at(-1)!.event).toBe('message_stop')
  expect(generationOf(emulator, key, 'm2').completion_tokens).toBe(res.body.usage.output_tokens)
})

test("the gateway's own refusals: 401, no provider, unknown provider, bad config, content type; nothing stored, no x-portkey headers", async () => {
  const key = freshKey('gw')
  const cases: [Record<string, string>, number, Record<string, unknown>][] = [
    [{ 'x-portkey-api-key': '' }, 401, { status: 'failure', message: 'Invalid API Key' }],
    [{}, 400, { status: 'failure', message: 'Either x-portkey-config or x-portkey-provider header is required' }],
    [{ 'x-portkey-provider': 'opena1' }, 400, { status: 'failure', message: 'Invalid provider passed' }],
    [{ 'x-portkey-config': '{"provider":' }, 400, { status: 'failure', message: 'Invalid config passed. You need to pass a valid json' }],
    [{ 'x-portkey-provider': 'openai', 'content-type': 'text/plain' }, 400, { status: 'failure', message: 'Invalid content type passed' }],
  ]
  for (const [headers, status, body] of cases) {
    const sent = post('/chat/completions', key, headers)
    const res = await (headers['content-type'] === undefined ? sent.send(CHAT) : sent.send(JSON.stringify(CHAT)))
    expect(res.status, JSON.stringify(headers)).toBe(status)
    expect(res.body).toEqual(body)
    expect(res.headers['x-portkey-trace-id']).toBeUndefined()
  }
  expect(generationsOf(emulator, key)).toEqual([])
})

test('a body that is not JSON, or none: the gateway handler fails with 500 "Something went wrong"', async () => {
  const key = freshKey('gw')
  const malformed = await post('/chat/completions', key, { 'x-portkey-provider': 'openai', 'content-type': 'application/json' }).send(
    '{"model":',
  )
  expect(malformed.status).toBe(500)
  expect(malformed.body).toEqual({ status: 'failure', message: 'Something went wrong' })
  const absent = await post('/chat/completions', key, { 'x-portkey-provider': 'openai' })
  expect(absent.status).toBe(500)
  expect(absent.body).toEqual({ status: 'failure', message: 'Something went wrong' })
  expect(generationsOf(emulator, key)).toEqual([])
})

test("the provider's refusal of a body: 400 relayed with the gateway's headers and logged with status 400", async () => {
  const key = freshKey('gw')
  const res = await post('/chat/completions', key, { 'x-portkey-provider': 'openai', 'x-portkey-trace-id': 'bad-1' }).send({
    model: 'gpt-4o',
  })
  expect(res.status).toBe(400)
  expectGatewayHeaders(res, 'openai', 'bad-1')
  expect(res.body).toEqual({
    error: {
      message: "openai error: Missing required parameter: 'messages'.",
      type: 'invalid_request_error',
      param: 'messages',
      code: null,
    },
    provider: 'openai',
  })
  expect(generationOf(emulator, key, 'bad-1')).toMatchObject({ status_code: 400, prompt_tokens: 0, completion_tokens: 0, cost: 0 })

  const dims = await post('/embeddings', key, { 'x-portkey-provider': 'openai', 'x-portkey-trace-id': 'bad-2' }).send({
    model: 'text-embedding-ada-002',
    input: 'x',
    dimensions: 8,
  })
  expect(dims.status).toBe(400)
  expect(dims.body.error).toMatchObject({
    message: 'openai error: This model does not support specifying dimensions.',
    param: 'dimensions',
  })
  expect(generationOf(emulator, key, 'bad-2').status_code).toBe(400)

  const anthropic = await post('/messages', key, { 'x-portkey-provider': 'anthropic', 'x-portkey-trace-id': 'bad-3' }).send({
    model: 'claude-3-5-haiku-20241022',
    messages: [{ role: 'user', content: 'x' }],
  })
  expect(anthropic.status).toBe(400)
  expect(anthropic.body).toEqual({
    error: { message: 'anthropic error: max_tokens: Field required', type: 'invalid_request_error', param: null, code: null },
    provider: 'anthropic',
  })
})

test('cache: MISS, then HIT with the same answer (cost 0), REFRESH when forced, and a reset empties it', async () => {
  const key = freshKey('gw')
  const headers = { 'x-portkey-config': JSON.stringify({ provider: 'openai', cache: { mode: 'simple' } }) }
  const miss = await post('/chat/completions', key, { ...headers, 'x-portkey-trace-id': 'k1' }).send(CHAT)
  expect(miss.headers['x-portkey-cache-status']).toBe('MISS')
  const hit = await post('/chat/completions', key, { ...headers, 'x-portkey-trace-id': 'k2' }).send(CHAT)
  expect(hit.headers['x-portkey-cache-status']).toBe('HIT')
  expect(hit.body).toEqual(miss.body)
  expect(generationOf(emulator, key, 'k1').cost).toBeGreaterThan(0)
  expect(generationOf(emulator, key, 'k2')).toMatchObject({ cache_status: 'HIT', cost: 0, prompt_tokens: miss.body.usage.prompt_tokens })

  const streamedHit = await stream('/chat/completions', key, headers, { ...CHAT, stream: true })
  expect(streamedHit.headers['x-portkey-cache-status']).toBe('HIT')
  expect(parseSse(streamedHit.body as string)[0]!.data).toMatchObject({ id: miss.body.id })

  const other = await post('/chat/completions', key, { ...headers, 'x-portkey-cache-namespace': 'n2' }).send(CHAT)
  expect(other.headers['x-portkey-cache-status']).toBe('MISS')
  const refresh = await post('/chat/completions', key, { ...headers, 'x-portkey-cache-force-refresh': 'true' }).send(CHAT)
  expect(refresh.headers['x-portkey-cache-status']).toBe('REFRESH')
  expect(refresh.body.id).not.toBe(miss.body.id)

  await emulator.reset({ apiKey: key })
  const afterReset = await post('/chat/completions', key, headers).send(CHAT)
  expect(afterReset.headers['x-portkey-cache-status']).toBe('MISS')
})

test('a feedback on a gateway trace counts in every feedback graph', async () => {
  const key = freshKey('gw')
  await post('/chat/completions', key, {
    'x-portkey-provider': 'openai',
    'x-portkey-trace-id': 'fb-1',
    'x-portkey-metadata': '{"_user":"ann"}',
  }).send(CHAT)
  await post('/messages', key, { 'x-portkey-provider': 'anthropic', 'x-portkey-trace-id': 'fb-2' }).send({
    model: 'claude-3-5-haiku-20241022',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
  })
  await request(app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send({ trace_id: 'fb-1', value: 5, weight: 0.5 })
    .expect(200)
  await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send({ trace_id: 'fb-2', value: -1 }).expect(200)

  const window = { time_of_generation_min: '2026-03-02T09:00:00Z', time_of_generation_max: '2026-03-02T10:00:00Z' }
  const graph = (path: string, query: Record<string, string> = {}) =>
    request(app)
      .get(`/portkey/v1/analytics/graphs/feedbacks${path}`)
      .set('x-portkey-api-key', key)
      .query({ ...window, ...query })
  expect((await graph('/scores')).body).toEqual({
    summary: { total: 2 },
    data_points: [
      { score: -1, total: 1 },
      { score: 5, total: 1 },
    ],
    object: 'analytics-graph',
  })
  expect((await graph('')).body.summary).toEqual({ total: 2 })
  expect((await graph('/weighted')).body.summary).toEqual({ avg: 0.75 })
  expect((await graph('/ai-models')).body.data_points).toEqual([
    { ai_model: 'claude-3-5-haiku-20241022', total: 1, avg_weighted_feedback: -1 },
    { ai_model: 'gpt-4o-mini', total: 1, avg_weighted_feedback: 2.5 },
  ])
  expect((await graph('/scores', { metadata: '{"_user":"ann"}', ai_org_model: 'openai__gpt-4o-mini' })).body.summary).toEqual({ total: 1 })
})

test('a scripted answer (vendor portkey) is what the gateway returns and what the record counts', async () => {
  const key = freshKey('gw')
  emulator.completions.add({ vendor: 'portkey', match: 'scripted please', content: 'Scripted reply.', times: 1 })
  const res = await post('/chat/completions', key, { 'x-portkey-provider': 'openai', 'x-portkey-trace-id': 'r1' }).send({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'scripted please' }],
  })
  expect(res.body.choices[0].message.content).toBe('Scripted reply.')
  expect(generationOf(emulator, key, 'r1').completion_tokens).toBe(res.body.usage.completion_tokens)
})

test('--keys: an unlisted key is refused; a listed key stamps its id and workspace on the record', async () => {
  const scoped = await createTestEmulator({
    now: () => NOW,
    keys: { portkey: [{ key: 'pk-ws', tenant: 'acme', id: 'key-id-1', type: 'workspace', workspace_slug: 'support' }] },
  })
  try {
    const refused = await request(scoped.app)
      .post('/portkey/v1/chat/completions')
      .set({ 'x-portkey-api-key': 'pk-other', 'x-portkey-provider': 'openai' })
      .send(CHAT)
    expect(refused.status).toBe(401)
    expect(refused.body).toEqual({ status: 'failure', message: 'Invalid API Key' })
    const ok = await request(scoped.app)
      .post('/portkey/v1/chat/completions')
      .set({ 'x-portkey-api-key': 'pk-ws', 'x-portkey-provider': 'openai', 'x-portkey-trace-id': 'ws-1' })
      .send(CHAT)
    expect(ok.status).toBe(200)
    expect(generationOf(scoped, 'acme', 'ws-1')).toMatchObject({ api_key_id: 'key-id-1', workspace_slug: 'support' })
  } finally {
    await scoped.close()
  }
})
