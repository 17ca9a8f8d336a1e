import { expect, test } from 'vitest'
import {
  costBreakdownUsd,
  costInCents,
  costInHeliconeUnits,
  costInUsd,
  priceOf,
  PRICES_USD_PER_MILLION,
  usdToHeliconeCost,
} from '../../src/pricing/prices.ts'
import { storedCost } from '../../src/vendors/helicone/records.ts'

test('a model named like an Object.prototype member is simply not listed (a Pulze call with model __proto__ answered costs of undefined)', () => {
  for (const model of ['__proto__', 'constructor', 'toString', 'openai/__proto__', 'hasOwnProperty']) {
    expect(priceOf(model)).toBeUndefined()
    expect(costBreakdownUsd(model, 1000, 1000)).toEqual({ prompt: 0, completion: 0, total: 0 })
  }
})

test('a model matches exactly, else on its longest listed prefix', () => {
  expect(priceOf('gpt-4o')).toEqual({ input: 2.5, output: 10 })
  expect(priceOf('gpt-4o-mini-2024-07-18')).toEqual(PRICES_USD_PER_MILLION['gpt-4o-mini'])
  expect(priceOf('gemini-2.5-flash-lite-preview-06-17')).toEqual(PRICES_USD_PER_MILLION['gemini-2.5-flash-lite'])
  expect(priceOf('gemini-2.5-flash-preview-05-20')).toEqual(PRICES_USD_PER_MILLION['gemini-2.5-flash'])
  expect(priceOf('claude-opus-4-5-20251101')).toEqual({ input: 5, output: 25 })
  expect(priceOf('claude-opus-4-20250514')).toEqual({ input: 15, output: 75 })
  expect(priceOf('claude-haiku-4-5-20251001')).toEqual({ input: 1, output: 5 })
  expect(priceOf('gemini-3-flash-preview')).toEqual({ input: 0.5, output: 3 })
})

test('a provider prefix is ignored (Pulze namespaces, Portkey @slug models)', () => {
  expect(priceOf('openai/gpt-4o-mini')).toEqual(PRICES_USD_PER_MILLION['gpt-4o-mini'])
  expect(priceOf('@openai-prod/gpt-4o')).toEqual(PRICES_USD_PER_MILLION['gpt-4o'])
  expect(priceOf('anthropic/claude-sonnet-4-5')).toEqual({ input: 3, output: 15 })
})

test('an unknown model costs 0 in every unit', () => {
  expect(priceOf('my-finetune')).toBeUndefined()
  expect(costInUsd('my-finetune', 1000, 1000)).toBe(0)
  expect(costInCents('my-finetune', 1000, 1000)).toBe(0)
  expect(costInHeliconeUnits('my-finetune', 1000, 1000)).toBe(0)
  expect(costBreakdownUsd('my-finetune', 1000, 1000)).toEqual({ prompt: 0, completion: 0, total: 0 })
})

test('each vendor gets the same cost in its own unit', () => {
  // gpt-4o-mini: $0.15/M in, $0.60/M out → 1200 in + 300 out = $0.00018 + $0.00018 = $0.00036
  expect(costBreakdownUsd('gpt-4o-mini', 1200, 300)).toEqual({ prompt: 0.00018, completion: 0.00018, total: 0.00036 })
  expect(costInUsd('gpt-4o-mini', 1200, 300)).toBe(0.00036) // Pulze: USD
  expect(costInCents('gpt-4o-mini', 1200, 300)).toBe(0.036) // Portkey: cents
  expect(costInHeliconeUnits('gpt-4o-mini', 1200, 300)).toBe(360_000) // Helicone: USD × 1e9
  expect(costInCents('gpt-4o', 1_000_000, 1_000_000)).toBe(1250)
})

test('costs carry no float noise', () => {
  // 0.1 + 0.2 style sums: 3 × $0.1/M + 1 × $0.4/M
  expect(costInUsd('gpt-4.1-nano', 3, 1)).toBe(0.0000007)
  expect(costInCents('gpt-4.1-nano', 3, 1)).toBe(0.00007)
})

test('embedding models price input tokens only', () => {
  expect(costInUsd('text-embedding-3-small', 1_000_000, 0)).toBe(0.02)
  expect(costInUsd('text-embedding-3-large', 500_000, 123)).toBe(0.065)
  expect(costInUsd('gemini-embedding-001', 1_000_000, 0)).toBe(0.15)
})

test("Helicone's cost column uses the shared conversion, rounded to an integer", () => {
  expect(usdToHeliconeCost(0.000123456789)).toBe(123457)
  expect(storedCost(0.000123456789)).toBe(usdToHeliconeCost(0.000123456789))
  expect(Number.isInteger(costInHeliconeUnits('claude-3-haiku', 7, 3))).toBe(true)
})

test('every listed price is a finite non-negative number', () => {
  for (const [model, price] of Object.entries(PRICES_USD_PER_MILLION)) {
    expect(model).toMatch(/^[a-z0-9.-]+$/)
    expect(price.input).toBeGreaterThanOrEqual(0)
    expect(price.output).toBeGreaterThanOrEqual(0)
  }
})
