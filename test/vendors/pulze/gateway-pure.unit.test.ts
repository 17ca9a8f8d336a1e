import { expect, test } from 'vitest'
import { loadSpec } from '../../../src/openapi/load-specs.ts'
import { costBreakdownUsd } from '../../../src/pricing/prices.ts'
import {
  buildLog,
  chatAnswer,
  choicesFromEvents,
  DEFAULT_NAMESPACE,
  pulzeCosts,
  pulzeStreamEvents,
  responseTextOf,
  routeModel,
  type AnswerContext,
  type ChoiceOutcome,
} from '../../../src/vendors/pulze/llm/handlers.ts'
import { readPulzeHeaders } from '../../../src/vendors/pulze/llm/headers.ts'
import { parseJsonText, pythonFloatRepr, pythonStr } from '../../../src/vendors/pulze/pydantic/json-value.ts'
import { compilePydanticOperations } from '../../../src/vendors/pulze/pydantic/operation-compiler.ts'

const chat = compilePydanticOperations(loadSpec('pulze')).get('Chat_performCompletionRequest')!
const text = compilePydanticOperations(loadSpec('pulze')).get('Completions_performTextRequest')!
const errorsOf = (result: ReturnType<typeof chat.validate>) => ('errors' in result ? result.errors : [])
const USER = [{ role: 'user', content: 'hi' }]

test("Python's repr of floats: shortest digits, `.0` on whole numbers, exponents below 1e-4 and from 1e16", () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [1, '1.0'],
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    [123.456, '123.456'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [12345678901234567890, '1.2345678901234567e+19'],
    [1.5e300, '1.5e+300'],
  ]
  for (const [value, repr] of cases) expect(pythonFloatRepr(value), String(value)).toBe(repr)
})

test("Python's str() of what json.loads returns: ints and floats apart, nested values as Python reprs", () => {
  const parsed = parseJsonText('{"a": [1, 2.0, "x", null, true], "b": {"k": "it\'s"}, "c": 1e2, "d": -0}')
  expect('value' in parsed).toBe(true)
  const value = (parsed as { value: Map<string, never> }).value
  expect(pythonStr(value.get('a')!)).toBe("[1, 2.0, 'x', None, True]")
  expect(pythonStr(value.get('b')!)).toBe("{'k': \"it's\"}")
  expect(pythonStr(value.get('c')!)).toBe('100.0')
  expect(pythonStr(value.get('d')!)).toBe('0')
})

test("a JSON header that does not parse gets jiter's message, with line and column", () => {
  const cases: [string, string][] = [
    ['xyz', 'expected value at line 1 column 1'],
    ['', 'EOF while parsing a value at line 1 column 0'],
    ['{"a":1', 'EOF while parsing an object at line 1 column 6'],
    ['{"a" 1}', 'expected `:` at line 1 column 6'],
    ['{a: 1}', 'key must be a string at line 1 column 2'],
    ['[1,]', 'trailing comma at line 1 column 4'],
    ['{} x', 'trailing characters at line 1 column 4'],
    ['{"a": tru}', 'expected ident at line 1 column 10'],
    ['{"a":\n 01}', 'invalid number at line 2 column 3'],
    ['{"a": 1,}', 'trailing comma at line 1 column 9'],
  ]
  for (const [input, error] of cases) expect(parseJsonText(input), input).toEqual({ error })
})

test('Pulze-Labels are lower-cased and stringified as the docs show; weights and policies join them only with labels', () => {
  const headers = (raw: Record<string, string>) => {
    const parsed = chat.validate({ path: {}, query: {}, headers: raw, body: { messages: USER } })
    if ('errors' in parsed) throw new Error(JSON.stringify(parsed.errors))
    return readPulzeHeaders(raw, parsed.value.headers)
  }
  // The docs' own example (features/custom-headers/introduction).
  expect(headers({ 'pulze-labels': '{"type": "test", "attempt": 3, "is_test": true}' }).labels).toEqual({
    type: 'test',
    attempt: '3',
    is_test: 'true',
  })
  // The notebook's: weights sent as ints come back as Python floats, after the labels, in the model's order.
  const notebook = headers({
    'pulze-labels': '{"foo": "bar", "group": "Standard"}',
    'pulze-weights': '{"quality": 1, "cost": 0, "latency": 0}',
  })
  expect(Object.entries(notebook.labels!)).toEqual([
    ['foo', 'bar'],
    ['group', 'standard'],
    ['weights_cost', '0.0'],
    ['weights_latency', '0.0'],
    ['weights_quality', '1.0'],
  ])
  // An explicit weights_* label wins; privacy_level is never stored; policies keep their types.
  const explicit = headers({
    'pulze-labels': '{"Weights_Cost": "Very Cheap"}',
    'pulze-weights': '{"cost": 0.2}',
    'pulze-policies': '{"privacy_level": 2, "max_cost": 1, "max_same_model_retries": 2}',
  })
  expect(explicit.labels).toEqual({ weights_cost: 'very cheap', policies_max_cost: '1.0', policies_max_same_model_retries: '2' })
  expect(explicit.privacyLevel).toBe(2)
  // Without Pulze-Labels nothing is stored as labels, whatever else is sent.
  expect(headers({ 'pulze-weights': '{"cost": 1}', 'pulze-policies': '{"privacy_level": 3}' })).toMatchObject({
    labels: null,
    weights: { cost: 1 },
    privacyLevel: 3,
  })
  expect(headers({}).privacyLevel).toBe(1)
})

test("the completion bodies are Pulze's pydantic models: lax values, defaults, unions with their members' names in loc", () => {
  const fine = chat.validate({ path: {}, query: {}, headers: {}, body: { messages: USER, max_tokens: '5', stream: 'true', x: 1 } })
  expect('value' in fine && fine.value.body).toMatchObject({
    model: 'pulze',
    max_tokens: 5,
    stream: true,
    temperature: 1,
    tool_choice: 'none',
  })
  expect('value' in fine && Object.hasOwn(fine.value.body as object, 'x')).toBe(false)

  const bad = chat.validate({
    path: {},
    query: {},
    headers: { 'pulze-labels': '[1]', 'pulze-policies': '{"privacy_level": "2"}' },
    body: { messages: [{ role: 'robot', content: [{ type: 'text', text: 'hi' }] }], temperature: 1.5, stop: 5, n: 0.5 },
  })
  expect(errorsOf(bad).map((e) => [e.type, e.loc])).toEqual([
    ['dict_type', ['header', 'pulze-labels']],
    ['literal_error', ['header', 'pulze-policies', 'privacy_level']],
    ['less_than_equal', ['body', 'temperature']],
    ['int_from_float', ['body', 'n']],
    ['string_type', ['body', 'stop', 'str']],
    ['list_type', ['body', 'stop', 'list[str]']],
    ['literal_error', ['body', 'messages', 0, 'role']],
    ['string_type', ['body', 'messages', 0, 'content']],
  ])
  expect(errorsOf(bad)[2]).toEqual({
    type: 'less_than_equal',
    loc: ['body', 'temperature'],
    msg: 'Input should be less than or equal to 1',
    input: 1.5,
    ctx: { le: 1 },
  })
  expect(errorsOf(chat.validate({ path: {}, query: {}, headers: { 'pulze-labels': '{bad' }, body: {} }))).toEqual([
    {
      type: 'json_invalid',
      loc: ['header', 'pulze-labels'],
      msg: 'Invalid JSON: key must be a string at line 1 column 2',
      input: '{bad',
      ctx: { error: 'key must be a string at line 1 column 2' },
    },
    { type: 'missing', loc: ['body', 'messages'], msg: 'Field required', input: {} },
  ])
  expect(errorsOf(chat.validate({ path: {}, query: {}, headers: {}, body: { messages: USER, tool_choice: 'maybe' } }))).toEqual([
    {
      type: 'literal_error',
      loc: ['body', 'tool_choice', "literal['none','auto','required']"],
      msg: "Input should be 'none', 'auto' or 'required'",
      input: 'maybe',
      ctx: { expected: "'none', 'auto' or 'required'" },
    },
    { type: 'dict_type', loc: ['body', 'tool_choice', 'dict[str,any]'], msg: 'Input should be a valid dictionary', input: 'maybe' },
  ])
  expect(errorsOf(text.validate({ path: {}, query: {}, headers: {}, body: { prompt: '' } }))).toEqual([
    {
      type: 'string_too_short',
      loc: ['body', 'prompt'],
      msg: 'String should have at least 1 character',
      input: '',
      ctx: { min_length: 1 },
    },
  ])
})

test('model selection: dynamic routing, namespaces, provider names and bare model families', () => {
  expect(routeModel(null).namespace).toBe(DEFAULT_NAMESPACE)
  expect(routeModel('pulze')).toEqual({ namespace: 'openai/gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini' })
  expect(routeModel('Pulze-V0').namespace).toBe(DEFAULT_NAMESPACE)
  expect(routeModel('anthropic/claude-3-5-sonnet')).toEqual({
    namespace: 'anthropic/claude-3-5-sonnet',
    provider: 'anthropic',
    model: 'claude-3-5-sonnet',
  })
  expect(routeModel('anthropic').namespace).toBe('anthropic/claude-3-5-haiku')
  expect(routeModel('gpt-4o').namespace).toBe('openai/gpt-4o')
  expect(routeModel('gemini-2.5-pro').namespace).toBe('google/gemini-2.5-pro')
  expect(routeModel('my-own-model')).toEqual({ namespace: 'my-own-model', provider: null, model: 'my-own-model' })
})

test('costs come from the shared price table in USD; savings are against the GPT-4 benchmark', () => {
  const { costs, savings } = pulzeCosts('openai/gpt-4o', { prompt: 1000, completion: 500 })
  expect(costs).toEqual(costBreakdownUsd('gpt-4o', 1000, 500))
  expect(costs).toEqual({ prompt: 0.0025, completion: 0.005, total: 0.0075 })
  // gpt-4: $30 / $60 per million.
  expect(savings).toEqual({ prompt: 0.0275, completion: 0.025, total: 0.0525 })
  expect(pulzeCosts('anthropic/claude-3-opus', { prompt: 0, completion: 1000 }).savings.completion).toBeCloseTo(-0.015, 12)
})

test('a stream cut short: the choices as far as the written chunks carried them, tool calls included', () => {
  const chunk = (choices: unknown[]) => ({ data: { id: 'x', system_fingerprint: 'fp', service_tier: 'default', choices } })
  const events = [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: 'Hello ' }, finish_reason: null }]),
    chunk([{ index: 1, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'get', arguments: '' } }] } }]),
    chunk([{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] } }]),
    chunk([{ index: 0, delta: { content: 'world' }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    { data: '[DONE]' },
  ]
  const { chunks, done } = pulzeStreamEvents(events)
  expect(done).toEqual({ data: '[DONE]' })
  expect(chunks).toHaveLength(6)
  expect(chunks[0]!.data).toEqual({ id: 'x', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
  expect(choicesFromEvents(chunks.slice(0, 4))).toEqual([
    { index: 0, text: 'Hello ', toolCalls: [], finishReason: null },
    { index: 1, text: '', toolCalls: [{ id: 'call_1', name: 'get', arguments: '{"a"' }], finishReason: null },
  ])
  const all = choicesFromEvents(chunks)
  expect(all[0]).toEqual({ index: 0, text: 'Hello world', toolCalls: [], finishReason: 'stop' })
  expect(responseTextOf(all.slice(1))).toBe('[{"name":"get","arguments":"{\\"a\\""}]')
})

function sampleAnswer(labels: Record<string, string>) {
  const choices: ChoiceOutcome[] = [{ index: 0, text: 'Paris.', toolCalls: [], finishReason: 'stop' }]
  const usage = { prompt: 12, completion: 3 }
  const context: AnswerContext = {
    id: '2315fc76-3479-4565-a120-4254aebe89e6',
    createdMs: 1_701_483_003_546,
    appId: '92bca216-e64c-4bcb-a70a-e2359a6df125',
    route: routeModel('openai/gpt-4o'),
    labels,
    usage,
    costs: pulzeCosts('openai/gpt-4o', usage),
    latencySeconds: 0.601,
    temperature: 1,
    maxTokens: null,
    statusCode: 200,
    nullFinishReason: false,
  }
  return { choices, answer: chatAnswer(choices, context) }
}

test('the log of a call: every field from the answer; privacy 2 keeps no text, privacy 3 neither text, labels nor payload', () => {
  const { choices, answer } = sampleAnswer({ team: 'support' })
  expect(Object.keys(answer)).toEqual(['choices', 'created', 'metadata', 'id', 'usage', 'model', 'object'])
  const payload = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Capital of France?' }], labels: { team: 'support' } }
  const input = {
    route: 'chat' as const,
    answer,
    choices,
    appId: answer.metadata.app_id!,
    payload,
    prompt: 'Capital of France?',
    latencySeconds: 0.601,
    statusCode: 200,
  }
  const plain = buildLog({ ...input, privacyLevel: 1 })
  expect(plain).toMatchObject({
    id: answer.id,
    timestamp: 1_701_483_003_546,
    added_on: '2023-12-02T02:10:03.546Z',
    namespace: 'openai/gpt-4o',
    prompt: 'Capital of France?',
    response_text: 'Paris.',
    request_type: 'chat_completions',
    prompt_tokens: 12,
    completion_tokens: 3,
    total_tokens: 15,
    total_tokens_cost: answer.metadata.costs!.total_tokens,
    total_tokens_cost_savings: answer.metadata.cost_savings!.total_tokens,
    latency: 0.601,
    good_answer: null,
    feedback: '',
    privacy_level: 1,
  })
  expect(plain.response).toBe(answer)

  const masked = buildLog({ ...input, privacyLevel: 2 })
  expect(masked).toMatchObject({ prompt: null, response_text: null, total_tokens: 15, privacy_level: 2 })
  expect(masked.payload).toMatchObject({ messages: [{ role: 'user', content: null }], labels: { team: 'support' } })
  expect(masked.response.choices![0]!.message!.content).toBeNull()
  expect(masked.response.metadata!.labels).toEqual({ team: 'support' })

  const stealth = buildLog({ ...input, privacyLevel: 3 })
  expect(stealth).toMatchObject({ prompt: null, response_text: null, payload: null, total_tokens: 15, privacy_level: 3 })
  expect(stealth.response.metadata).not.toHaveProperty('labels')
  expect(stealth.response.choices![0]!.message!.content).toBeNull()
})
