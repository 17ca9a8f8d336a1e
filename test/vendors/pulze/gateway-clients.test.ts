// The real clients Pulze's own examples use, unchanged but for the base URL and headers: `openai` v4 and v5
// (non-streaming and streaming), and the Vercel AI SDK through `@ai-sdk/openai`. Each call's `id` is its log.
import { createOpenAI } from '@ai-sdk/openai'
import { generateText, streamText } from 'ai'
import OpenAI from 'openai'
import OpenAIv5 from 'openai-v5'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../../src/emulator.ts'
import { costBreakdownUsd } from '../../../src/pricing/prices.ts'
import { freshKey, startTestEmulator } from '../../helpers/create-test-emulator.ts'
import { llmSchemaErrors } from '../../helpers/llm-api-schemas.ts'
import { NOW } from './helpers.ts'

let emulator: Emulator & { url: string }
let base: string

beforeAll(async () => {
  emulator = await startTestEmulator({ now: () => NOW })
  base = `${emulator.url}/pulze/v1`
})
afterAll(() => emulator.close())

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

type Metadata = {
  app_id: string
  model: { model: string; provider?: string; namespace: string }
  costs: { total_tokens: number; prompt_tokens: number; completion_tokens: number }
  cost_savings: { total_tokens: number; prompt_tokens: number; completion_tokens: number }
  latency: number
  labels: Record<string, string>
  status_code: number
}
const metadataOf = (answer: object) => (answer as { metadata: Metadata }).metadata

async function logOf(key: string, id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/logs/${id}`, { headers: { Authorization: `Bearer ${key}` } })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Pulze's numbers for a call: USD from the shared price table, tokens as answered. */
function expectPulzeNumbers(metadata: Metadata, model: string, usage: { prompt_tokens: number; completion_tokens: number }) {
  const usd = costBreakdownUsd(model, usage.prompt_tokens, usage.completion_tokens)
  expect(metadata.costs).toEqual({ total_tokens: usd.total, prompt_tokens: usd.prompt, completion_tokens: usd.completion })
  expect(metadata.latency).toBeGreaterThanOrEqual(0.02) // the engine's default 20 ms, in seconds
  expect(metadata.latency).toBeLessThan(10)
  expect(metadata.status_code).toBe(200)
}

test('openai v4 with Pulze-Labels in defaultHeaders: a UUID id that is the log, created in ms, the metadata block', async () => {
  const key = freshKey('pulze')
  const client = new OpenAI({
    apiKey: key,
    baseURL: base,
    maxRetries: 0,
    defaultHeaders: {
      'Pulze-Labels': JSON.stringify({ Feature: 'FAQ-bot', attempt: 3 }),
      'Pulze-Weights': JSON.stringify({ cost: 0.2, quality: 0.8, latency: 0 }),
    },
  })
  const answer = await client.chat.completions.create({
    model: 'pulze',
    messages: [{ role: 'user', content: 'I am bad at math, what is 1+1?' }],
  })
  expect(answer.id).toMatch(UUID_V4)
  expect(answer.created).toBe(NOW.getTime())
  expect(answer.model).toBe('openai/gpt-4o-mini')
  expect(answer.object).toBe('chat.completion')
  expect(answer).not.toHaveProperty('system_fingerprint')
  expect(answer.choices[0]!.finish_reason).toBe('stop')
  const content = answer.choices[0]!.message.content!
  expect(content).toContain('I am bad at math, what is 1+1?')

  const metadata = metadataOf(answer)
  expect(metadata.model).toEqual({ model: 'gpt-4o-mini', provider: 'openai', namespace: 'openai/gpt-4o-mini' })
  expect(metadata.labels).toEqual({ feature: 'faq-bot', attempt: '3', weights_cost: '0.2', weights_latency: '0.0', weights_quality: '0.8' })
  expectPulzeNumbers(metadata, 'gpt-4o-mini', answer.usage!)

  const log = await logOf(key, answer.id)
  expect(log.status).toBe(200)
  expect(log.body).toMatchObject({
    id: answer.id,
    app_id: metadata.app_id,
    timestamp: NOW.getTime(),
    added_on: NOW.toISOString(),
    namespace: 'openai/gpt-4o-mini',
    request_type: 'chat_completions',
    prompt: 'I am bad at math, what is 1+1?',
    response_text: content,
    prompt_tokens: answer.usage!.prompt_tokens,
    completion_tokens: answer.usage!.completion_tokens,
    total_tokens: answer.usage!.total_tokens,
    prompt_tokens_cost: metadata.costs.prompt_tokens,
    completion_tokens_cost: metadata.costs.completion_tokens,
    total_tokens_cost: metadata.costs.total_tokens,
    total_tokens_cost_savings: metadata.cost_savings.total_tokens,
    latency: metadata.latency,
    status_code: 200,
    privacy_level: 1,
    good_answer: null,
    feedback: '',
  })
  expect(log.body['response']).toEqual(JSON.parse(JSON.stringify(answer)))
})

test('openai v4 streaming: every chunk is an OpenAI chunk whose id is the log id; the log holds the streamed text', async () => {
  const key = freshKey('pulze')
  const client = new OpenAI({ apiKey: key, baseURL: base, maxRetries: 0, defaultHeaders: { 'Pulze-Labels': '{"team": "search"}' } })
  const stream = await client.chat.completions.create({
    model: 'openai/gpt-4o',
    stream: true,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name a prime number' },
    ],
  })
  const ids = new Set<string>()
  let text = ''
  let finish: string | null = null
  for await (const chunk of stream) {
    expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
    expect(chunk).not.toHaveProperty('system_fingerprint')
    expect(chunk.created).toBe(NOW.getTime())
    expect(chunk.model).toBe('openai/gpt-4o')
    ids.add(chunk.id)
    text += chunk.choices[0]?.delta.content ?? ''
    finish = chunk.choices[0]?.finish_reason ?? finish
    expect(chunk.usage ?? null).toBeNull() // no usage chunk unless asked
  }
  expect(ids.size).toBe(1)
  const [id] = [...ids]
  expect(id).toMatch(UUID_V4)
  expect(finish).toBe('stop')
  // Read right after [DONE]: the log is already there.
  const log = await logOf(key, id!)
  expect(log.status).toBe(200)
  expect(log.body).toMatchObject({ id, response_text: text, prompt: 'Name a prime number', status_code: 200, namespace: 'openai/gpt-4o' })
  expect(log.body['response']).toMatchObject({
    id,
    object: 'chat.completion',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: text } }],
    metadata: { labels: { team: 'search' } },
  })
})

test('openai v5: non-streaming at privacy level 2 (the log keeps no text), streaming with the usage chunk', async () => {
  const key = freshKey('pulze')
  const client = new OpenAIv5({
    apiKey: key,
    baseURL: base,
    maxRetries: 0,
    defaultHeaders: { 'Pulze-Labels': '{"env": "test"}', 'Pulze-Policies': '{"privacy_level": 2}' },
  })
  const answer = await client.chat.completions.create({
    model: 'anthropic/claude-3-5-haiku',
    messages: [{ role: 'user', content: 'A secret question' }],
  })
  expect(answer.choices[0]!.message.content).toContain('A secret question') // the caller always gets the answer
  const masked = await logOf(key, answer.id)
  expect(masked.status).toBe(200)
  expect(masked.body).toMatchObject({ privacy_level: 2, prompt: null, response_text: null, total_tokens: answer.usage!.total_tokens })
  expect((masked.body['response'] as { choices: { message: { content: unknown } }[] }).choices[0]!.message.content).toBeNull()
  expect(metadataOf(masked.body['response'] as object).labels).toEqual({ env: 'test' })
  expectPulzeNumbers(metadataOf(answer), 'claude-3-5-haiku', answer.usage!)

  const plain = new OpenAIv5({ apiKey: key, baseURL: base, maxRetries: 0 })
  const stream = await plain.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Stream me something' }],
  })
  let text = ''
  let usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined
  let id = ''
  for await (const chunk of stream) {
    expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
    id = chunk.id
    text += chunk.choices[0]?.delta.content ?? ''
    if (chunk.usage) usage = chunk.usage
  }
  expect(usage).toBeDefined()
  const log = await logOf(key, id)
  expect(log.body).toMatchObject({
    response_text: text,
    namespace: 'openai/gpt-4o-mini',
    prompt_tokens: usage!.prompt_tokens,
    completion_tokens: usage!.completion_tokens,
    total_tokens: usage!.total_tokens,
    total_tokens_cost: costBreakdownUsd('gpt-4o-mini', usage!.prompt_tokens, usage!.completion_tokens).total,
  })
})

test('openai v5 text completions, streamed and not: request_type completions, the prompt and the text logged', async () => {
  const key = freshKey('pulze')
  const client = new OpenAIv5({ apiKey: key, baseURL: base, maxRetries: 0, defaultHeaders: { 'Pulze-Labels': '{"kind": "text"}' } })
  const whole = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Write a tagline for a bakery', max_tokens: 40 })
  expect(whole.id).toMatch(UUID_V4)
  expect(whole.object).toBe('text_completion')
  expect(whole.created).toBe(NOW.getTime())
  const log = await logOf(key, whole.id)
  expect(log.body).toMatchObject({
    request_type: 'completions',
    prompt: 'Write a tagline for a bakery',
    response_text: whole.choices[0]!.text,
    namespace: 'openai/gpt-3.5-turbo-instruct',
    total_tokens: whole.usage!.total_tokens,
  })

  const stream = await client.completions.create({
    model: 'gpt-3.5-turbo-instruct',
    prompt: 'Write a tagline for a bakery',
    max_tokens: 40,
    stream: true,
  })
  let text = ''
  let id = ''
  for await (const chunk of stream) {
    id = chunk.id
    expect(chunk.created).toBe(NOW.getTime())
    text += chunk.choices[0]?.text ?? ''
  }
  expect(id).not.toBe(whole.id)
  expect((await logOf(key, id)).body).toMatchObject({ request_type: 'completions', response_text: text })
  expect(text).toBe(whole.choices[0]!.text)
})

test('the Vercel AI SDK (@ai-sdk/openai pointed at Pulze): generateText and streamText, each call a log', async () => {
  const key = freshKey('pulze')
  const pulze = createOpenAI({ baseURL: base, apiKey: key, headers: { 'Pulze-Labels': JSON.stringify({ sdk: 'vercel-ai' }) } })

  const generated = await generateText({ model: pulze.chat('pulze'), prompt: 'Hello from generateText' })
  expect(generated.text).toContain('Hello from generateText')
  expect(generated.response.id).toMatch(UUID_V4)
  expect(generated.response.modelId).toBe('openai/gpt-4o-mini')
  const first = await logOf(key, generated.response.id)
  expect(first.body).toMatchObject({
    prompt: 'Hello from generateText',
    response_text: generated.text,
    prompt_tokens: generated.usage.inputTokens,
    completion_tokens: generated.usage.outputTokens,
  })
  expect(metadataOf(first.body['response'] as object).labels).toEqual({ sdk: 'vercel-ai' })

  const streamed = streamText({ model: pulze.chat('openai/gpt-4o'), system: 'Be brief.', prompt: 'Hello from streamText' })
  let text = ''
  for await (const piece of streamed.textStream) text += piece
  const response = await streamed.response
  const usage = await streamed.usage
  expect(text).toContain('Hello from streamText')
  const second = await logOf(key, response.id)
  expect(second.body).toMatchObject({
    id: response.id,
    prompt: 'Hello from streamText',
    response_text: text,
    namespace: 'openai/gpt-4o',
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
  })
})
