import { expect, test } from 'vitest'
import { createAjv } from '../../src/openapi/create-ajv.ts'
import { loadSpec, specId } from '../../src/openapi/load-specs.ts'
import { llmSchemaErrors } from '../helpers/llm-api-schemas.ts'

test('specs/llm-apis.yaml holds schemas only, and every one compiles in the emulator’s ajv', () => {
  const doc = loadSpec('llm-apis')
  expect(doc.paths).toEqual({})
  const names = Object.keys(doc.components?.['schemas'] ?? {})
  expect(names.length).toBeGreaterThan(100)
  for (const name of names) expect(createAjv().getSchema(`${specId('llm-apis')}#/components/schemas/${name}`), name).toBeTypeOf('function')
})

test('no OpenAPI 3.0 `nullable` or ajv-incompatible `discriminator` is left in the excerpt', () => {
  const text = JSON.stringify(loadSpec('llm-apis'))
  expect(text).not.toContain('"nullable"')
  expect(text).not.toContain('"discriminator"')
  expect(text).not.toContain('"x-oaiMeta"')
})

test('a chat request with every message role, content parts, tools and response formats is valid', () => {
  const request = {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'developer', content: 'Be brief.' },
      { role: 'system', content: [{ type: 'text', text: 'You help.' }] },
      {
        role: 'user',
        name: 'ann',
        content: [
          { type: 'text', text: 'Look' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"ok":true}' },
      { role: 'function', name: 'f', content: 'done' },
    ],
    tools: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object', properties: {} } } }],
    tool_choice: { type: 'function', function: { name: 'f' } },
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    stream: true,
    stream_options: { include_usage: true },
    n: 2,
    max_completion_tokens: 100,
    temperature: 0.2,
    user: 'u-1',
    metadata: { app: 'x' },
    some_gateway_extra: { passed: 'through' },
  }
  const requestErrors = (body: unknown) => llmSchemaErrors('CreateChatCompletionRequest', body, { defaultsAllowed: true })
  expect(requestErrors(request)).toEqual([])
  expect(requestErrors({ ...request, response_format: { type: 'json_object' } })).toEqual([])
  expect(requestErrors({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] }).length).toBeGreaterThan(0)
  expect(requestErrors({ messages: [{ role: 'user', content: 'x' }] })).toContain("/ must have required property 'model'")
})

test("OpenAI's own response examples validate, and a stream chunk's finish_reason may be null", () => {
  // From OpenAI's API reference (chat object and chunk examples).
  const response = {
    id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
    object: 'chat.completion',
    created: 1741570283,
    model: 'gpt-4o-2024-08-06',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'Hi', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: {
      prompt_tokens: 1117,
      completion_tokens: 46,
      total_tokens: 1163,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0, cache_write_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_fc9f1d7035',
  }
  expect(llmSchemaErrors('CreateChatCompletionResponse', response)).toEqual([])
  const chunk = {
    id: 'chatcmpl-123',
    object: 'chat.completion.chunk',
    created: 1694268190,
    model: 'gpt-4o-mini',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    usage: null,
  }
  expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
  expect(llmSchemaErrors('CreateChatCompletionStreamResponse', { ...chunk, choices: [], usage: response.usage })).toEqual([])
  expect(
    llmSchemaErrors('ErrorResponse', { error: { message: 'Invalid model', type: 'invalid_request_error', param: 'model', code: null } }),
  ).toEqual([])
})

test('an embedding is an array of floats, or a base64 string with encoding_format base64', () => {
  const body = (embedding: unknown) => ({
    object: 'list',
    model: 'text-embedding-3-small',
    data: [{ object: 'embedding', index: 0, embedding }],
    usage: { prompt_tokens: 1, total_tokens: 1 },
  })
  expect(llmSchemaErrors('CreateEmbeddingResponse', body([0.1, -0.2]))).toEqual([])
  expect(llmSchemaErrors('CreateEmbeddingResponse', body('zczMPc3MTL4='))).toEqual([])
  expect(llmSchemaErrors('CreateEmbeddingResponse', body(42)).length).toBeGreaterThan(0)
})

test("Anthropic's documented message, stream events and error validate; a request needs model, messages and max_tokens", () => {
  // From Anthropic's API reference (Messages, Streaming Messages, Errors).
  const message = {
    id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
    type: 'message',
    role: 'assistant',
    content: [
      { type: 'text', text: 'Hi! My name is Claude.' },
      { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA' } },
    ],
    model: 'claude-sonnet-4-5',
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 2095, output_tokens: 503 },
  }
  expect(llmSchemaErrors('AnthropicMessage', message)).toEqual([])
  const events = [
    { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 25, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location": "San Fra' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } },
    { type: 'message_stop' },
    { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
  ]
  for (const event of events) expect(llmSchemaErrors('AnthropicMessageStreamEvent', event), event.type).toEqual([])
  expect(
    llmSchemaErrors('AnthropicMessageStreamEvent', { type: 'content_block_delta', index: 0, delta: { type: 'bogus' } }).length,
  ).toBeGreaterThan(0)
  expect(
    llmSchemaErrors('AnthropicErrorResponse', {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
      request_id: 'req_011',
    }),
  ).toEqual([])

  const request = {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: [{ type: 'text', text: 'Be nice', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '15°C' }] }] },
    ],
    tools: [
      {
        name: 'get_weather',
        description: 'Weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
    ],
    tool_choice: { type: 'auto' },
    metadata: { user_id: 'u-1' },
    stream: true,
  }
  const requestErrors = (body: unknown) => llmSchemaErrors('AnthropicCreateMessageRequest', body, { defaultsAllowed: true })
  expect(requestErrors(request)).toEqual([])
  const { max_tokens: _dropped, ...withoutMax } = request
  expect(requestErrors(withoutMax)).toContain("/ must have required property 'max_tokens'")
  expect(requestErrors({ ...request, messages: [] }).length).toBeGreaterThan(0)
  expect(requestErrors({ ...request, tool_choice: { type: 'tool' } }).length).toBeGreaterThan(0)
})
