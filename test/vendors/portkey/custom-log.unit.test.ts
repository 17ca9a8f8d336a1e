import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { deriveGeneration, providerFromUrl } from '../../../src/vendors/portkey/custom-log.ts'
import { costInCents, priceOf, PRICES_USD_PER_MILLION } from '../../../src/pricing/prices.ts'
import type { CustomLog } from '../../../src/vendors/portkey/types.ts'

const ctx = { id: 'gen-1', newTraceId: 'new-trace', now: new Date('2026-01-10T12:00:00.000Z'), apiKeyId: 'key-id' }

test.each([
  ['https://api.openai.com/v1/chat/completions', 'openai'],
  ['https://api.anthropic.com/v1/messages', 'anthropic'],
  ['https://my-res.openai.azure.com/openai/deployments/x/chat/completions', 'azure-openai'],
  ['https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:generateContent', 'google'],
  ['https://us-central1-aiplatform.googleapis.com/v1/projects/p', 'vertex-ai'],
  ['https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke', 'bedrock'],
  ['https://api.mistral.ai/v1/chat/completions', 'mistral-ai'],
  ['https://api.groq.com/openai/v1/chat/completions', 'groq'],
  ['https://api.someprovider.com/model/generate', 'someprovider'],
  ['not a url', 'unknown'],
])('the provider of %s is %s', (url, provider) => {
  expect(providerFromUrl(url)).toBe(provider)
})

test('an OpenAI log becomes a priced generation with trace fields taken out of its metadata', () => {
  const log: CustomLog = {
    request: {
      url: 'https://api.openai.com/v1/chat/completions',
      method: 'POST',
      headers: { 'X-Portkey-Virtual-Key': 'vk-1', 'x-portkey-config': 'pc-1' },
      body: { model: 'gpt-4o-mini' },
    },
    response: { status: 200, body: { usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 } }, response_time: 321 },
    metadata: { trace_id: 'tr', span_id: 'sp', span_name: 'chat', _user: 'u1', n: 3 },
  }
  expect(deriveGeneration(log, { ...ctx, workspaceSlug: 'ws' })).toEqual({
    id: 'gen-1',
    trace_id: 'tr',
    span_id: 'sp',
    span_name: 'chat',
    created_at: '2026-01-10T12:00:00.000Z',
    provider: 'openai',
    model: 'gpt-4o-mini',
    status_code: 200,
    prompt_tokens: 1000,
    completion_tokens: 200,
    total_tokens: 1200,
    cost: 0.027, // (1000 × 0.15 + 200 × 0.6) / 1e6 USD = 0.00027 USD
    latency_ms: 321,
    virtual_key: 'vk-1',
    config: 'pc-1',
    api_key_id: 'key-id',
    workspace_slug: 'ws',
    metadata: { _user: 'u1', n: '3' },
  })
})

test('an Anthropic log takes the model from the response and input/output tokens', () => {
  const log: CustomLog = {
    request: { url: 'https://api.anthropic.com/v1/messages', body: {} },
    response: { status: 529, body: { model: 'claude-3-5-sonnet-20241022', usage: { input_tokens: 10, output_tokens: 5 } }, time: 50 },
  }
  const g = deriveGeneration(log, ctx)
  expect(g).toMatchObject({
    provider: 'anthropic',
    model: 'claude-3-5-sonnet-20241022',
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    status_code: 529,
    latency_ms: 50,
    trace_id: 'new-trace',
    metadata: {},
  })
  expect(g.cost).toBe(costInCents('claude-3-5-sonnet', 10, 5))
})

test('a log without model or usage is an unknown, free, 200 generation; request.provider wins over the host', () => {
  const g = deriveGeneration(
    { request: { url: 'https://api.openai.com/v1/x', provider: 'azure-openai', body: {} }, response: { body: {} } },
    ctx,
  )
  expect(g).toMatchObject({
    provider: 'azure-openai',
    model: 'unknown',
    status_code: 200,
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    cost: 0,
  })
  expect(g.latency_ms).toBeUndefined()
})

test('prices match the exact model or its longest listed prefix, and unknown models cost 0', () => {
  expect(priceOf('gpt-4o-2024-08-06')).toEqual(priceOf('gpt-4o'))
  expect(priceOf('gpt-4o-mini-2024-07-18')).toEqual(priceOf('gpt-4o-mini'))
  expect(priceOf('my-finetune')).toBeUndefined()
  expect(costInCents('my-finetune', 1_000_000, 1_000_000)).toBe(0)
  expect(costInCents('gpt-4o', 1_000_000, 1_000_000)).toBe(1250) // $2.50 + $10.00
})

test('an inline JSON config is not taken as a config slug', () => {
  const g = deriveGeneration(
    {
      request: { url: 'https://api.openai.com/v1/x', headers: { 'x-portkey-config': '{"retry":{"attempts":3}}' }, body: {} },
      response: { body: {} },
    },
    ctx,
  )
  expect(g.config).toBeUndefined()
})

test('docs/vendors/portkey.md lists every model of the price table with its prices', () => {
  const doc = readFileSync(new URL('../../../docs/vendors/portkey.md', import.meta.url), 'utf8')
  for (const [model, price] of Object.entries(PRICES_USD_PER_MILLION)) {
    expect(doc).toContain(`| \`${model}\` | ${price.input} | ${price.output} |`)
  }
})
