// The error cap of the emulator's ajv: every way of getting a validator (compile, getSchema) answers with at
// most about MAX_AJV_ERRORS errors instead of throwing the internal abort out to the caller.
import { expect, test } from 'vitest'
import { createAjv, MAX_AJV_ERRORS } from '../../src/openapi/create-ajv.ts'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { loadSpec, specId } from '../../src/openapi/load-specs.ts'

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

test('every schema in the specs is valid JSON Schema 2020-12 (the emulator compiles them without this check)', () => {
  const checker = new Ajv2020({ strict: false })
  const problems: string[] = []
  let checked = 0
  const visit = (node: unknown, at: string, isSchema: boolean): void => {
    if (node === null || typeof node !== 'object') return
    if (isSchema) checked++
    if (isSchema && !checker.validateSchema(node as object)) problems.push(`${at}: ${checker.errorsText(checker.errors)}`)
    if (isSchema) return
    for (const [key, child] of Object.entries(node)) visit(child, `${at}/${key}`, key === 'schema')
  }
  for (const name of ['portkey', 'helicone', 'pulze', 'emulator', 'llm-apis'] as const) {
    const spec = loadSpec(name)
    for (const [key, schema] of Object.entries(spec.components?.['schemas'] ?? {}))
      visit(schema, `${name}#/components/schemas/${key}`, true)
    visit(spec.paths, `${name}#/paths`, false)
    visit(spec.components?.['parameters'], `${name}#/components/parameters`, false)
    visit(spec.components?.['responses'], `${name}#/components/responses`, false)
    visit(spec.components?.['requestBodies'], `${name}#/components/requestBodies`, false)
  }
  expect(problems).toEqual([])
  expect(checked).toBeGreaterThan(300)
  // The check can fail: a schema with a bad keyword value is reported.
  expect(checker.validateSchema({ type: 'object', required: 'id' })).toBe(false)
})
