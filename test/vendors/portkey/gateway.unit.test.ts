// The gateway's pure parts: trace and metadata headers, provider selection, configs, the provider's wording of
// a refused body, the cache key, and what a cut-short stream had delivered.
import { expect, test } from 'vitest'
import { cacheKey, cacheStatusOf, createGatewayCache } from '../../../src/vendors/portkey/llm/cache.ts'
import {
  checkGatewayHeaders,
  chooseProvider,
  GatewayRefusal,
  providerForModel,
  providerForSlug,
  splitModelSlug,
} from '../../../src/vendors/portkey/llm/provider.ts'
import { streamedText } from '../../../src/vendors/portkey/llm/record.ts'
import { metadataOf, parseBaggage, parseTraceparent, traceOf } from '../../../src/vendors/portkey/llm/trace.ts'
import { compileBodyCheck } from '../../../src/vendors/portkey/llm/validation.ts'
import { operationTable } from '../../../src/openapi/operations.ts'
import type { Completion } from '../../../src/completions/index.ts'

const ids = { newTraceId: () => 'minted-trace', newSpanId: () => 'abcdefabcdefabcd' }
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

function refusal(run: () => unknown): { message: string; errors?: string[] | undefined } {
  try {
    run()
  } catch (error) {
    if (error instanceof GatewayRefusal) return { message: error.message, errors: error.errors }
    throw error
  }
  throw new Error('no refusal')
}

test('trace: x-portkey-trace-id, else the traceparent trace id, else a minted one', () => {
  expect(traceOf({ 'x-portkey-trace-id': 'mine' }, 'POST /v1/chat/completions', ids)).toEqual({ traceId: 'mine' })
  expect(traceOf({}, 'POST /v1/chat/completions', ids)).toEqual({ traceId: 'minted-trace' })
  expect(traceOf({ traceparent: TRACEPARENT }, 'POST /v1/chat/completions', ids)).toEqual({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: 'abcdefabcdefabcd',
    spanName: 'POST /v1/chat/completions',
    parentSpanId: '00f067aa0ba902b7',
  })
})

test('trace: the x-portkey span headers win over traceparent, which fills what they leave open', () => {
  const headers = { traceparent: TRACEPARENT, 'x-portkey-trace-id': 't', 'x-portkey-span-id': 's1', 'x-portkey-parent-span-id': 'p0' }
  expect(traceOf(headers, 'POST /v1/messages', ids)).toEqual({
    traceId: 't',
    spanId: 's1',
    spanName: 'POST /v1/messages',
    parentSpanId: 'p0',
  })
  expect(traceOf({ 'x-portkey-span-id': 's', 'x-portkey-span-name': 'plan' }, 'x', ids)).toEqual({
    traceId: 'minted-trace',
    spanId: 's',
    spanName: 'plan',
  })
})

test('traceparent: malformed, all-zero ids and version ff are ignored', () => {
  expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7')).toBeNull()
  expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull()
  expect(parseTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeNull()
  expect(parseTraceparent(TRACEPARENT.toUpperCase())).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7' })
})

test('baggage: pairs URL-decoded, properties dropped, bad members skipped', () => {
  expect([...parseBaggage('env=prod, user%20id=a%2Cb;prop=1,broken,=x,bad=%E0%A4%A')]).toEqual([
    ['env', 'prod'],
    ['user id', 'a,b'],
  ])
})

test('metadata: x-portkey-metadata over baggage, values as strings, _user from the body only when absent', () => {
  const headers = { baggage: 'env=staging,team=core', 'x-portkey-metadata': '{"env":"prod","n":3,"flag":true,"none":null}' }
  expect(metadataOf(headers, 'u-body')).toEqual({ env: 'prod', team: 'core', n: '3', flag: 'true', _user: 'u-body' })
  expect(metadataOf({ 'x-portkey-metadata': '{"_user":"u-header"}' }, 'u-body')).toEqual({ _user: 'u-header' })
  expect(metadataOf({ 'x-portkey-metadata': 'not json' }, undefined)).toEqual({})
  expect(metadataOf({ 'x-portkey-metadata': '["a"]' }, undefined)).toEqual({})
  expect(Object.getPrototypeOf(metadataOf({ 'x-portkey-metadata': '{"__proto__":"x"}' }, undefined))).toBe(Object.prototype)
})

test('provider: the header, a virtual key, an @slug header or model prefix, in that order after a config', () => {
  expect(chooseProvider({ 'x-portkey-provider': 'anthropic' }, 'claude-3-5-haiku')).toEqual({
    provider: 'anthropic',
    model: 'claude-3-5-haiku',
    optionIndex: 'config',
  })
  expect(chooseProvider({ 'x-portkey-virtual-key': 'openai-vk-1' }, 'gpt-4o')).toMatchObject({
    provider: 'openai',
    virtualKey: 'openai-vk-1',
  })
  expect(chooseProvider({ 'x-portkey-provider': '@anthropic-prod' }, 'claude-3-opus')).toMatchObject({
    provider: 'anthropic',
    virtualKey: 'anthropic-prod',
  })
  expect(chooseProvider({}, '@my-team/claude-sonnet-4')).toEqual({
    provider: 'anthropic',
    model: 'claude-sonnet-4',
    virtualKey: 'my-team',
    optionIndex: 'config',
  })
  expect(chooseProvider({ 'x-portkey-provider': 'openai' }, '@openai-prod/gpt-4o')).toMatchObject({ provider: 'openai', model: 'gpt-4o' })
  expect(refusal(() => chooseProvider({}, 'gpt-4o')).message).toBe('Either x-portkey-config or x-portkey-provider header is required')
})

test('provider of a slug: the longest provider name it starts with, else the model family', () => {
  expect(providerForSlug('azure-openai-east', 'gpt-4o')).toBe('azure-openai')
  expect(providerForSlug('@openai', 'claude-3')).toBe('openai')
  expect(providerForSlug('openaiish', 'claude-3')).toBe('anthropic')
  expect(providerForSlug('prod', 'gemini-2.5-flash')).toBe('google')
  expect(providerForModel('mistral-large-latest')).toBe('mistral-ai')
  expect(providerForModel('command-r')).toBe('cohere')
  expect(providerForModel('some-model')).toBe('openai')
  expect(splitModelSlug('@a/b/c')).toEqual({ slug: 'a', model: 'b/c' })
  expect(splitModelSlug('openai/gpt-4o')).toEqual({ model: 'openai/gpt-4o' })
})

test('inline config: provider, virtual key, override model, targets (fallback first, loadbalance first weighted), cache', () => {
  const config = (c: unknown) => ({ 'x-portkey-config': JSON.stringify(c) })
  expect(chooseProvider(config({ provider: 'anthropic' }), 'claude-3-haiku')).toEqual({
    provider: 'anthropic',
    model: 'claude-3-haiku',
    optionIndex: 'config',
  })
  expect(
    chooseProvider(
      config({
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'anthropic-main', override_params: { model: 'claude-3-5-sonnet' } }, { provider: 'openai' }],
      }),
      'gpt-4o',
    ),
  ).toEqual({ provider: 'anthropic', model: 'claude-3-5-sonnet', virtualKey: 'anthropic-main', optionIndex: 'config.targets[0]' })
  expect(
    chooseProvider(
      config({
        strategy: { mode: 'loadbalance' },
        targets: [
          { provider: 'openai', weight: 0 },
          { strategy: { mode: 'fallback' }, targets: [{ provider: 'groq' }] },
        ],
      }),
      'llama-3.1-8b-instant',
    ),
  ).toMatchObject({ provider: 'groq', optionIndex: 'config.targets[1].targets[0]' })
  expect(chooseProvider(config({ provider: 'openai', cache: { mode: 'semantic', max_age: 60 } }), 'gpt-4o').cache).toEqual({
    mode: 'semantic',
    maxAgeSeconds: 60,
  })
  expect(chooseProvider(config({ provider: 'openai', cache: { mode: 'simple' } }), 'gpt-4o').cache?.maxAgeSeconds).toBe(604800)
  expect(chooseProvider({ 'x-portkey-config': 'pc-main-123' }, 'gpt-4o')).toEqual({
    provider: 'openai',
    model: 'gpt-4o',
    configSlug: 'pc-main-123',
    optionIndex: 'config',
  })
})

test('gateway header checks: content type, provider name, config JSON and contents, in the gateway order', () => {
  expect(() => checkGatewayHeaders({ 'content-type': 'application/json; charset=utf-8', 'x-portkey-provider': 'openai' })).not.toThrow()
  expect(() => checkGatewayHeaders({ 'content-type': 'multipart/form-data; boundary=x' })).not.toThrow()
  expect(refusal(() => checkGatewayHeaders({ 'content-type': 'text/plain', 'x-portkey-provider': 'nope' })).message).toBe(
    'Invalid content type passed',
  )
  expect(refusal(() => checkGatewayHeaders({ 'x-portkey-provider': 'nope', 'x-portkey-config': '{' })).message).toBe(
    'Invalid provider passed',
  )
  expect(() => checkGatewayHeaders({ 'x-portkey-provider': '@anything' })).not.toThrow()
  expect(refusal(() => checkGatewayHeaders({ 'x-portkey-config': '{bad' })).message).toBe(
    'Invalid config passed. You need to pass a valid json',
  )
  expect(refusal(() => checkGatewayHeaders({ 'x-portkey-config': '{"retry":{"attempts":2}}' })).message).toMatch(
    /^Either x-portkey-provider needs to be passed/,
  )
  expect(refusal(() => checkGatewayHeaders({ 'x-portkey-config': '{"targets":[]}' }))).toEqual({
    message: 'Invalid config passed',
    errors: ['path: targets, message: Expected a non-empty array of targets'],
  })
  expect(() => checkGatewayHeaders({ 'x-portkey-config': 'pc-slug' })).not.toThrow()
})

const table = operationTable('portkey')
const checkChat = compileBodyCheck(table.byId.get('createChatCompletion')!, 'openai')
const checkMessage = compileBodyCheck(table.byId.get('createMessage')!, 'anthropic')

test("a refused body in OpenAI's words: the missing field, a bad role among every role, a wrong type", () => {
  const chat = (body: unknown) => checkChat(body)
  expect(chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).toBeNull()
  expect(chat({ model: 'gpt-4o' })).toEqual({ message: "Missing required parameter: 'messages'.", param: 'messages' })
  expect(chat({ model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] })).toEqual({
    message: "Invalid value: 'robot'. Supported values are: 'developer', 'system', 'user', 'assistant', 'tool', and 'function'.",
    param: 'messages[0].role',
  })
  expect(chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 'ten' })).toEqual({
    message: "Invalid type for 'max_tokens': expected an integer, but got a string instead.",
    param: 'max_tokens',
  })
  expect(chat({ model: 'gpt-4o', messages: [{ role: 'tool', content: 'x' }] })).toEqual({
    message: "Missing required parameter: 'messages[0].tool_call_id'.",
    param: 'messages[0].tool_call_id',
  })
})

test("a refused Anthropic body in Anthropic's words, param null", () => {
  expect(checkMessage({ model: 'claude-3-5-haiku', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).toBeNull()
  expect(checkMessage({ model: 'claude-3-5-haiku', messages: [] })).toEqual({ message: 'max_tokens: Field required', param: null })
  expect(checkMessage({ model: 'claude-3-5-haiku', max_tokens: 10, messages: [{ role: 'system', content: 'x' }] })).toEqual({
    message: "messages.0.role: Input should be 'user' or 'assistant'",
    param: null,
  })
})

test('cache: keyed without the streaming fields, per owner, expiring, bounded; statuses by mode', () => {
  const parts = { tenant: 't', route: '/v1/chat/completions', provider: 'openai', model: 'gpt-4o', namespace: undefined }
  const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }
  expect(cacheKey(parts, { ...body, stream: true, stream_options: { include_usage: true } })).toBe(cacheKey(parts, body))
  expect(cacheKey(parts, { messages: body.messages, model: 'gpt-4o' })).toBe(cacheKey(parts, body))
  expect(cacheKey({ ...parts, namespace: 'n' }, body)).not.toBe(cacheKey(parts, body))
  expect(cacheKey(parts, { ...body, temperature: 0 })).not.toBe(cacheKey(parts, body))

  const cache = createGatewayCache(2)
  const owner = {}
  const answer = {} as Completion
  cache.set('a', answer, owner, 0, { mode: 'simple', maxAgeSeconds: 10 })
  expect(cache.get('a', owner, 9_999)).toBe(answer)
  expect(cache.get('a', {}, 0)).toBeUndefined()
  cache.set('a', answer, owner, 0, { mode: 'simple', maxAgeSeconds: 10 })
  expect(cache.get('a', owner, 10_000)).toBeUndefined()
  cache.set('a', answer, owner, 0, { mode: 'simple', maxAgeSeconds: 10 })
  cache.set('b', answer, owner, 0, { mode: 'simple', maxAgeSeconds: 10 })
  cache.set('c', answer, owner, 0, { mode: 'simple', maxAgeSeconds: 10 })
  expect(cache.get('a', owner, 0)).toBeUndefined()
  expect(cache.get('c', owner, 0)).toBe(answer)

  expect([cacheStatusOf('simple', 'hit'), cacheStatusOf('semantic', 'miss'), cacheStatusOf('semantic', 'refresh')]).toEqual([
    'HIT',
    'SEMANTIC MISS',
    'REFRESH',
  ])
})

test('streamed text: chat deltas and tool arguments, legacy completion text, Anthropic deltas, up to the count', () => {
  const events = [
    { data: { choices: [{ delta: { role: 'assistant', content: '' } }] } },
    { data: { choices: [{ delta: { content: 'Hello ' } }] } },
    { data: { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] } }] } },
    { data: { choices: [{ text: 'legacy' }] } },
    { event: 'content_block_delta', data: { delta: { type: 'text_delta', text: ' there' } } },
    { event: 'content_block_delta', data: { delta: { type: 'input_json_delta', partial_json: '1}' } } },
    { data: '[DONE]' },
  ]
  expect(streamedText(events, events.length)).toBe('Hello {"a":legacy there1}')
  expect(streamedText(events, 2)).toBe('Hello ')
})
