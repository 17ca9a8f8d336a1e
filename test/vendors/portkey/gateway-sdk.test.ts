// The gateway driven by the real clients, unchanged but for base URL and headers: portkey-ai, openai v4 and v5
// (with portkey-ai's createHeaders), @anthropic-ai/sdk against /v1/messages, and the Vercel AI SDK (ai v4)
// through @portkey-ai/vercel-provider. Every streamed event is checked against the shared LLM schemas.
import Anthropic from '@anthropic-ai/sdk'
import { createPortkey } from '@portkey-ai/vercel-provider'
import { generateText, streamText } from 'ai-v4'
import OpenAI from 'openai'
import OpenAIv5 from 'openai-v5'
import { createHeaders, Portkey } from 'portkey-ai'
import { afterAll, expect, test } from 'vitest'
import { freshKey, startTestEmulator } from '../../helpers/create-test-emulator.ts'
import { llmSchemaErrors } from '../../helpers/llm-api-schemas.ts'
import { generationOf, generationsOf, portkeySchemaErrors } from './gateway-helpers.ts'

const emulator = await startTestEmulator()
afterAll(() => emulator.close())
const baseURL = `${emulator.url}/portkey/v1`
const HOUR = 60 * 60 * 1000
const window = () => ({
  time_of_generation_min: new Date(Date.now() - HOUR).toISOString(),
  time_of_generation_max: new Date(Date.now() + HOUR).toISOString(),
})
const ask = (content: string) => [{ role: 'user' as const, content }]

test('portkey-ai: chat.completions.create with traceID and metadata → feedback.create on that trace → feedbacks_score sees it', async () => {
  const key = freshKey('sdk-gw')
  const portkey = new Portkey({ apiKey: key, baseURL, provider: 'openai', Authorization: 'Bearer sk-not-checked' })
  const completion = await portkey.chat.completions.create(
    { model: 'gpt-4o-mini', messages: ask('Name a colour'), user: 'user-9' },
    { traceID: 'pk-sdk-trace', metadata: { _user: 'user-1', plan: 'pro' } },
  )
  expect(completion.choices[0]?.message?.content).toMatch(/gpt-4o-mini/)
  expect(completion.getHeaders?.()).toMatchObject({ 'trace-id': 'pk-sdk-trace', provider: 'openai', 'cache-status': 'DISABLED' })
  expect(generationOf(emulator, key, 'pk-sdk-trace')).toMatchObject({ metadata: { _user: 'user-1', plan: 'pro' }, model: 'gpt-4o-mini' })

  await portkey.feedback.create({ traceID: 'pk-sdk-trace', value: 7, weight: 1 })
  const scores = await portkey.analytics.graphs.feedbacks_score({ ...window(), metadata: '{"plan":"pro"}' })
  expect(scores).toMatchObject({ summary: { total: 1 }, data_points: [{ score: 7, total: 1 }], object: 'analytics-graph' })
})

test('portkey-ai: per-call params stick to the client, so a later call without them lands on the same trace', async () => {
  const key = freshKey('sdk-gw')
  const portkey = new Portkey({ apiKey: key, baseURL, provider: 'openai' })
  await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('first') }, { traceID: 'sticky-trace' })
  await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('second') })
  expect(generationsOf(emulator, key).map((g) => g.trace_id)).toEqual(['sticky-trace', 'sticky-trace'])
  // A fresh client per trace (or new params each time) keeps calls apart; without any, each call gets a new trace.
  const fresh = new Portkey({ apiKey: key, baseURL, provider: 'openai' })
  await fresh.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('third') })
  expect(fresh.responseHeaders?.['x-portkey-trace-id']).toMatch(/^[0-9a-f-]{36}$/)
})

test('portkey-ai: streaming chat from Anthropic, the headers in responseHeaders, the stream as the gateway re-chunks it', async () => {
  const key = freshKey('sdk-gw')
  const portkey = new Portkey({ apiKey: key, baseURL, provider: 'anthropic', Authorization: 'sk-ant-not-checked', traceID: 'pk-stream' })
  const stream = await portkey.chat.completions.create({ model: 'claude-3-5-haiku-20241022', messages: ask('Stream please'), stream: true })
  let text = ''
  let finish: string | null = null
  for await (const chunk of stream) {
    expect(portkeySchemaErrors('ProviderChatCompletionChunk', chunk)).toEqual([])
    text += chunk.choices[0]?.delta?.content ?? ''
    finish = chunk.choices[0]?.finish_reason ?? finish
  }
  expect(portkey.responseHeaders?.['x-portkey-trace-id']).toBe('pk-stream')
  expect(finish).toBe('end_turn') // the SDK sends x-portkey-strict-open-ai-compliance: false
  expect(text).toMatch(/claude-3-5-haiku/)
  expect(generationOf(emulator, key, 'pk-stream')).toMatchObject({ provider: 'anthropic', status_code: 200 })
})

// v4 and v5 share this surface; v5's client is typed as v4's here only (what runs is v5 itself).
type ClientOptions = { apiKey: string; baseURL: string; defaultHeaders: Record<string, string> }
const openAiClients: [string, (options: ClientOptions) => OpenAI][] = [
  ['openai v4', (options) => new OpenAI(options)],
  ['openai v5', (options) => new OpenAIv5(options) as unknown as OpenAI],
]
for (const [name, newClient] of openAiClients) {
  test(`${name} with createHeaders: a completion and a stream, the trace id per call, headers on the response`, async () => {
    const key = freshKey('sdk-gw')
    const client = newClient({ apiKey: 'sk-not-checked', baseURL, defaultHeaders: createHeaders({ apiKey: key, provider: 'openai' }) })
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: ask('Hello') }, { headers: createHeaders({ traceId: `${name}-1` }) })
      .withResponse()
    expect(llmSchemaErrors('CreateChatCompletionResponse', JSON.parse(JSON.stringify(data)))).toEqual([])
    expect(response.headers.get('x-portkey-trace-id')).toBe(`${name}-1`)
    expect(response.headers.get('x-portkey-provider')).toBe('openai')

    const { data: stream, response: streamResponse } = await client.chat.completions
      .create(
        { model: 'gpt-4o-mini', messages: ask('Hello'), stream: true, stream_options: { include_usage: true } },
        { headers: createHeaders({ traceId: `${name}-2`, spanId: 'span-2', metadata: { _user: 'u2' } }) },
      )
      .withResponse()
    let text = ''
    let usage: { completion_tokens: number } | null | undefined
    for await (const chunk of stream) {
      expect(llmSchemaErrors('CreateChatCompletionStreamResponse', JSON.parse(JSON.stringify(chunk)))).toEqual([])
      text += chunk.choices[0]?.delta.content ?? ''
      usage = chunk.usage ?? usage
    }
    expect(streamResponse.headers.get('x-portkey-trace-id')).toBe(`${name}-2`)
    expect(text).toBe(data.choices[0]!.message.content)
    expect(generationOf(emulator, key, `${name}-2`)).toMatchObject({
      span_id: 'span-2',
      metadata: { _user: 'u2' },
      completion_tokens: usage!.completion_tokens,
    })
  })
}

test('openai with the Portkey key as apiKey and an @slug/ model (hosted Portkey Model Catalog style)', async () => {
  const key = freshKey('sdk-gw')
  const client = new OpenAIv5({ apiKey: key, baseURL })
  const { response } = await client.embeddings.create({ model: '@openai-team/text-embedding-3-small', input: 'hello' }).withResponse()
  const traceId = response.headers.get('x-portkey-trace-id')!
  expect(generationOf(emulator, key, traceId)).toMatchObject({
    provider: 'openai',
    model: 'text-embedding-3-small',
    virtual_key: 'openai-team',
  })
})

test('@anthropic-ai/sdk against /v1/messages: the Portkey key as apiKey, a message and a stream', async () => {
  const key = freshKey('sdk-gw')
  const client = new Anthropic({ apiKey: key, baseURL: `${emulator.url}/portkey`, defaultHeaders: { 'x-portkey-provider': 'anthropic' } })
  const { data: message, response } = await client.messages
    .create(
      { model: 'claude-3-5-haiku-20241022', max_tokens: 200, messages: ask('Hi Claude') },
      { headers: { 'x-portkey-trace-id': 'anthropic-1' } },
    )
    .withResponse()
  expect(llmSchemaErrors('AnthropicMessage', JSON.parse(JSON.stringify(message)))).toEqual([])
  expect(response.headers.get('x-portkey-trace-id')).toBe('anthropic-1')
  expect(generationOf(emulator, key, 'anthropic-1')).toMatchObject({ completion_tokens: message.usage.output_tokens })

  const stream = await client.messages.create(
    { model: 'claude-3-5-haiku-20241022', max_tokens: 200, messages: ask('Hi Claude'), stream: true },
    { headers: { 'x-portkey-trace-id': 'anthropic-2' } },
  )
  const kinds: string[] = []
  for await (const event of stream) {
    expect(llmSchemaErrors('AnthropicMessageStreamEvent', JSON.parse(JSON.stringify(event)))).toEqual([])
    kinds.push(event.type)
  }
  expect(kinds[0]).toBe('message_start')
  expect(kinds.at(-1)).toBe('message_stop')
  expect(generationOf(emulator, key, 'anthropic-2').completion_tokens).toBe(message.usage.output_tokens)

  // Without x-portkey-provider: the Model Catalog slug in the model, as Portkey's Anthropic guide shows.
  const bySlug = new Anthropic({ apiKey: key, baseURL: `${emulator.url}/portkey` })
  const final = await bySlug.messages
    .stream(
      { model: '@anthropic-prod/claude-3-5-haiku-20241022', max_tokens: 100, messages: ask('Hi') },
      { headers: { 'x-portkey-trace-id': 'anthropic-3' } },
    )
    .finalMessage()
  expect(final.model).toBe('claude-3-5-haiku-20241022')
  expect(generationOf(emulator, key, 'anthropic-3')).toMatchObject({ provider: 'anthropic', virtual_key: 'anthropic-prod' })
})

test('Vercel AI SDK (ai v4) with @portkey-ai/vercel-provider: generateText and streamText', async () => {
  const key = freshKey('sdk-gw')
  const portkey = createPortkey({ apiKey: key, baseURL, provider: 'openai', Authorization: 'sk-not-checked' })
  const generated = await generateText({
    model: portkey.chatModel('gpt-4o-mini'),
    prompt: 'Write one word',
    headers: { 'x-portkey-trace-id': 'vercel-1' },
  })
  expect(generated.text).toMatch(/gpt-4o-mini/)
  expect(generated.response.headers?.['x-portkey-trace-id']).toBe('vercel-1')
  expect(generationOf(emulator, key, 'vercel-1')).toMatchObject({
    prompt_tokens: generated.usage.promptTokens,
    completion_tokens: generated.usage.completionTokens,
  })

  const streamed = streamText({
    model: portkey.chatModel('gpt-4o-mini'),
    prompt: 'Write one word',
    headers: { 'x-portkey-trace-id': 'vercel-2' },
  })
  let text = ''
  for await (const part of streamed.textStream) text += part
  expect(text).toBe(generated.text)
  expect((await streamed.response).headers?.['x-portkey-trace-id']).toBe('vercel-2')
  expect(generationOf(emulator, key, 'vercel-2').completion_tokens).toBe(generated.usage.completionTokens)
})
