import { expect, test, vi } from 'vitest'
import { CompletionRequestError, createCompletionEngine, tokenCounterFor, type Completion } from '../../src/completions/index.ts'
import { llmSchemaErrors } from '../helpers/llm-api-schemas.ts'

const engine = () => createCompletionEngine({ now: () => Date.UTC(2025, 0, 15) })

async function messages(body: Record<string, unknown>, e = engine()): Promise<Extract<Completion, { api: 'messages' }>> {
  const completion = await e.complete({ api: 'messages', body, vendor: 'helicone' })
  if (completion.api !== 'messages') throw new Error('not a message')
  expect(llmSchemaErrors('AnthropicMessage', completion.body)).toEqual([])
  return completion
}

const claude = (content: unknown, extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content }],
  ...extra,
})
const WEATHER = {
  name: 'get_weather',
  description: 'Get the weather of a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}

test('Anthropic messages: a deterministic text answer in the Message shape, usage approximated for Claude', async () => {
  const a = await messages(claude('Hello, Claude'))
  const b = await messages(claude('Hello, Claude'))
  expect(b.body).toEqual(a.body)
  expect(a.body).toMatchObject({
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    stop_reason: 'end_turn',
    stop_sequence: null,
  })
  expect(a.body.id).toMatch(/^msg_01[A-Za-z0-9]{22}$/)
  expect(a.body.content).toEqual([{ type: 'text', text: a.content }])
  expect(a.content).toContain('"Hello, Claude"')
  expect(a.usage).toMatchObject({ encoding: 'approximate', exact: false })
  expect(a.body.usage.output_tokens).toBe(Math.ceil(Array.from(a.content).length / 4))
  expect(a.finishReason).toBe('end_turn')
})

test('Anthropic tools: tool_use with a schema-valid input; tool_choice none gives text; a tool_result turn ends the loop', async () => {
  const used = await messages(claude('Weather in Paris?', { tools: [WEATHER, { type: 'web_search_20250305', name: 'web_search' }] }))
  expect(used.body.stop_reason).toBe('tool_use')
  expect(used.body.content).toEqual([
    { type: 'tool_use', id: expect.stringMatching(/^toolu_01[A-Za-z0-9]{22}$/), name: 'get_weather', input: { city: 'example city' } },
  ])
  expect(used.toolCalls).toEqual([
    { id: (used.body.content[0] as { id: string }).id, name: 'get_weather', arguments: '{"city":"example city"}' },
  ])
  expect((await messages(claude('Weather?', { tools: [WEATHER], tool_choice: { type: 'none' } }))).body.stop_reason).toBe('end_turn')
  expect(
    (await messages(claude('anything', { tools: [WEATHER], tool_choice: { type: 'tool', name: 'get_weather' } }))).toolCalls[0]?.name,
  ).toBe('get_weather')
  const closing = await messages({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    tools: [WEATHER],
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '15 degrees' }] },
    ],
  })
  expect(closing.body.stop_reason).toBe('end_turn')
  expect(closing.content).toContain('15 degrees')
})

test('Anthropic stop_sequences, max_tokens, system prompt and rules in Anthropic words', async () => {
  const full = await messages(claude('Tell me something'))
  const word = full.content.split(' ')[1]!
  const stopped = await messages(claude('Tell me something', { stop_sequences: [word] }))
  expect(stopped.body).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: word })
  const cut = await messages(claude('Tell me something', { max_tokens: 2 }))
  expect(cut.body.stop_reason).toBe('max_tokens')
  expect(cut.body.usage.output_tokens).toBe(2)
  const withSystem = await messages(
    claude('Tell me something', { system: 'You are a pirate with a very long backstory that costs tokens.' }),
  )
  expect(withSystem.body.usage.input_tokens).toBeGreaterThan(full.body.usage.input_tokens)
  const e = createCompletionEngine({
    rules: [{ vendor: 'helicone', model: 'claude-sonnet-4-5', content: 'Scripted', finishReason: 'length' }],
  })
  expect((await messages(claude('x'), e)).body).toMatchObject({ content: [{ type: 'text', text: 'Scripted' }], stop_reason: 'max_tokens' })
})

test('Anthropic output_config json_schema answers a JSON instance', async () => {
  const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }
  const completion = await messages(claude('Who?', { output_config: { format: { type: 'json_schema', schema } } }))
  expect(JSON.parse(completion.content)).toEqual({ name: 'example name' })
})

test('legacy completions: n choices per prompt in order, echo, the 16-token default max_tokens', async () => {
  const e = engine()
  const completion = await e.complete({
    api: 'completions',
    body: { model: 'gpt-3.5-turbo-instruct', prompt: ['Say hi', 'Say bye'], n: 2, max_tokens: 200, echo: true },
  })
  if (completion.api !== 'completions') throw new Error('not a completion')
  expect(llmSchemaErrors('CreateCompletionResponse', completion.body)).toEqual([])
  expect(completion.body.id).toMatch(/^cmpl-[A-Za-z0-9]{29}$/)
  expect(completion.body.choices.map((c) => c.index)).toEqual([0, 1, 2, 3])
  expect(completion.body.choices[0]!.text.startsWith('Say hi')).toBe(true)
  expect(completion.body.choices[2]!.text.startsWith('Say bye')).toBe(true)
  const counter = await tokenCounterFor('gpt-3.5-turbo-instruct')
  expect(completion.body.usage).toEqual({
    prompt_tokens: counter.count('Say hi') + counter.count('Say bye'),
    completion_tokens: completion.usage.completionTokens,
    total_tokens: completion.usage.totalTokens,
  })
  const short = await e.complete({
    api: 'completions',
    body: { model: 'gpt-3.5-turbo-instruct', prompt: 'Tell me a long story about dragons' },
  })
  expect(short.finishReason).toBe('length')
  expect(short.usage.completionTokens).toBe(16)
  const tokens = await e.complete({ api: 'completions', body: { model: 'gpt-3.5-turbo-instruct', prompt: [1, 2, 3] } })
  expect(tokens.usage.promptTokens).toBe(3)
})

test('embeddings are deterministic unit vectors; dimensions and base64 are honoured', async () => {
  const e = engine()
  const embed = async (body: Record<string, unknown>) => {
    const completion = await e.complete({ api: 'embeddings', body })
    if (completion.api !== 'embeddings') throw new Error('not embeddings')
    expect(llmSchemaErrors('CreateEmbeddingResponse', completion.body)).toEqual([])
    return completion
  }
  const floats = await embed({ model: 'text-embedding-3-small', input: ['The food was delicious', 'The waiter was rude'] })
  const [a, b] = floats.body.data.map((d) => d.embedding as number[])
  expect(a).toHaveLength(1536)
  expect(Math.hypot(...a!)).toBeCloseTo(1, 5)
  expect(a).not.toEqual(b)
  expect((await embed({ model: 'text-embedding-3-small', input: 'The food was delicious' })).body.data[0]!.embedding).toEqual(a)
  const counter = await tokenCounterFor('text-embedding-3-small')
  expect(floats.body.usage).toEqual({
    prompt_tokens: counter.count('The food was delicious') + counter.count('The waiter was rude'),
    total_tokens: floats.usage.promptTokens,
  })
  expect(floats.streamEvents()).toEqual([])

  const short = await embed({ model: 'text-embedding-3-large', input: 'x', dimensions: 256 })
  const vector = short.body.data[0]!.embedding as number[]
  expect(vector).toHaveLength(256)
  expect(Math.hypot(...vector)).toBeCloseTo(1, 5)
  const encoded = await embed({ model: 'text-embedding-3-large', input: 'x', dimensions: 256, encoding_format: 'base64' })
  const bytes = Buffer.from(encoded.body.data[0]!.embedding as string, 'base64')
  const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4))
  expect(decoded).toEqual(vector)
  expect(
    (
      await embed({
        model: 'text-embedding-3-small',
        input: [
          [1, 2, 3],
          [4, 5],
        ],
      })
    ).usage.promptTokens,
  ).toBe(5)
})

test('embeddings refuse dimensions the model cannot give, as the API does', async () => {
  await expect(
    engine().complete({ api: 'embeddings', body: { model: 'text-embedding-ada-002', input: 'x', dimensions: 256 } }),
  ).rejects.toThrow(CompletionRequestError)
  await expect(
    engine().complete({ api: 'embeddings', body: { model: 'text-embedding-3-small', input: 'x', dimensions: 2000 } }),
  ).rejects.toMatchObject({ param: 'dimensions' })
})

test('the simulated latency is waited before the completion resolves', async () => {
  vi.useFakeTimers()
  try {
    const e = createCompletionEngine({ latencyMs: 250 })
    await tokenCounterFor('gpt-4o-mini')
    let done = false
    const pending = e.complete({ api: 'chat', body: { model: 'gpt-4o-mini', messages: [] } }).then((c) => {
      done = true
      return c
    })
    await vi.advanceTimersByTimeAsync(249)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect((await pending).latencyMs).toBe(250)
    const perCall = e.complete({ api: 'chat', body: { model: 'gpt-4o-mini', messages: [] }, latencyMs: 0 })
    await vi.advanceTimersByTimeAsync(0)
    expect((await perCall).latencyMs).toBe(0)
  } finally {
    vi.useRealTimers()
  }
})
