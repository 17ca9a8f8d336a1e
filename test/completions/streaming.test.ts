import { expect, test } from 'vitest'
import { createCompletionEngine, formatSseEvent, type Completion, type SseEvent } from '../../src/completions/index.ts'
import { llmSchemaErrors } from '../helpers/llm-api-schemas.ts'

const engine = () => createCompletionEngine({ now: () => Date.UTC(2025, 0, 15) })
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] },
  },
}

type Chunk = { choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown }
const chunksOf = (events: SseEvent[]): Chunk[] => events.filter((e) => e.data !== '[DONE]').map((e) => e.data as Chunk)

test('chat chunks: a role chunk, content deltas that add up to the answer, a finish chunk, then [DONE]', async () => {
  const completion = await engine().complete({
    api: 'chat',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream me a sentence please' }], stream: true },
  })
  expect(completion.stream).toBe(true)
  expect(completion.includeUsage).toBe(false)
  const events = completion.streamEvents()
  expect(events.at(-1)).toEqual({ data: '[DONE]' })
  const chunks = chunksOf(events)
  for (const chunk of chunks) expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
  expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '', refusal: null })
  const deltas = chunks.slice(1, -1).map((c) => c.choices[0]!.delta['content'])
  expect(deltas.length).toBeGreaterThan(1)
  expect(deltas.length).toBeLessThanOrEqual(4)
  expect(deltas.join('')).toBe(completion.content)
  expect(chunks.at(-1)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' })
  expect(chunks.every((c) => !('usage' in c))).toBe(true)
  expect(chunks.every((c) => (c as unknown as { id: string }).id === (completion.body as { id: string }).id)).toBe(true)
})

test('stream_options.include_usage adds usage: null to every chunk and a last chunk with choices: [] and the usage', async () => {
  const completion = await engine().complete({
    api: 'chat',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
  })
  const chunks = chunksOf(completion.streamEvents())
  for (const chunk of chunks) expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
  expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true)
  expect(chunks.at(-1)).toMatchObject({
    choices: [],
    usage: { prompt_tokens: completion.usage.promptTokens, completion_tokens: completion.usage.completionTokens },
  })
  // A vendor can force it (Helicone's AI gateway) or leave it out, whatever the body asked.
  expect(chunksOf(completion.streamEvents({ includeUsage: false })).at(-1)!.choices).toHaveLength(1)
})

test('tool calls stream as an id-and-name delta, then argument fragments that add up to the arguments', async () => {
  const completion = await engine().complete({
    api: 'chat',
    body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'weather' }], tools: [WEATHER], stream: true },
  })
  const chunks = chunksOf(completion.streamEvents({ pieces: 3 }))
  for (const chunk of chunks) expect(llmSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([])
  const first = chunks[0]!.choices[0]!.delta as { tool_calls: { id: string; function: { name: string; arguments: string } }[] }
  expect(first).toMatchObject({ role: 'assistant', content: null })
  expect(first.tool_calls[0]).toMatchObject({
    index: 0,
    id: completion.toolCalls[0]!.id,
    type: 'function',
    function: { name: 'get_weather', arguments: '' },
  })
  const fragments = chunks
    .slice(1, -1)
    .map((c) => (c.choices[0]!.delta as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]!.function.arguments)
  expect(fragments).toHaveLength(3)
  expect(fragments.join('')).toBe(completion.toolCalls[0]!.arguments)
  expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls')
})

test('legacy completion chunks carry the text in pieces and the finish reason last', async () => {
  const completion = await engine().complete({
    api: 'completions',
    body: {
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Once upon a time',
      max_tokens: 40,
      stream: true,
      stream_options: { include_usage: true },
    },
  })
  const chunks = chunksOf(completion.streamEvents()) as unknown as {
    object: string
    choices: { text: string; finish_reason: string | null }[]
    usage?: unknown
  }[]
  expect(chunks.every((c) => c.object === 'text_completion')).toBe(true)
  expect(
    chunks
      .slice(0, -2)
      .map((c) => c.choices[0]!.text)
      .join(''),
  ).toBe(completion.content)
  expect(chunks.slice(0, -2).every((c) => c.choices[0]!.finish_reason === null)).toBe(true)
  const last = chunks.at(-2)!
  expect(llmSchemaErrors('CreateCompletionResponse', { ...last, usage: undefined })).toEqual([])
  expect(last.choices[0]!.finish_reason).toBe(completion.finishReason)
  expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: completion.usage.totalTokens } })
})

test("Anthropic events: named, valid, in Anthropic's order, adding up to the message", async () => {
  const completion = (await engine().complete({
    api: 'messages',
    body: { model: 'claude-haiku-4-5', max_tokens: 200, messages: [{ role: 'user', content: 'Say something nice' }], stream: true },
  })) as Extract<Completion, { api: 'messages' }>
  const events = completion.streamEvents()
  for (const event of events) {
    expect(event.event).toBe((event.data as { type: string }).type)
    expect(llmSchemaErrors('AnthropicMessageStreamEvent', event.data), event.event).toEqual([])
  }
  expect(events.map((e) => e.event)).toEqual([
    'message_start',
    'content_block_start',
    'ping',
    ...Array(events.length - 6).fill('content_block_delta'),
    'content_block_stop',
    'message_delta',
    'message_stop',
  ])
  const start = events[0]!.data as { message: { id: string; content: unknown[]; stop_reason: unknown; usage: { input_tokens: number } } }
  expect(start.message).toMatchObject({
    id: completion.body.id,
    content: [],
    stop_reason: null,
    usage: { input_tokens: completion.body.usage.input_tokens },
  })
  const text = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data as { delta: { text: string } }).delta.text)
  expect(text.join('')).toBe(completion.content)
  expect(events.at(-2)!.data).toEqual({
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: completion.body.usage.output_tokens },
  })
})

test('Anthropic tool_use streams as input_json_delta fragments of the input', async () => {
  const completion = await engine().complete({
    api: 'messages',
    body: {
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'weather' }],
      tools: [{ name: 'get_weather', input_schema: WEATHER.function.parameters }],
    },
  })
  const events = completion.streamEvents()
  for (const event of events) expect(llmSchemaErrors('AnthropicMessageStreamEvent', event.data)).toEqual([])
  expect(events[1]!.data).toMatchObject({
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'tool_use', name: 'get_weather', input: {} },
  })
  const json = events
    .filter((e) => e.event === 'content_block_delta')
    .map((e) => (e.data as { delta: { partial_json: string } }).delta.partial_json)
  expect(JSON.parse(json.join(''))).toEqual(JSON.parse(completion.toolCalls[0]!.arguments))
  expect(events.at(-2)!.data).toMatchObject({ delta: { stop_reason: 'tool_use' } })
})

test('an SSE frame is `data:` (after `event:` when named) and a blank line', () => {
  expect(formatSseEvent({ data: '[DONE]' })).toBe('data: [DONE]\n\n')
  expect(formatSseEvent({ event: 'ping', data: { type: 'ping' } })).toBe('event: ping\ndata: {"type":"ping"}\n\n')
})
