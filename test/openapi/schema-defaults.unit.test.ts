import { expect, test } from 'vitest'
import { createDefaultsFiller } from '../../src/openapi/schema-defaults.ts'

const fillLog = createDefaultsFiller<Record<string, unknown>>('pulze', '/components/schemas/LogRequest', { nullForOptional: true })

test("defaults are filled at every depth the record has, from the spec's schemas", () => {
  const log = fillLog({
    id: 'a',
    timestamp: 1,
    response: { model: 'm', object: 'chat.completion', choices: [{ index: 0 }], metadata: { costs: {} } },
  })
  expect(log).toMatchObject({ good_answer: null, feedback: '', privacy_level: 1, latency: -1, collections: [], prompt: null })
  expect(log['response']).toEqual({
    model: 'm',
    object: 'chat.completion',
    created: 0,
    choices: [{ index: 0, finish_reason: 'stop' }],
    metadata: { costs: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } },
  })
})

test('values given are kept, the input is not changed, and a user key named __proto__ stays an ordinary key', () => {
  const input = JSON.parse(
    '{"id":"a","timestamp":1,"feedback":"ok","response":{"model":"m","object":"chat.completion"},"__proto__":{"x":1}}',
  )
  const before = JSON.stringify(input)
  const log = fillLog(input)
  expect(log['feedback']).toBe('ok')
  expect(JSON.stringify(input)).toBe(before)
  expect(Object.getPrototypeOf(log)).toBe(Object.prototype)
  expect(Object.hasOwn(log, '__proto__')).toBe(true)
})
