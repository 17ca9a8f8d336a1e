// Helicone's proxy (`/helicone/oai/v1`, `/helicone/anthropic`, `/helicone/gateway/v1`) driven by the real
// clients, unchanged but for their base URL and headers: openai v4 and v5, @anthropic-ai/sdk. Every streamed
// event is checked against specs/llm-apis.yaml; every stored row is read back through jawn's own query API
// with HeliconeAPIClient.
import { randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import Anthropic from '@anthropic-ai/sdk'
import { HeliconeAPIClient } from '@helicone/helicone'
import OpenAI from 'openai'
import OpenAIv5 from 'openai-v5'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../../src/emulator.ts'
import { costInHeliconeUnits } from '../../../src/pricing/prices.ts'
import { freshKey, startTestEmulator } from '../../helpers/create-test-emulator.ts'
import { llmSchemaErrors } from '../../helpers/llm-api-schemas.ts'

let emulator: Emulator & { url: string }
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(async () => {
  await emulator.close()
})

type Row = Record<string, unknown> & { request_id: string; scores: Record<string, number> }
type RawPost = (path: string, init: { body: unknown }) => Promise<{ data?: unknown; response: Response }>

/** The tenant's stored rows, newest first, as jawn's `/v1/request/query` returns them. */
async function rows(heliconeKey: string, filter: unknown = 'all'): Promise<Row[]> {
  const api = new HeliconeAPIClient({ apiKey: heliconeKey, baseURL: `${emulator.url}/helicone` })
  const post = (api.rawClient as unknown as { POST: RawPost }).POST.bind(api.rawClient)
  const result = await post('/v1/request/query', { body: { filter, limit: 100, offset: 0, sort: { created_at: 'desc' } } })
  expect(result.response.status).toBe(201)
  return (result.data as { data: Row[] }).data
}

function openai(heliconeKey: string | null, headers: Record<string, string> = {}) {
  return new OpenAI({
    apiKey: 'sk-provider-key',
    baseURL: `${emulator.url}/helicone/oai/v1`,
    defaultHeaders: { ...(heliconeKey === null ? {} : { 'Helicone-Auth': `Bearer ${heliconeKey}` }), ...headers },
  })
}

test('openai v4 through the proxy: Helicone-Id is the sent request id, and the call is one row with every column filled', async () => {
  const key = freshKey('sk-helicone')
  const client = openai(key, { 'Helicone-User-Id': 'alice', 'Helicone-Property-Environment': 'Prod' })
  const requestId = randomUUID()
  const { data, response } = await client.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] },
      { headers: { 'Helicone-Request-Id': requestId, 'Helicone-Session-Id': 'session-1', 'Helicone-Session-Path': '/chat' } },
    )
    .withResponse()
  expect(response.headers.get('helicone-id')).toBe(requestId)
  expect(response.headers.get('helicone-status')).toBe('success')
  expect(response.headers.get('helicone-cache')).toBeNull()
  expect(llmSchemaErrors('CreateChatCompletionResponse', data)).toEqual([])
  // The id never goes into the body.
  expect(JSON.stringify(data)).not.toContain(requestId)

  const [row, ...others] = (await rows(key)) as [Row, ...Row[]]
  expect(others).toEqual([])
  const usage = data.usage!
  expect(row).toMatchObject({
    request_id: requestId,
    model: 'gpt-4o-mini',
    provider: 'OPENAI',
    request_user_id: 'alice',
    response_status: 200,
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    time_to_first_token: 0,
    target_url: 'https://api.openai.com/v1/chat/completions',
    cache_reference_id: '00000000-0000-0000-0000-000000000000',
    cache_enabled: false,
    properties: { environment: 'Prod', 'Helicone-Session-Id': 'session-1', 'Helicone-Session-Path': '/chat' },
    request_body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] },
    response_body: data,
  })
  // Cost from the price table, as stored (USD × 1e9): the row's `cost` is that in USD.
  expect(Math.round((row['cost'] as number) * 1e9)).toBe(costInHeliconeUnits('gpt-4o-mini', usage.prompt_tokens, usage.completion_tokens))
  expect(row['cost']).toBeGreaterThan(0)
  // The engine's latency (20 ms by default) is in the stored latency.
  expect(row['delay_ms']).toBeGreaterThanOrEqual(20)
})

test('openai v5 streaming through the proxy: chunks as OpenAI streams them, no usage unless asked, so the row has 0 tokens and 0 cost', async () => {
  const key = freshKey('sk-helicone')
  const client = new OpenAIv5({
    apiKey: 'sk-provider-key',
    baseURL: `${emulator.url}/helicone/oai/v1`,
    defaultHeaders: { 'Helicone-Auth': `Bearer ${key}` },
  })
  const { data: stream, response } = await client.chat.completions
    .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Tell me a story' }], stream: true })
    .withResponse()
  const heliconeId = response.headers.get('helicone-id')
  expect(heliconeId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  let text = ''
  const chunks: unknown[] = []
  for await (const chunk of stream) {
    chunks.push(chunk)
    text += chunk.choices[0]?.delta?.content ?? ''
  }
  expect(chunks.length).toBeGreaterThan(2)
  for (const chunk of chunks) expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
  expect(chunks.some((c) => (c as { usage?: unknown }).usage)).toBe(false)

  const [row] = (await rows(key)) as [Row]
  // jawn counts an OpenAI stream without a usage chunk as -1 tokens and stores 0 (Helicone's "enable stream usage").
  expect(row).toMatchObject({
    request_id: heliconeId,
    response_status: 200,
    prompt_tokens: 0,
    completion_tokens: 0,
    cost: 0,
    model: 'gpt-4o',
  })
  expect(row['time_to_first_token']).toBeGreaterThan(0)
  expect(row['delay_ms']).toBeGreaterThanOrEqual(row['time_to_first_token'] as number)
  expect((row['response_body'] as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(text)
})

test('openai v5 streaming with Helicone-Stream-Usage: the usage chunk is forced on, and the row has the tokens', async () => {
  const key = freshKey('sk-helicone')
  const client = new OpenAIv5({
    apiKey: 'sk-provider-key',
    baseURL: `${emulator.url}/helicone/oai/v1`,
    defaultHeaders: { 'Helicone-Auth': `Bearer ${key}`, 'Helicone-Stream-Usage': 'true' },
  })
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Count to three' }],
    stream: true,
  })
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined
  for await (const chunk of stream) {
    expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
    if (chunk.usage) usage = chunk.usage
  }
  expect(usage).toBeDefined()
  const [row] = (await rows(key)) as [Row]
  expect(row).toMatchObject({ prompt_tokens: usage!.prompt_tokens, completion_tokens: usage!.completion_tokens })
  expect(row['request_body']).toMatchObject({ stream: true, stream_options: { include_usage: true } })
  expect(Math.round((row['cost'] as number) * 1e9)).toBe(costInHeliconeUnits('gpt-4o', usage!.prompt_tokens, usage!.completion_tokens))
})

test('legacy completions and embeddings go through the same proxy and are logged', async () => {
  const key = freshKey('sk-helicone')
  const client = openai(key)
  const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' })
  expect(llmSchemaErrors('CreateCompletionResponse', completion)).toEqual([])
  const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' })
  expect(embedding.data[0]?.embedding.length).toBe(1536)
  const stored = await rows(key)
  expect(stored.map((r) => [r['model'], r['target_url'], r['prompt_tokens'], r['completion_tokens']])).toEqual([
    ['text-embedding-3-small', 'https://api.openai.com/v1/embeddings', embedding.usage.prompt_tokens, 0],
    [
      'gpt-3.5-turbo-instruct',
      'https://api.openai.com/v1/completions',
      completion.usage!.prompt_tokens,
      completion.usage!.completion_tokens,
    ],
  ])
})

test('a UUIDv7 or malformed Helicone-Request-Id is replaced by a fresh UUIDv4, silently', async () => {
  const key = freshKey('sk-helicone')
  const v7 = '01890a5d-ac96-774b-bcce-b302099a8057'
  const { response } = await openai(key, { 'Helicone-Request-Id': v7 })
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .withResponse()
  const id = response.headers.get('helicone-id')!
  expect(id).not.toBe(v7)
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/)
  expect((await rows(key)).map((r) => r.request_id)).toEqual([id])
})

test('no Helicone-Auth, or one without Bearer: the call is answered with a Helicone-Id but not logged, so a score on it lands nowhere', async () => {
  const key = freshKey('sk-helicone')
  const { data, response } = await openai(null)
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .withResponse()
  expect(data.choices[0]?.message.content).toContain('gpt-4o-mini')
  const id = response.headers.get('helicone-id')!
  expect(id).toMatch(/^[0-9a-f-]{36}$/)
  // Without Bearer the worker's key check fails too.
  await openai(null, { 'Helicone-Auth': key }).chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  })
  const api = new HeliconeAPIClient({ apiKey: key, baseURL: `${emulator.url}/helicone` })
  const scored = await api.rawClient.POST('/v1/request/{requestId}/score', {
    params: { path: { requestId: id } },
    body: { scores: { accuracy: 90 } },
  })
  expect(scored.response.status).toBe(201)
  expect(await rows(key)).toEqual([])
})

test('the Helicone key as the OpenAI api key (Authorization fallback) is logged; a provider key there is not', async () => {
  const key = freshKey('sk-helicone')
  const client = new OpenAI({ apiKey: key, baseURL: `${emulator.url}/helicone/oai/v1` })
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], user: 'bob' })
  const [row] = (await rows(key)) as [Row]
  // No Helicone-User-Id: the body's `user`.
  expect(row).toMatchObject({ request_user_id: 'bob' })
  const providerKey = freshKey('sk-proj')
  await new OpenAI({ apiKey: providerKey, baseURL: `${emulator.url}/helicone/oai/v1` }).chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  })
  expect(await rows(providerKey)).toEqual([])
})

test('the provider refuses a bad body and a missing key in its own shape, with Helicone headers, and the refusal is logged with its status', async () => {
  const key = freshKey('sk-helicone')
  const requestId = randomUUID()
  const bad = await fetch(`${emulator.url}/helicone/oai/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-x',
      'helicone-auth': `Bearer ${key}`,
      'helicone-request-id': requestId,
    },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'wizard', content: 'hi' }] }),
  })
  expect(bad.status).toBe(400)
  expect(bad.headers.get('helicone-id')).toBe(requestId)
  expect(await bad.json()).toEqual({
    error: {
      message: "Invalid value: 'wizard'. Supported values are: 'developer', 'system', 'user', 'assistant', 'tool', and 'function'.",
      type: 'invalid_request_error',
      param: 'messages[0].role',
      code: 'invalid_value',
    },
  })
  const noKey = await fetch(`${emulator.url}/helicone/oai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'helicone-auth': `Bearer ${key}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(noKey.status).toBe(401)
  expect(((await noKey.json()) as { error: { message: string } }).error.message).toMatch(/^You didn't provide an API key/)
  const stored = await rows(key)
  expect(stored.map((r) => [r['response_status'], r['prompt_tokens'], r['cost']])).toEqual([
    [401, 0, 0],
    [400, 0, 0],
  ])
  expect(stored[1]?.request_id).toBe(requestId)
  // The client sees OpenAI's error as its own.
  const error = await openai(key)
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [] as never })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(OpenAI.BadRequestError)
  expect((error as InstanceType<typeof OpenAI.BadRequestError>).headers?.['helicone-id']).toMatch(/^[0-9a-f-]{36}$/)
})

test('cache: MISS stores the answer, the same call then HITs with the stored bytes, a new Helicone-Id, and a row pointing at the original', async () => {
  const key = freshKey('sk-helicone')
  const client = openai(key, { 'Helicone-Cache-Enabled': 'true' })
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Cache me' }] }
  const first = await client.chat.completions.create(body).withResponse()
  expect(first.response.headers.get('helicone-cache')).toBe('MISS')
  const second = await client.chat.completions.create(body).withResponse()
  expect(second.response.headers.get('helicone-cache')).toBe('HIT')
  expect(second.response.headers.get('helicone-cache-bucket-idx')).toBe('0')
  expect(Number(second.response.headers.get('helicone-cache-latency'))).toBeGreaterThanOrEqual(20)
  expect(second.data).toEqual(first.data)
  const originalId = first.response.headers.get('helicone-id')!
  const hitId = second.response.headers.get('helicone-id')!
  expect(hitId).not.toBe(originalId)
  // Another body is another key: a miss.
  const third = await client.chat.completions.create({ ...body, temperature: 0 }).withResponse()
  expect(third.response.headers.get('helicone-cache')).toBe('MISS')

  const stored = await rows(key)
  const hit = stored.find((r) => r.request_id === hitId)!
  const original = stored.find((r) => r.request_id === originalId)!
  expect(hit).toMatchObject({
    cache_reference_id: originalId,
    cache_enabled: true,
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
  })
  expect(hit['properties']).toEqual({ 'Helicone-Cache-Enabled': 'true' })
  expect(original).toMatchObject({
    cache_reference_id: '00000000-0000-0000-0000-000000000000',
    prompt_tokens: first.data.usage!.prompt_tokens,
  })
  // jawn zeroes only the tokens of a hit: the cost is still priced from the stored body's usage.
  expect(hit['cost']).toBe(original['cost'])
  const cached = await rows(key, { request_response_rmt: { cached: { equals: true } } })
  expect(cached.map((r) => r.request_id)).toEqual([hitId])
})

test('cache: a bucket of two fills both slots before hitting, a stream is replayed as it was, and a bucket over 20 is the worker 500', async () => {
  const key = freshKey('sk-helicone')
  const client = openai(key, { 'Helicone-Cache-Enabled': 'true', 'Helicone-Cache-Bucket-Max-Size': '2' })
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Bucket me' }] }
  const statuses: (string | null)[] = []
  const ids: string[] = []
  for (let i = 0; i < 4; i++) {
    const { data, response } = await client.chat.completions.create(body).withResponse()
    statuses.push(response.headers.get('helicone-cache'))
    ids.push(data.id)
  }
  expect(statuses).toEqual(['MISS', 'MISS', 'HIT', 'HIT'])
  // Two distinct answers stored; the hits serve them in turn.
  expect(new Set(ids).size).toBe(2)
  expect(new Set(ids.slice(2))).toEqual(new Set(ids.slice(0, 2)))

  const streaming = openai(key, { 'Helicone-Cache-Enabled': 'true' })
  const read = async () => {
    const { data, response } = await streaming.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream me' }], stream: true })
      .withResponse()
    const chunks: unknown[] = []
    for await (const chunk of data) chunks.push(chunk)
    return { chunks, cache: response.headers.get('helicone-cache') }
  }
  const live = await read()
  const replay = await read()
  expect([live.cache, replay.cache]).toEqual(['MISS', 'HIT'])
  expect(replay.chunks).toEqual(live.chunks)
  for (const chunk of replay.chunks) expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])

  const tooBig = await fetch(`${emulator.url}/helicone/oai/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-x',
      'helicone-cache-enabled': 'true',
      'helicone-cache-bucket-max-size': '21',
    },
    body: JSON.stringify(body),
  })
  expect(tooBig.status).toBe(500)
  expect(await tooBig.text()).toBe('Cache bucket size cannot be greater than 20')
})

test('__helicone-mock-response: the JSON is answered as it is and logged with its usage; JSON that does not parse is the worker 400', async () => {
  const key = freshKey('sk-helicone')
  const mock = {
    id: 'mock-1',
    model: 'gpt-4o',
    choices: [{ message: { role: 'assistant', content: 'pinned' } }],
    usage: { prompt_tokens: 11, completion_tokens: 7 },
  }
  const res = await fetch(`${emulator.url}/helicone/oai/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-x',
      'helicone-auth': `Bearer ${key}`,
      '__helicone-mock-response': JSON.stringify(mock),
    },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('application/json')
  expect(await res.json()).toEqual(mock)
  const bad = await fetch(`${emulator.url}/helicone/oai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'helicone-auth': `Bearer ${key}`, '__helicone-mock-response': '{not json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(bad.status).toBe(400)
  expect(await bad.json()).toMatchObject({
    error: 'Invalid mock response format',
    message: 'The __helicone-mock-response header must contain valid JSON',
  })
  const [failed, pinned] = await rows(key)
  // The model of the answer wins over the request's.
  expect(pinned).toMatchObject({ model: 'gpt-4o', prompt_tokens: 11, completion_tokens: 7, response_status: 200, response_body: mock })
  expect(Math.round((pinned!['cost'] as number) * 1e9)).toBe(costInHeliconeUnits('gpt-4o', 11, 7))
  expect(failed).toMatchObject({ response_status: 400, model: 'gpt-4o-mini' })
})

test('a client that leaves mid-stream leaves a row with the status Helicone logs for a cancelled stream (-3)', async () => {
  const key = freshKey('sk-helicone')
  // 128 choices of 100,000 characters: far more than the socket buffers hold while the client reads nothing.
  await emulator.completions.add({
    vendor: 'helicone',
    match: 'a long one',
    content: 'lorem ipsum '.repeat(8000),
    usage: { completionTokens: 16000 },
  })
  const requestId = randomUUID()
  const payload = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a long one' }], n: 128, stream: true })
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      `${emulator.url}/helicone/oai/v1/chat/completions`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer sk-x',
          'helicone-auth': `Bearer ${key}`,
          'helicone-request-id': requestId,
        },
      },
      (res) => {
        expect(res.headers['helicone-id']).toBe(requestId)
        res.once('data', () => {
          res.pause()
          setTimeout(() => {
            req.destroy()
            resolve()
          }, 50)
        })
      },
    )
    req.on('error', (error) =>
      error.message.includes('aborted') || (error as { code?: string }).code === 'ECONNRESET' ? undefined : reject(error),
    )
    req.end(payload)
  })
  await expect.poll(async () => (await rows(key)).map((r) => r['response_status']), { timeout: 5000 }).toEqual([-3])
  const [row] = (await rows(key)) as [Row]
  expect(row).toMatchObject({ request_id: requestId, prompt_tokens: 0, completion_tokens: 0 })
  expect(row!['time_to_first_token']).toBeGreaterThan(0)
  expect(typeof row!['response_body']).toBe('string')
  expect(row!['response_body'] as string).toMatch(/^data: \{/)
  await emulator.completions.clear()
})

test('@anthropic-ai/sdk through /anthropic: messages and a stream, logged as ANTHROPIC with the usage Anthropic reports', async () => {
  const key = freshKey('sk-helicone')
  const client = new Anthropic({
    apiKey: 'sk-ant-provider',
    baseURL: `${emulator.url}/helicone/anthropic`,
    defaultHeaders: { 'Helicone-Auth': `Bearer ${key}`, 'Helicone-User-Id': 'carol' },
  })
  const requestId = randomUUID()
  const { data: message, response } = await client.messages
    .create(
      { model: 'claude-3-5-haiku-20241022', max_tokens: 256, messages: [{ role: 'user', content: 'Hello Claude' }] },
      { headers: { 'Helicone-Request-Id': requestId } },
    )
    .withResponse()
  expect(response.headers.get('helicone-id')).toBe(requestId)
  expect(llmSchemaErrors('AnthropicMessage', message)).toEqual([])

  const stream = client.messages.stream({
    model: 'claude-3-5-haiku-20241022',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Stream, Claude' }],
  })
  const events: unknown[] = []
  for await (const event of stream) events.push(event)
  for (const event of events) expect(llmSchemaErrors('AnthropicMessageStreamEvent', event)).toEqual([])
  const final = await stream.finalMessage()

  const [streamed, plain] = await rows(key)
  expect(plain).toMatchObject({
    request_id: requestId,
    provider: 'ANTHROPIC',
    model: 'claude-3-5-haiku-20241022',
    request_user_id: 'carol',
    prompt_tokens: message.usage.input_tokens,
    completion_tokens: message.usage.output_tokens,
    target_url: 'https://api.anthropic.com/v1/messages',
  })
  expect(Math.round((plain!['cost'] as number) * 1e9)).toBe(
    costInHeliconeUnits('claude-3-5-haiku-20241022', message.usage.input_tokens, message.usage.output_tokens),
  )
  expect(streamed).toMatchObject({
    prompt_tokens: final.usage.input_tokens,
    completion_tokens: final.usage.output_tokens,
    response_status: 200,
  })
  expect(streamed!['time_to_first_token']).toBeGreaterThan(0)

  const noVersion = await fetch(`${emulator.url}/helicone/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant', 'helicone-auth': `Bearer ${key}` },
    body: JSON.stringify({ model: 'claude-3-5-haiku-20241022', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(noVersion.status).toBe(400)
  expect(await noVersion.json()).toEqual({
    type: 'error',
    error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
  })
  const badBody = await client.messages
    .create({ model: 'claude-3-5-haiku-20241022', messages: [{ role: 'user', content: 'hi' }] } as never)
    .catch((e: unknown) => e)
  expect(badBody).toBeInstanceOf(Anthropic.BadRequestError)
  expect((badBody as InstanceType<typeof Anthropic.BadRequestError>).message).toContain('max_tokens: Field required')
})

test('the gateway takes its upstream from Helicone-Target-URL: the provider and target_url come from it, the path is the request’s', async () => {
  const key = freshKey('sk-helicone')
  const client = new OpenAI({
    apiKey: 'gsk-provider',
    baseURL: `${emulator.url}/helicone/gateway/v1`,
    defaultHeaders: { 'Helicone-Auth': `Bearer ${key}`, 'Helicone-Target-URL': 'https://api.groq.com/openai' },
  })
  await client.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] })
  const custom = new OpenAI({
    apiKey: 'x',
    baseURL: `${emulator.url}/helicone/gateway/v1`,
    defaultHeaders: { 'Helicone-Auth': `Bearer ${key}`, 'Helicone-Target-URL': 'https://LLM.Example.com' },
  })
  await custom.chat.completions.create({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] })
  const stored = await rows(key)
  expect(stored.map((r) => [r['provider'], r['target_url']])).toEqual([
    ['https://llm.example.com', 'https://llm.example.com/v1/chat/completions'],
    ['GROQ', 'https://api.groq.com/v1/chat/completions'],
  ])
  const missing = await fetch(`${emulator.url}/helicone/gateway/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(missing.status).toBe(400)
  expect(await missing.text()).toBe('Missing target base url')
})

test('other paths under the proxy mounts answer the provider’s 404, unauthenticated and unlogged', async () => {
  const models = await fetch(`${emulator.url}/helicone/oai/v1/models`)
  expect(models.status).toBe(404)
  expect(await models.json()).toEqual({
    error: { message: 'Invalid URL (GET /v1/models)', type: 'invalid_request_error', param: null, code: null },
  })
  const complete = await fetch(`${emulator.url}/helicone/anthropic/v1/complete`, { method: 'POST' })
  expect(complete.status).toBe(404)
  expect(await complete.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'Not Found' } })
  // The manual-logging routes under /oai and /anthropic are unchanged.
  const log = await fetch(`${emulator.url}/helicone/oai/v1/log`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })
  expect(log.status).toBe(401)
})

test('the worker’s own failures are answered before any provider call and not logged', async () => {
  const key = freshKey('sk-helicone')
  const post = (path: string, headers: Record<string, string>) =>
    fetch(`${emulator.url}/helicone${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x', 'helicone-auth': `Bearer ${key}`, ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
  const apiBase = await post('/oai/v1/chat/completions', { 'helicone-openai-api-base': 'https://evil.example.com' })
  expect([apiBase.status, await apiBase.text()]).toEqual([500, 'Invalid API base "https://evil.example.com"'])
  for (const [path, headers, message] of [
    ['/gateway/v1/chat/completions', { 'helicone-target-url': 'not a url' }, 'Invalid URL'],
    ['/oai/v1/chat/completions', { 'helicone-prompt-mode': 'draft' }, 'Invalid prompt mode'],
  ] as const) {
    const res = await post(path, headers)
    expect(res.status).toBe(500)
    expect(res.headers.get('helicone-error')).toBe('true')
    expect(await res.json()).toEqual({
      'helicone-message': `Helicone ran into an error servicing your request: ${message}`,
      support: "Please reach out on our discord or email us at help@helicone.ai, we'd love to help!",
      'helicone-error': '{}',
    })
  }
  // An Azure api base is accepted, and names the provider.
  const azure = await post('/oai/v1/chat/completions', { 'helicone-openai-api-base': 'https://my-resource.openai.azure.com' })
  expect(azure.status).toBe(200)
  expect((await rows(key)).map((r) => [r['provider'], r['target_url']])).toEqual([
    ['AZURE', 'https://my-resource.openai.azure.com/v1/chat/completions'],
  ])
})

test('@helicone/helicone’s own HeliconeProxyOpenAI: its Helicone-Auth, properties, user and cache headers reach the rows', async () => {
  const { HeliconeProxyOpenAI } = await import('@helicone/helicone')
  const key = freshKey('sk-helicone')
  const client = new HeliconeProxyOpenAI({
    apiKey: 'sk-provider-key',
    heliconeMeta: { apiKey: key, baseUrl: `${emulator.url}/helicone/oai/v1`, properties: { Feature: 'search' }, user: 'erin', cache: true },
  })
  // The package's instrumentation wraps `create` (no `.withResponse()`): the rows tell the story.
  const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Find it' }] })
  const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Find it' }] })
  expect(second).toEqual(first)
  const [hit, miss] = (await rows(key)) as [Row, Row]
  expect(hit['cache_reference_id']).toBe(miss.request_id)
  expect(miss['cache_reference_id']).toBe('00000000-0000-0000-0000-000000000000')
  for (const row of [hit, miss])
    expect(row).toMatchObject({ request_user_id: 'erin', properties: { feature: 'search', 'Helicone-Cache-Enabled': 'true' } })
})

test('a body `user` of any JSON type is logged as text, never a 500 (found by the fuzz suite: {"toString": 1} made String() throw)', async () => {
  const key = freshKey('helicone')
  for (const user of [{ toString: 1 }, ['a', 1], 42]) {
    const res = await fetch(`${emulator.url}/helicone/oai/v1/embeddings`, {
      method: 'POST',
      headers: { 'helicone-auth': `Bearer ${key}`, authorization: 'Bearer sk-provider-key', 'content-type': 'application/json' },
      body: JSON.stringify({ input: [481, 8], model: 'text-embedding-3-small', user }),
    })
    const body = (await res.json()) as { error?: { param?: string; code?: string } }
    expect(res.status).toBe(400)
    expect(body.error).toMatchObject({ param: 'user', code: 'invalid_type' })
  }
  const logged = await rows(key)
  expect(logged.map((r) => r['request_user_id']).sort()).toEqual(['42', '["a",1]', '{"toString":1}'])
})

test('a message role named like an Object.prototype member is refused as OpenAI refuses an unknown role, not a 500', async () => {
  const res = await fetch(`${emulator.url}/helicone/oai/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'helicone-auth': `Bearer ${freshKey('helicone')}`,
      authorization: 'Bearer sk-provider-key',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'toString', content: 'hi' }] }),
  })
  expect(res.status).toBe(400)
  expect(((await res.json()) as { error: { param: string } }).error.param).toBe('messages[0].role')
})
