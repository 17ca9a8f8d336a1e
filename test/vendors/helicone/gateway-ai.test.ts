// Helicone's AI gateway (`/helicone/ai-gateway/v1`) driven by the real clients, unchanged but for their base
// URL and key: openai v4 and v5 (the Helicone key as their apiKey) and the Vercel AI SDK (ai v5) with
// @helicone/ai-sdk-provider, whose streams rely on the usage chunk the gateway always appends.
import { randomUUID } from 'node:crypto'
import { HeliconeAPIClient } from '@helicone/helicone'
import { createHelicone } from '@helicone/ai-sdk-provider'
import { generateText, streamText } from 'ai'
import OpenAI from 'openai'
import OpenAIv5 from 'openai-v5'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../../src/emulator.ts'
import { costInHeliconeUnits } from '../../../src/pricing/prices.ts'
import { freshKey, startTestEmulator } from '../../helpers/create-test-emulator.ts'
import { llmSchemaErrors } from '../../helpers/llm-api-schemas.ts'

let emulator: Emulator & { url: string }
/** An emulator that knows only the keys it lists (`--keys`), for the unknown-key 401. */
let listed: Emulator & { url: string }
const LISTED_KEY = 'sk-helicone-listed'
beforeAll(async () => {
  emulator = await startTestEmulator()
  listed = await startTestEmulator({ keys: { helicone: [{ key: LISTED_KEY }] } })
})
afterAll(async () => {
  await emulator.close()
  await listed.close()
})

type Row = Record<string, unknown> & { request_id: string }
type RawPost = (path: string, init: { body: unknown }) => Promise<{ data?: unknown; response: Response }>

function api(key: string) {
  const client = new HeliconeAPIClient({ apiKey: key, baseURL: `${emulator.url}/helicone` })
  return { client, post: (client.rawClient as unknown as { POST: RawPost }).POST.bind(client.rawClient) }
}

async function rows(key: string): Promise<Row[]> {
  const result = await api(key).post('/v1/request/query', { body: { filter: 'all', limit: 100, offset: 0, sort: { created_at: 'desc' } } })
  return (result.data as { data: Row[] }).data
}

test('openai v4 through the AI gateway: the Helicone key is the api key, gateway headers, a lower-case provider in the row', async () => {
  const key = freshKey('sk-helicone')
  const client = new OpenAI({ apiKey: key, baseURL: `${emulator.url}/helicone/ai-gateway/v1` })
  const requestId = randomUUID()
  const { data, response } = await client.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi gateway' }] },
      { headers: { 'Helicone-Request-Id': requestId } },
    )
    .withResponse()
  expect(llmSchemaErrors('CreateChatCompletionResponse', data)).toEqual([])
  expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('helicone-')))).toEqual({
    'helicone-id': requestId,
    'helicone-status': 'success',
    'helicone-gateway-mode': 'PTB',
    'helicone-provider': 'openai',
    'helicone-model': 'gpt-4o-mini',
  })
  // An explicit provider: the row's model is the model part, the answer is still OpenAI's shape.
  const claude = await client.chat.completions.create({
    model: 'claude-3-5-haiku/anthropic',
    messages: [{ role: 'user', content: 'Hi Claude' }],
  })
  expect(llmSchemaErrors('CreateChatCompletionResponse', claude)).toEqual([])
  expect(claude.model).toBe('claude-3-5-haiku')

  // Helicone's docs give the gateway's base URL with and without `/v1`: both answer.
  const root = new OpenAI({ apiKey: key, baseURL: `${emulator.url}/helicone/ai-gateway` })
  const viaRoot = await root.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi root' }] })
  expect(llmSchemaErrors('CreateChatCompletionResponse', viaRoot)).toEqual([])

  const [, anthropic, openai] = (await rows(key)) as [Row, Row, Row]
  expect(openai).toMatchObject({
    request_id: requestId,
    provider: 'openai',
    model: 'gpt-4o-mini',
    request_referrer: 'ai-gateway',
    target_url: 'https://api.openai.com/v1/chat/completions',
    prompt_tokens: data.usage!.prompt_tokens,
    completion_tokens: data.usage!.completion_tokens,
  })
  expect(Math.round((openai['cost'] as number) * 1e9)).toBe(
    costInHeliconeUnits('gpt-4o-mini', data.usage!.prompt_tokens, data.usage!.completion_tokens),
  )
  expect(anthropic).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku', target_url: 'https://api.anthropic.com/v1/messages' })
  expect(anthropic['cost']).toBeGreaterThan(0)
})

test('openai v5 and v4 streaming through the AI gateway: the usage chunk comes unasked, so the row has the tokens', async () => {
  const key = freshKey('sk-helicone')
  const client = new OpenAIv5({ apiKey: key, baseURL: `${emulator.url}/helicone/ai-gateway/v1` })
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Stream please' }],
    stream: true,
  })
  const chunks: { usage?: { prompt_tokens: number; completion_tokens: number } | null }[] = []
  for await (const chunk of stream) chunks.push(chunk)
  for (const chunk of chunks) expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
  const usage = chunks.at(-1)?.usage
  expect(usage).toBeTruthy()
  // And v5 without streaming, v4 streaming: the same gateway.
  const plain = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'No stream' }] })
  expect(llmSchemaErrors('CreateChatCompletionResponse', plain)).toEqual([])
  const v4 = new OpenAI({ apiKey: key, baseURL: `${emulator.url}/helicone/ai-gateway/v1` })
  const v4chunks: { usage?: unknown }[] = []
  for await (const chunk of await v4.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'v4 stream' }],
    stream: true,
  })) {
    expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
    v4chunks.push(chunk)
  }
  expect(v4chunks.at(-1)?.usage).toBeTruthy()

  const [, , row] = (await rows(key)) as [Row, Row, Row]
  expect(row).toMatchObject({ prompt_tokens: usage!.prompt_tokens, completion_tokens: usage!.completion_tokens, provider: 'openai' })
  expect(row['time_to_first_token']).toBeGreaterThan(0)
  expect(row['request_body']).toMatchObject({ stream: true, stream_options: { include_usage: true } })
})

test('the AI gateway refuses in plain text: no key, a key without Bearer, a key it does not know, a GET', async () => {
  const post = (url: string, headers: Record<string, string>) =>
    fetch(`${url}/helicone/ai-gateway/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
  const answers = [
    await post(emulator.url, {}),
    await post(emulator.url, { authorization: 'sk-helicone-no-bearer' }),
    await post(listed.url, { authorization: 'Bearer sk-helicone-unknown' }),
  ]
  expect(answers.map((a) => [a.status, a.headers.get('content-type')?.startsWith('text/plain')])).toEqual([
    [401, true],
    [401, true],
    [401, true],
  ])
  expect(await Promise.all(answers.map((a) => a.text()))).toEqual([
    'Invalid Helicone API key (hshed)',
    'Invalid Helicone API key',
    'Organization not found',
  ])
  expect((await post(listed.url, { authorization: `Bearer ${LISTED_KEY}` })).status).toBe(200)
  // The OpenAI SDK turns it into its AuthenticationError.
  const error = await new OpenAI({ apiKey: 'sk-helicone-unknown', baseURL: `${listed.url}/helicone/ai-gateway/v1` }).chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
  const get = await fetch(`${emulator.url}/helicone/ai-gateway/v1/chat/completions`)
  expect(get.status).toBe(405)
  expect(get.headers.get('allow')).toBe('POST, GET')
  expect(await get.text()).toBe('Method not allowed. AI Gateway only accepts POST requests.')
})

test('the AI gateway checks the body: no model is a 400 text, an invalid body its logged request_failed', async () => {
  const key = freshKey('sk-helicone')
  const post = (body: unknown) =>
    fetch(`${emulator.url}/helicone/ai-gateway/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    })
  const noModel = await post({ messages: [{ role: 'user', content: 'hi' }] })
  expect([noModel.status, await noModel.text()]).toEqual([
    400,
    'Invalid body or missing model. See supported models at https://helicone.ai/models',
  ])
  const invalid = await post({ model: 'gpt-4o-mini', messages: [{ role: 'user' }] })
  expect(invalid.status).toBe(400)
  expect(invalid.headers.get('helicone-id')).toBeNull()
  const body = (await invalid.json()) as { success: boolean; error: { code: string; message: string; param: null } }
  expect(body.success).toBe(false)
  expect(body.error.code).toBe('request_failed')
  expect(body.error.message).toBe(
    'messages.0.content: Required. See API reference: https://docs.helicone.ai/rest/ai-gateway/post-v1-chat-completions',
  )
  const unknownProvider = await post({ model: 'gpt-4o-mini/nowhere', messages: [{ role: 'user', content: 'hi' }] })
  expect(unknownProvider.status).toBe(400)
  const stored = await rows(key)
  expect(stored.map((r) => [r['response_status'], r['provider'], r['request_referrer']])).toEqual([
    [400, 'CUSTOM', 'ai-gateway'],
    [400, 'CUSTOM', 'ai-gateway'],
  ])
})

test('the Vercel AI SDK with @helicone/ai-sdk-provider: generateText and streamText, scored by the Helicone-Request-Id they sent', async () => {
  const key = freshKey('sk-helicone')
  const generatedId = randomUUID()
  const streamedId = randomUUID()
  // This provider drops call-level headers: the request id goes on the provider.
  const provider = (requestId: string) =>
    createHelicone({ apiKey: key, baseURL: `${emulator.url}/helicone/ai-gateway`, headers: { 'Helicone-Request-Id': requestId } })
  const extraBody = { helicone: { sessionId: 'session-9', userId: 'dana', properties: { env: 'dev' }, tags: ['beta'] } }

  const generated = await generateText({ model: provider(generatedId)('gpt-4o-mini', { extraBody }), prompt: 'Write a haiku' })
  expect(generated.text).toContain('gpt-4o-mini')
  expect(generated.usage.inputTokens).toBeGreaterThan(0)

  const streamed = streamText({ model: provider(streamedId)('gpt-4o-mini', { extraBody }), prompt: 'Stream a haiku' })
  let text = ''
  for await (const part of streamed.textStream) text += part
  expect(text).toContain('gpt-4o-mini')
  // The provider sends no stream_options: its token counts come from the usage chunk the gateway appends.
  const usage = await streamed.usage
  expect(usage.inputTokens).toBeGreaterThan(0)
  expect(usage.outputTokens).toBeGreaterThan(0)

  const { client } = api(key)
  for (const [requestId, accuracy] of [
    [generatedId, 80],
    [streamedId, 60],
  ] as const) {
    const scored = await client.rawClient.POST('/v1/request/{requestId}/score', {
      params: { path: { requestId } },
      body: { scores: { accuracy } },
    })
    expect(scored.response.status).toBe(201)
  }
  const stored = await rows(key)
  expect(stored.map((r) => [r.request_id, r['scores'], r['prompt_tokens'], r['request_user_id']])).toEqual([
    [streamedId, { accuracy: 60 }, usage.inputTokens, 'dana'],
    [generatedId, { accuracy: 80 }, generated.usage.inputTokens, 'dana'],
  ])
  expect(stored[0]?.['properties']).toEqual({ env: 'dev', 'tag-beta': 'true', 'Helicone-Session-Id': 'session-9' })
})
