import { expect, test } from 'vitest'
import {
  APPROXIMATE,
  countChatPrompt,
  countFunctions,
  encodingForModel,
  loadCounter,
  tokenCounterFor,
} from '../../src/completions/tokens.ts'

// The example conversation and tool of openai-cookbook "How to count tokens with tiktoken" (§6, §7), whose
// counts the notebook checked against the API's `usage.prompt_tokens`.
const COOKBOOK_MESSAGES = [
  { role: 'system', text: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', text: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', text: 'Things working well together will increase revenue.' },
  {
    role: 'system',
    name: 'example_user',
    text: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  { role: 'system', name: 'example_assistant', text: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', text: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
]
const WEATHER_TOOL = {
  name: 'get_current_weather',
  description: 'Get the current weather in a given location',
  parameters: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
      unit: { type: 'string', description: 'The unit of temperature to return', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['location'],
  },
}
const WEATHER_MESSAGES = [
  { role: 'system', text: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', text: "What's the weather like in San Francisco?" },
]

test('each model family gets its encoding: o200k for gpt-4o/4.1/5/o-series, cl100k for gpt-4/3.5/embeddings, else approximate', () => {
  for (const model of [
    'gpt-4o',
    'gpt-4o-mini-2024-07-18',
    'gpt-4.1-nano',
    'gpt-5',
    'o1',
    'o3-mini',
    'o4-mini',
    'chatgpt-4o-latest',
    'openai/gpt-4o',
    '@prod/gpt-4.1',
  ]) {
    expect(encodingForModel(model), model).toBe('o200k_base')
  }
  for (const model of [
    'gpt-4',
    'gpt-4-turbo',
    'gpt-4-0613',
    'gpt-3.5-turbo',
    'gpt-3.5-turbo-instruct',
    'text-embedding-3-small',
    'text-embedding-ada-002',
  ]) {
    expect(encodingForModel(model), model).toBe('cl100k_base')
  }
  for (const model of ['claude-sonnet-4-5', 'gemini-2.5-flash', 'llama-3.3-70b-versatile', 'pulze', 'mistral-large-latest']) {
    expect(encodingForModel(model), model).toBe('approximate')
  }
})

test("chat prompts count as OpenAI's API counted the cookbook's example: 129 (cl100k) and 124 (o200k)", async () => {
  expect(countChatPrompt(await tokenCounterFor('gpt-4'), COOKBOOK_MESSAGES)).toBe(129)
  expect(countChatPrompt(await tokenCounterFor('gpt-3.5-turbo'), COOKBOOK_MESSAGES)).toBe(129)
  expect(countChatPrompt(await tokenCounterFor('gpt-4o'), COOKBOOK_MESSAGES)).toBe(124)
  expect(countChatPrompt(await tokenCounterFor('gpt-4o-mini'), COOKBOOK_MESSAGES)).toBe(124)
})

test("function definitions count as OpenAI's API counted the cookbook's tool example: 105 (cl100k) and 101 (o200k)", async () => {
  for (const [model, expected] of [
    ['gpt-4', 105],
    ['gpt-3.5-turbo', 105],
    ['gpt-4o', 101],
    ['gpt-4o-mini', 101],
  ] as const) {
    const counter = await tokenCounterFor(model)
    expect(countChatPrompt(counter, WEATHER_MESSAGES) + countFunctions(counter, [WEATHER_TOOL]), model).toBe(expected)
  }
})

test('special-token text is counted as plain text, never rejected', async () => {
  const counter = await loadCounter('o200k_base')
  expect(counter.count('<|endoftext|> hi')).toBeGreaterThan(2)
  expect(counter.count('')).toBe(0)
})

test('a long run without spaces is counted in linear time', async () => {
  const counter = await loadCounter('o200k_base')
  const started = Date.now()
  const n = counter.count('a'.repeat(200_000))
  expect(n).toBeGreaterThan(10_000)
  // Quadratic BPE over one 200,000-letter piece takes minutes; chunked it is milliseconds. Generous bound.
  expect(Date.now() - started).toBeLessThan(10_000)
})

test('truncate keeps at most the given number of tokens', async () => {
  const counter = await loadCounter('cl100k_base')
  const text = 'The quick brown fox jumps over the lazy dog and keeps on running far away.'
  const cut = counter.truncate(text, 5)
  expect(counter.count(cut)).toBe(5)
  expect(text.startsWith(cut)).toBe(true)
  expect(counter.truncate(text, 1000)).toBe(text)
})

test('other models are approximated at 4 characters per token, rounded up, code points not UTF-16 units', () => {
  expect(APPROXIMATE.exact).toBe(false)
  expect(APPROXIMATE.count('')).toBe(0)
  expect(APPROXIMATE.count('abcd')).toBe(1)
  expect(APPROXIMATE.count('abcde')).toBe(2)
  expect(APPROXIMATE.count('😀😀😀😀')).toBe(1)
  expect(APPROXIMATE.truncate('abcdefghij', 2)).toBe('abcdefgh')
})
