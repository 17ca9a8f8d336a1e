import { Ajv2020 } from 'ajv/dist/2020.js'
import { expect, test } from 'vitest'
import { createCompletionEngine, tokenCounterFor, type Completion } from '../../src/completions/index.ts'
import { llmSchemaErrors } from '../helpers/llm-api-schemas.ts'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const engine = () => createCompletionEngine({ now: () => NOW })
const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content }],
  ...extra,
})

async function chat(body: Record<string, unknown>, e = engine()): Promise<Extract<Completion, { api: 'chat' }>> {
  const completion = await e.complete({ api: 'chat', body, vendor: 'portkey' })
  if (completion.api !== 'chat') throw new Error('not a chat completion')
  expect(llmSchemaErrors('CreateChatCompletionResponse', completion.body)).toEqual([])
  return completion
}

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1 },
      },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
}
const SEARCH_TOOL = {
  type: 'function',
  function: {
    name: 'search_docs',
    description: 'Search the product documentation',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  },
}

test('the same request gets the same answer from any engine, on any run', async () => {
  const a = await chat(ask('What is the capital of France?'))
  const b = await chat(ask('What is the capital of France?'))
  expect(b.body).toEqual(a.body)
  // Pinned: SHA-256 based, so the same on every machine; a change here changes every emulated answer.
  expect(a.content).toBe('gpt-4o-mini (emulated) read "What is the capital of France?" and answers with reference 75c22b04.')
  expect(a.body.choices[0]!.message.content).toMatch(/^.*gpt-4o-mini.*"What is the capital of France\?".*\b[0-9a-f]{8}\b/)
  expect(a.body.created).toBe(NOW / 1000)
  expect(a.body.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/)
  expect(a.body.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/)
})

test('the text depends on the last user message and the model; ids differ per call', async () => {
  const e = engine()
  const first = await chat(ask('Hello there'), e)
  const again = await chat(ask('Hello there'), e)
  expect(again.content).toBe(first.content)
  expect(again.body.id).not.toBe(first.body.id)
  expect((await chat(ask('Hello again'), e)).content).not.toBe(first.content)
  expect((await chat({ ...ask('Hello there'), model: 'gpt-4.1' }, e)).content).not.toBe(first.content)
  const earlier = {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'user', content: 'Hello there' },
      { role: 'assistant', content: 'Hi' },
      { role: 'user', content: [{ type: 'text', text: 'Bye now' }] },
    ],
  }
  expect((await chat(earlier, e)).content).toContain('"Bye now"')
})

test("usage counts the prompt by OpenAI's formula and the answer with the model's real encoding", async () => {
  const completion = await chat(ask('What is the capital of France?'))
  const counter = await tokenCounterFor('gpt-4o-mini')
  // 3 per message + "user" (1) + 7 content tokens + 3 priming the reply: what the API reports for this prompt
  expect(completion.body.usage?.prompt_tokens).toBe(14)
  expect(completion.body.usage?.completion_tokens).toBe(counter.count(completion.content))
  expect(completion.body.usage?.total_tokens).toBe(14 + counter.count(completion.content))
  expect(completion.usage).toMatchObject({ promptTokens: 14, encoding: 'o200k_base', exact: true })
  const gpt4 = await chat({ ...ask('What is the capital of France?'), model: 'gpt-4' })
  expect(gpt4.usage.encoding).toBe('cl100k_base')
  const other = await chat({ ...ask('What is the capital of France?'), model: 'mistral-large-latest' })
  expect(other.usage).toMatchObject({ encoding: 'approximate', exact: false })
})

test('tools with tool_choice auto get a well-formed call to the best matching tool, arguments valid against its schema', async () => {
  const completion = await chat(ask('What is the weather in Paris?', { tools: [SEARCH_TOOL, WEATHER_TOOL] }))
  const choice = completion.body.choices[0]!
  expect(choice.finish_reason).toBe('tool_calls')
  expect(choice.message.content).toBeNull()
  const call = choice.message.tool_calls![0]!
  expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } })
  expect(call.id).toMatch(/^call_[A-Za-z0-9]{24}$/)
  if (call.type !== 'function') throw new Error('function call expected')
  const args = JSON.parse(call.function.arguments)
  expect(new Ajv2020({ strict: false }).validate(WEATHER_TOOL.function.parameters, args)).toBe(true)
  expect(args).toEqual({ city: 'example city', unit: 'celsius' })
  expect(completion.toolCalls).toEqual([{ id: call.id, name: 'get_weather', arguments: call.function.arguments }])
  expect(completion.content).toBe('')
})

test('tool_choice none answers with text, a named function is called, allowed_tools restricts the choice', async () => {
  const tools = [SEARCH_TOOL, WEATHER_TOOL]
  expect((await chat(ask('weather in Paris', { tools, tool_choice: 'none' }))).body.choices[0]!.finish_reason).toBe('stop')
  const named = await chat(ask('weather in Paris', { tools, tool_choice: { type: 'function', function: { name: 'search_docs' } } }))
  expect(named.toolCalls[0]?.name).toBe('search_docs')
  const required = await chat(ask('nothing related', { tools, tool_choice: 'required' }))
  expect(required.toolCalls[0]?.name).toBe('search_docs') // no word in common: the first tool
  const allowed = await chat(
    ask('search the docs', {
      tools,
      tool_choice: {
        type: 'allowed_tools',
        allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'get_weather' } }] },
      },
    }),
  )
  expect(allowed.toolCalls[0]?.name).toBe('get_weather')
})

test('after a tool result the answer is text, so an agent loop ends', async () => {
  const completion = await chat({
    model: 'gpt-4o-mini',
    tools: [WEATHER_TOOL],
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":15}' },
    ],
  })
  expect(completion.body.choices[0]!.finish_reason).toBe('stop')
  expect(completion.content).toContain('{"temperature":15}')
})

test('legacy functions get a function_call with finish_reason function_call', async () => {
  const completion = await chat(ask('weather in Paris', { functions: [WEATHER_TOOL.function], function_call: 'auto' }))
  const choice = completion.body.choices[0]!
  expect(choice.finish_reason).toBe('function_call')
  expect(choice.message.function_call?.name).toBe('get_weather')
  expect(choice.message.tool_calls).toBeUndefined()
  expect((await chat(ask('weather', { functions: [WEATHER_TOOL.function], function_call: 'none' }))).body.choices[0]!.finish_reason).toBe(
    'stop',
  )
})

test('response_format json_schema answers an instance of the schema; json_object a small object', async () => {
  const schema = {
    type: 'object',
    properties: { answer: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
    required: ['answer', 'confidence'],
    additionalProperties: false,
  }
  const structured = await chat(
    ask('Capital of France?', { response_format: { type: 'json_schema', json_schema: { name: 'reply', schema, strict: true } } }),
  )
  const value = JSON.parse(structured.content)
  expect(new Ajv2020({ strict: false }).validate(schema, value)).toBe(true)
  const object = await chat(ask('Capital of France?', { response_format: { type: 'json_object' } }))
  expect(JSON.parse(object.content)).toEqual({ answer: expect.stringContaining('Capital of France?') })
})

test('n choices differ from each other, choice 0 is the n: 1 answer, and usage adds them up', async () => {
  const single = await chat(ask('Tell me a joke'))
  const many = await chat(ask('Tell me a joke', { n: 3 }))
  expect(many.body.choices.map((c) => c.index)).toEqual([0, 1, 2])
  expect(many.body.choices[0]!.message.content).toBe(single.content)
  expect(new Set(many.body.choices.map((c) => c.message.content)).size).toBe(3)
  const counter = await tokenCounterFor('gpt-4o-mini')
  expect(many.body.usage?.completion_tokens).toBe(many.body.choices.reduce((n, c) => n + counter.count(c.message.content ?? ''), 0))
})

test('max_tokens cuts the text with finish_reason length; a stop sequence ends it with stop', async () => {
  const counter = await tokenCounterFor('gpt-4o-mini')
  const cut = await chat(ask('Tell me a story', { max_completion_tokens: 3 }))
  expect(cut.body.choices[0]!.finish_reason).toBe('length')
  expect(counter.count(cut.content)).toBe(3)
  expect(cut.body.usage?.completion_tokens).toBe(3)
  const full = await chat(ask('Tell me a story'))
  const stopAt = full.content.split(' ')[2]!
  const stopped = await chat(ask('Tell me a story', { stop: [stopAt] }))
  expect(stopped.body.choices[0]!.finish_reason).toBe('stop')
  expect(stopped.content).toBe(full.content.slice(0, full.content.indexOf(stopAt)))
})

test('an override forces the answer over every rule (Helicone’s __helicone-mock-response)', async () => {
  const e = createCompletionEngine({ rules: [{ content: 'from a rule' }] })
  const forced = await e.complete({
    api: 'chat',
    body: ask('hi'),
    override: { content: 'mocked', usage: { promptTokens: 1, completionTokens: 2 } },
  })
  expect(forced.content).toBe('mocked')
  expect(forced.source).toBe('override')
  expect(forced.usage).toMatchObject({ promptTokens: 1, completionTokens: 2, totalTokens: 3, exact: false })
  expect((await e.complete({ api: 'chat', body: ask('hi') })).content).toBe('from a rule')
})

test('scripted rules answer with content, tool calls or JSON, translate finish reasons and can force usage', async () => {
  const e = createCompletionEngine({
    rules: [
      { match: 'refund', toolCalls: [{ name: 'issue_refund', arguments: { order: 'A1' } }] },
      { match: { regex: 'json', flags: 'i' }, json: { ok: true } },
      { match: 'filtered', content: 'no', finishReason: 'refusal' },
      { match: 'count', usage: { promptTokens: 1000, completionTokens: 5 } },
    ],
  })
  const refund = await chat(ask('I want a refund'), e)
  expect(refund.body.choices[0]!.finish_reason).toBe('tool_calls')
  expect(refund.toolCalls).toEqual([{ id: expect.stringMatching(/^call_/), name: 'issue_refund', arguments: '{"order":"A1"}' }])
  expect(refund.source).toBe('rule')
  expect(refund.rule).toMatchObject({ match: 'refund' })
  expect((await chat(ask('give JSON'), e)).content).toBe('{"ok":true}')
  expect((await chat(ask('filtered please'), e)).body.choices[0]!.finish_reason).toBe('content_filter')
  const counted = await chat(ask('count me'), e)
  expect(counted.body.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 5, total_tokens: 1005 })
  expect(counted.content).toContain('count me') // no outcome: the generated text stays
})

test('a malformed body gets a valid answer, never an exception', async () => {
  for (const body of [{}, { messages: 'nope' }, { model: 42, messages: [null, 7, { role: 'user', content: { odd: true } }] }, null]) {
    const completion = await engine().complete({ api: 'chat', body })
    expect(llmSchemaErrors('CreateChatCompletionResponse', completion.body)).toEqual([])
  }
})
