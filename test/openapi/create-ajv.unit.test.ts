// The error cap of the emulator's ajv: every way of getting a validator (compile, getSchema) answers with at
// most about MAX_AJV_ERRORS errors instead of throwing the internal abort out to the caller.
import { expect, test } from 'vitest'
import { createAjv, MAX_AJV_ERRORS } from '../../src/openapi/create-ajv.ts'
import { specId } from '../../src/openapi/load-specs.ts'

const tooMany = { prompt: Array.from({ length: 5_000 }, () => ({})), extra: 1 }

test('compile: a body with thousands of faults gets a capped error list, not an exception', () => {
  const validate = createAjv({ useDefaults: false }).compile({ $ref: `${specId('llm-apis')}#/components/schemas/CreateCompletionRequest` })
  expect(validate(tooMany)).toBe(false)
  expect(validate.errors!.length).toBeGreaterThan(10)
  expect(validate.errors!.length).toBeLessThanOrEqual(MAX_AJV_ERRORS + 1)
})

test('getSchema: the same cap (a validator fetched by id once threw the abort out to the route: a 500)', () => {
  const validate = createAjv({ useDefaults: false }).getSchema(`${specId('llm-apis')}#/components/schemas/CreateCompletionRequest`)!
  expect(validate(tooMany)).toBe(false)
  expect(validate.errors!.length).toBeLessThanOrEqual(MAX_AJV_ERRORS + 1)
  expect(validate({ model: 'gpt-4o-mini', prompt: 'hi' })).toBe(true)
})
