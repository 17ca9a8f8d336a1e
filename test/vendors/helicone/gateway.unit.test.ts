// The pure parts of Helicone's LLM routes: header reading, upstream and provider names, the provider's error
// bodies, the row a call becomes, the response cache.
import { expect, test } from 'vitest'
import { costInHeliconeUnits } from '../../../src/pricing/prices.ts'
import { readHeliconeHeaders, validRequestId, WorkerHeaderError } from '../../../src/vendors/helicone/llm/headers.ts'
import { usageOfStream } from '../../../src/vendors/helicone/llm/handlers.ts'
import { recordFromCall, type CallLog } from '../../../src/vendors/helicone/llm/record.ts'
import { llmMountOf, pathAfterMount } from '../../../src/vendors/helicone/llm/routes.ts'
import { aiGatewayBodyProblem, invalidBodyError, providerAuthError } from '../../../src/vendors/helicone/llm/provider-errors.ts'
import { ZERO_UUID } from '../../../src/vendors/helicone/records.ts'
import { cacheKeyBase, readCache, saveToCache } from '../../../src/vendors/helicone/llm/cache.ts'
import { aiGatewayModel, isApprovedApiBase, providerOfTargetUrl } from '../../../src/vendors/helicone/llm/upstream.ts'

test('Helicone-Request-Id is kept only when it is a UUID of version 1-5 (a v7 is replaced)', () => {
  const v4 = '7d4c8f2e-1b3a-4c5d-9e6f-0a1b2c3d4e5f'
  expect(validRequestId(v4)).toBe(v4)
  expect(validRequestId(v4.toUpperCase())).toBe(v4.toUpperCase())
  expect(validRequestId('1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toBe('1b4e28ba-2fa1-11d2-883f-0016d3cca427')
  for (const sent of ['01890a5d-ac96-774b-bcce-b302099a8057', '00000000-0000-0000-0000-000000000000', 'req-1', null]) {
    const id = validRequestId(sent)
    expect(id).not.toBe(sent)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  }
})

test('properties: custom ones under their lower-case names, then the keys the worker adds under capitalised names', () => {
  const headers = readHeliconeHeaders({
    'helicone-property-environment': 'Prod',
    'helicone-property-': 'ignored: no name',
    'helicone-property-__proto__': 'kept as data',
    'helicone-session-id': 's1',
    'helicone-session-path': '/a/b',
    'helicone-session-name': 'Trip',
    'helicone-prompt-id': 'greeting',
    'helicone-cache-enabled': 'true',
    'helicone-cache-seed': '0',
    'helicone-cache-bucket-max-size': '3',
    'x-stripe-customer-id': 'cus_1',
  })
  expect({ ...headers.properties }).toEqual({
    environment: 'Prod',
    ['__proto__']: 'kept as data',
    stripe_customer_id: 'cus_1',
    'Helicone-Prompt-Id': 'greeting',
    'Helicone-Session-Name': 'Trip',
    'Helicone-Session-Id': 's1',
    'Helicone-Session-Path': '/a/b',
    'Helicone-Cache-Enabled': 'true',
    // A seed of 0 is falsy after parseInt: left out, as the worker does.
    'Helicone-Cache-Bucket-Max-Size': '3',
  })
  expect(Object.getPrototypeOf(headers.properties)).toBeNull()
})

test('cache settings: Enabled/Save/Read, a case-insensitive enable that does not set the column, max-age from Cache-Control', () => {
  const loose = readHeliconeHeaders({ 'helicone-cache-enabled': 'TRUE', 'cache-control': 'max-age=120' }).cache
  expect(loose).toMatchObject({ enabled: false, shouldSave: true, shouldRead: true, bucketSize: 1, maxAgeSeconds: 120 })
  expect(readHeliconeHeaders({ 'helicone-cache-read': 'true' }).cache).toMatchObject({ shouldRead: true, shouldSave: false })
  expect(readHeliconeHeaders({ 'cache-control': 's-maxage=60, max-age=999999999' }).cache.maxAgeSeconds).toBe(60)
  expect(readHeliconeHeaders({ 'cache-control': 'max-age=999999999' }).cache.maxAgeSeconds).toBe(365 * 86400)
  expect(readHeliconeHeaders({}).cache.maxAgeSeconds).toBe(7 * 86400)
  expect(readHeliconeHeaders({ 'helicone-cache-ignore-keys': '"user","temperature"' }).cache.ignoreKeys).toEqual(['user', 'temperature'])
})

test('headers the worker throws on: ignore keys that are not JSON strings, an unknown prompt mode', () => {
  expect(() => readHeliconeHeaders({ 'helicone-cache-ignore-keys': 'user' })).toThrow(WorkerHeaderError)
  expect(() => readHeliconeHeaders({ 'helicone-prompt-mode': 'draft' })).toThrow('Invalid prompt mode')
  expect(() => readHeliconeHeaders({ 'helicone-prompt-mode': 'testing' })).not.toThrow()
})

test('target URLs name their provider from Helicone’s table, else the lower-cased URL; api bases must be on it', () => {
  expect(providerOfTargetUrl('https://api.openai.com')).toBe('OPENAI')
  expect(providerOfTargetUrl('https://us.api.openai.com/')).toBe('OPENAI')
  expect(providerOfTargetUrl('https://api.groq.com/openai')).toBe('GROQ')
  expect(providerOfTargetUrl('https://my-res.openai.azure.com')).toBe('AZURE')
  expect(providerOfTargetUrl('https://generativelanguage.googleapis.com')).toBe('GOOGLE')
  expect(providerOfTargetUrl('https://LLM.Example.com')).toBe('https://llm.example.com')
  expect(isApprovedApiBase('https://api.anthropic.com')).toBe(true)
  expect(isApprovedApiBase('https://evil.example.com')).toBe(false)
})

test('AI gateway models: the first entry that is not an exclusion, its provider named or inferred', () => {
  expect(aiGatewayModel('gpt-4o-mini')).toEqual({
    ok: true,
    model: 'gpt-4o-mini',
    provider: 'openai',
    targetUrl: 'https://api.openai.com/v1/chat/completions',
  })
  expect(aiGatewayModel('claude-sonnet-4/anthropic')).toMatchObject({ ok: true, model: 'claude-sonnet-4', provider: 'anthropic' })
  expect(aiGatewayModel('!groq, gemini-2.5-flash, gpt-4o')).toMatchObject({
    ok: true,
    model: 'gemini-2.5-flash',
    provider: 'google-ai-studio',
  })
  expect(aiGatewayModel('llama-3.3-70b-versatile')).toMatchObject({
    provider: 'groq',
    targetUrl: 'https://api.groq.com/openai/v1/chat/completions',
  })
  expect(aiGatewayModel('some-model/vertex')).toMatchObject({ ok: true, targetUrl: 'https://ai-gateway.helicone.ai/v1/chat/completions' })
  expect(aiGatewayModel('gpt-4o/nowhere')).toMatchObject({ ok: false, reason: 'no-provider' })
  // Found by the fuzz suite: a model with a NUL went into Helicone-Model, and setHeader threw (a 500).
  expect(aiGatewayModel('gpt-4o\u0000')).toMatchObject({ ok: false, reason: 'no-provider' })
  expect(aiGatewayModel('\u0000')).toMatchObject({ ok: false, reason: 'no-provider' })
  expect(aiGatewayModel('!')).toEqual({ ok: false, reason: 'text', message: 'Invalid global ignore syntax. Use !provider (e.g., !openai)' })
  expect(aiGatewayModel('gpt-4o,!nowhere')).toMatchObject({
    ok: false,
    reason: 'text',
    message: expect.stringContaining('Invalid provider in global ignore list: nowhere'),
  })
})

test('LLM mounts: the proxy and gateway paths, not the manual-logging routes beside them', () => {
  expect(llmMountOf('/oai/v1/models')).toBe('oai')
  expect(llmMountOf('/ai-gateway/v1/x')).toBe('ai-gateway')
  expect(llmMountOf('/gateway')).toBe('gateway')
  expect(llmMountOf('/oai/v1/log')).toBeUndefined()
  expect(llmMountOf('/anthropic/v1/log')).toBeUndefined()
  expect(llmMountOf('/v1/request/query')).toBeUndefined()
  expect(pathAfterMount('/anthropic/v1/messages', 'anthropic')).toBe('/v1/messages')
})

test('the provider refuses bodies in its own words: OpenAI codes and params, Anthropic paths', () => {
  expect(invalidBodyError('chat', { model: 'm', messages: [{ role: 'user', content: 'hi' }] })).toBeNull()
  expect(invalidBodyError('chat', { messages: [] })?.body).toEqual({
    error: { message: 'you must provide a model parameter', type: 'invalid_request_error', param: null, code: null },
  })
  expect(invalidBodyError('chat', { model: 'm' })?.body).toEqual({
    error: {
      message: "Missing required parameter: 'messages'.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'missing_required_parameter',
    },
  })
  expect(invalidBodyError('chat', { model: 'm', messages: [{ role: 'user' }] })?.body).toMatchObject({
    error: { message: "Missing required parameter: 'messages[0].content'.", param: 'messages[0].content' },
  })
  expect(invalidBodyError('chat', { model: 'm', messages: [{ role: 'user', content: 5 }] })?.body).toMatchObject({
    error: {
      message: "Invalid type for 'messages[0].content': expected one of a string or an array, but got an integer instead.",
      code: 'invalid_type',
    },
  })
  expect(invalidBodyError('chat', { model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 3.5 })?.body).toMatchObject({
    error: { param: 'temperature', code: 'decimal_above_max_value' },
  })
  expect(invalidBodyError('embeddings', { model: 'm' })?.body).toMatchObject({
    error: { param: 'input', code: 'missing_required_parameter' },
  })
  expect(invalidBodyError('messages', { model: 'c', messages: [{ role: 'user', content: 'hi' }] })?.body).toEqual({
    type: 'error',
    error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
  })
  expect(invalidBodyError('messages', { model: 'c', max_tokens: 5, messages: [{ role: 'robot', content: 'hi' }] })?.body).toMatchObject({
    error: { message: "messages.0.role: Input should be 'user' or 'assistant'" },
  })
  expect(aiGatewayBodyProblem({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).toBeNull()
  expect(aiGatewayBodyProblem({ model: 'm' })).toBe('messages: Required')
})

test('the provider refuses a call without its key (OpenAI: Authorization; Anthropic: x-api-key, and anthropic-version)', () => {
  expect(providerAuthError('chat', { authorization: 'Bearer x' })).toBeNull()
  expect(providerAuthError('chat', {})?.status).toBe(401)
  expect(providerAuthError('messages', { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' })).toBeNull()
  expect(providerAuthError('messages', { 'anthropic-version': '2023-06-01' })?.body).toEqual({
    type: 'error',
    error: { type: 'authentication_error', message: 'x-api-key header is required' },
  })
  expect(providerAuthError('messages', { authorization: 'Bearer k' })?.status).toBe(400)
})

const CALL: CallLog = {
  requestId: '7D4C8F2E-1B3A-4C5D-9E6F-0A1B2C3D4E5F',
  startedAtMs: Date.parse('2025-03-01T10:00:00.000Z'),
  latencyMs: 123.4,
  timeToFirstTokenMs: 0,
  status: 200,
  provider: 'OPENAI',
  requestModel: 'gpt-4o',
  responseModel: 'gpt-4o-2024-08-06',
  modelOverride: null,
  userId: 'u1',
  properties: { env: 'prod' },
  targetUrl: 'https://api.openai.com/v1/chat/completions',
  usage: { prompt: 100, completion: 50 },
  cacheReferenceId: ZERO_UUID,
  cacheEnabled: false,
  requestBody: { model: 'gpt-4o' },
  responseBody: { model: 'gpt-4o-2024-08-06' },
  omitRequest: false,
  omitResponse: false,
  requestReferrer: '',
  passthroughBilling: false,
}

test('the row of a call: the response model, timings from the start, the cost as Helicone stores it', () => {
  const record = recordFromCall(CALL)
  expect(record).toMatchObject({
    request_id: '7d4c8f2e-1b3a-4c5d-9e6f-0a1b2c3d4e5f',
    request_created_at: '2025-03-01T10:00:00.000Z',
    response_created_at: '2025-03-01T10:00:00.123Z',
    model: 'gpt-4o-2024-08-06',
    latency: 123,
    time_to_first_token: 0,
    prompt_tokens: 100,
    completion_tokens: 50,
    properties: { env: 'prod' },
    scores: {},
  })
  expect(Math.round(record.cost * 1e9)).toBe(costInHeliconeUnits('gpt-4o', 100, 50))
  // Helicone-Model-Override wins over the answer's model; the AI gateway's model wins over both.
  expect(recordFromCall({ ...CALL, modelOverride: 'my-model' }).model).toBe('my-model')
  expect(recordFromCall({ ...CALL, modelOverride: 'my-model', gatewayModel: 'gpt-4o' }).model).toBe('gpt-4o')
  // No usage (an error, an OpenAI stream without a usage chunk): 0 tokens, 0 cost.
  expect(recordFromCall({ ...CALL, usage: null })).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, cost: 0 })
  // A cache hit: tokens 0, the cost still priced from the stored usage.
  const hit = recordFromCall({ ...CALL, cacheReferenceId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  expect(hit).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, cost: record.cost })
  // Omitted bodies keep only the model.
  expect(recordFromCall({ ...CALL, omitRequest: true, omitResponse: true })).toMatchObject({
    request_body: { model: 'gpt-4o' },
    response_body: { model: 'gpt-4o-2024-08-06' },
  })
})

test('stream usage: OpenAI’s usage chunk, Anthropic’s message_start input and last message_delta output, none when absent', () => {
  expect(usageOfStream([{ choices: [] }, { choices: [], usage: { prompt_tokens: 5, completion_tokens: 7 } }, '[DONE]'])).toEqual({
    prompt: 5,
    completion: 7,
  })
  expect(usageOfStream([{ choices: [{ delta: {} }], usage: null }, '[DONE]'])).toBeNull()
  expect(
    usageOfStream([
      { type: 'message_start', message: { usage: { input_tokens: 12, output_tokens: 1 } } },
      { type: 'message_delta', usage: { output_tokens: 30 } },
    ]),
  ).toEqual({ prompt: 12, completion: 30 })
})

test('the response cache: slots filled before hits, served round-robin, gone when expired; a TTL under 60 s stores nothing', () => {
  const state = {}
  const settings = readHeliconeHeaders({ 'helicone-cache-enabled': 'true', 'helicone-cache-bucket-max-size': '2' }).cache
  const base = cacheKeyBase('/helicone/oai/v1/chat/completions', { model: 'm', user: 'x' }, { 'helicone-auth': 'Bearer k' }, settings)
  const answer = (id: string) => ({ status: 200, contentType: 'application/json', text: id, heliconeId: id, latencyMs: 5 })
  expect(readCache(state, base, settings, 0)).toBeNull()
  saveToCache(state, base, settings, answer('a'), 0)
  expect(readCache(state, base, settings, 0)).toBeNull()
  saveToCache(state, base, settings, answer('b'), 0)
  expect([0, 1, 2].map(() => readCache(state, base, settings, 1000)?.hit.heliconeId)).toEqual(['a', 'b', 'a'])
  expect(readCache(state, base, settings, 7 * 86_400_000)).toBeNull()
  // The ignored keys and other headers: the same key without `user`, another with another auth.
  const ignoring = { ...settings, ignoreKeys: ['user'] }
  expect(cacheKeyBase('/u', { model: 'm', user: 'x' }, {}, ignoring)).toBe(cacheKeyBase('/u', { model: 'm', user: 'y' }, {}, ignoring))
  expect(cacheKeyBase('/u', {}, { 'helicone-auth': 'Bearer a' }, settings)).not.toBe(
    cacheKeyBase('/u', {}, { 'helicone-auth': 'Bearer b' }, settings),
  )
  const short = { ...settings, bucketSize: 1, maxAgeSeconds: 30 }
  const other = {}
  saveToCache(other, base, short, answer('c'), 0)
  expect(readCache(other, base, short, 1)).toBeNull()
})
