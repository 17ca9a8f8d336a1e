// The dashboard's overview helpers, without HTTP: the demo keys it shows unmasked are those of the bundled
// fixtures, and record counts follow the state.
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { BUNDLED_DEMO_KEYS, recordCounts } from '../../src/control/overview.ts'

test('the unmasked demo keys are exactly the keys of fixtures/default.json', () => {
  const doc = JSON.parse(readFileSync(new URL('../../fixtures/default.json', import.meta.url), 'utf8')) as Record<
    string,
    { apiKey: string }[]
  >
  const keys = Object.values(doc).flatMap((blocks) => (Array.isArray(blocks) ? blocks.map((b) => b.apiKey) : []))
  expect(new Set(keys)).toEqual(BUNDLED_DEMO_KEYS)
})

test('Helicone counts: scored = a score other than the rating; feedback = rated; Pulze rated = good_answer set', () => {
  const requests = [
    { scores: {} },
    { scores: { accuracy: 80 } },
    { scores: { 'helicone-score-feedback': 1 } },
    { scores: { accuracy: 1, 'helicone-score-feedback': 0 } },
  ]
  expect(recordCounts('helicone', { requests, pendingScores: [] })).toEqual({ requests: 4, scored: 2, feedback: 2 })
  const logs = [{ good_answer: true }, { good_answer: false }, { good_answer: null }]
  expect(recordCounts('pulze', { logs })).toEqual({ logs: 3, rated: 2 })
})
