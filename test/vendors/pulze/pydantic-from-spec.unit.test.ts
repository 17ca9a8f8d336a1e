import { expect, test } from 'vitest'
import { loadSpec } from '../../../src/openapi/load-specs.ts'
import { compilePydanticOperations } from '../../../src/vendors/pulze/pydantic/operation-compiler.ts'
import type { PydanticError } from '../../../src/vendors/pulze/pydantic/scalars.ts'
import { compileSchema, type JsonSchema } from '../../../src/vendors/pulze/pydantic/schema-compiler.ts'

const pulzeOperation = (operationId: string) => compilePydanticOperations(loadSpec('pulze')).get(operationId)!

const UUID = '2315fc76-3479-4565-a120-4254aebe89e6'
const errorsOf = (result: { value: unknown } | { errors: PydanticError[] }) => ('errors' in result ? result.errors : [])
const typesAndLocs = (result: { value: unknown } | { errors: PydanticError[] }) => errorsOf(result).map((e) => [e.type, e.loc])

/** A small document in the shape of Pulze's: one operation with a path UUID, two bounded query ints and a body model. */
function smallDoc(sizeMaximum: number) {
  return {
    paths: {
      '/items/{item_id}': {
        parameters: [{ $ref: '#/components/parameters/ItemId' }],
        post: {
          operationId: 'Items_search',
          parameters: [
            { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
            { name: 'size', in: 'query', schema: { type: 'integer', minimum: 1, maximum: sizeMaximum, default: 10 } },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Search' } } },
          },
        },
      },
    },
    components: {
      parameters: { ItemId: { name: 'item_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } } },
      schemas: {
        Search: {
          type: 'object',
          required: ['since'],
          properties: {
            since: { allOf: [{ $ref: '#/components/schemas/When' }] },
            tags: { type: 'array', items: { type: 'string' }, default: [] },
          },
        },
        When: { type: 'string', format: 'date-time' },
      },
    },
  }
}

test('bounds come from the schema: the same query compiled against another maximum gives another answer', () => {
  const raw = { path: { item_id: UUID }, query: { size: '30' }, body: { since: '2026-01-01' } }
  const wide = compilePydanticOperations(smallDoc(50)).get('Items_search')!
  const narrow = compilePydanticOperations(smallDoc(20)).get('Items_search')!
  expect(wide.validate(raw)).toEqual({
    value: {
      path: { item_id: UUID },
      query: { page: 1, size: 30 },
      headers: {},
      body: { since: Date.parse('2026-01-01T00:00:00Z'), tags: [] },
    },
  })
  expect(narrow.validate(raw)).toEqual({
    errors: [
      { type: 'less_than_equal', loc: ['query', 'size'], msg: 'Input should be less than or equal to 20', input: '30', ctx: { le: 20 } },
    ],
  })
})

test("Pulze's own bounds and defaults are the spec's: editing a copy of the spec changes them", () => {
  const raw = { path: {}, query: { size: '150' }, body: { date_from: '2026-01-01' } }
  expect(typesAndLocs(pulzeOperation('Logs_getMatchingLogs').validate(raw))).toEqual([['less_than_equal', ['query', 'size']]])

  const spec = structuredClone(loadSpec('pulze'))
  const op = spec.paths['/v1/logs']!['post'] as { parameters: { name: string; schema: { maximum?: number; default?: number } }[] }
  const size = op.parameters.find((p) => p.name === 'size')!
  size.schema.maximum = 200
  size.schema.default = 7
  const schemas = spec.components!['schemas'] as Record<string, { required?: string[] }>
  schemas['FilterLogsRequest']!.required = ['date_from', 'query']
  const edited = compilePydanticOperations(spec).get('Logs_getMatchingLogs')!
  expect(edited.validate(raw)).toEqual({
    errors: [{ type: 'missing', loc: ['body', 'query'], msg: 'Field required', input: { date_from: '2026-01-01' } }],
  })
  const fine = edited.validate({ path: {}, query: {}, body: { date_from: '2026-01-01', query: 'x' } })
  expect('value' in fine && fine.value.query).toEqual({ page: 1, size: 7 })
})

test('errors come path, then query, then body, fields in schema order, all at once', () => {
  const op = compilePydanticOperations(smallDoc(50)).get('Items_search')!
  const result = op.validate({ path: { item_id: 'nope' }, query: { page: '0', size: ['5', 'x'] }, body: { tags: 'a', since: 'later' } })
  expect(typesAndLocs(result)).toEqual([
    ['uuid_parsing', ['path', 'item_id']],
    ['greater_than_equal', ['query', 'page']],
    ['int_parsing', ['query', 'size']],
    ['datetime_from_date_parsing', ['body', 'since']],
    ['list_type', ['body', 'tags']],
  ])
  expect(errorsOf(result)[2]).toMatchObject({ input: 'x' })
  expect(op.validate({ path: {}, query: {}, body: null })).toEqual({
    errors: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }],
  })
  expect(op.validate({ path: {}, query: {}, body: [1] })).toEqual({
    errors: [
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: [1],
      },
    ],
  })
})

test('Optional, defaults, literals, lists, dicts, nested models and forbidden extras, read off the schema', () => {
  const schema: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['kind'],
    properties: {
      kind: { type: 'string', enum: ['a', 'b', 'c'] },
      one: { enum: [1] },
      note: { anyOf: [{ type: 'string' }, { type: 'null' }], default: '' },
      owner: { type: ['string', 'null'], format: 'uuid' },
      flags: { type: 'object', additionalProperties: { type: 'boolean' } },
      rows: { type: 'array', items: { type: 'object', required: ['n'], properties: { n: { type: 'integer', maximum: 3 } } } },
      keep: { type: 'array', items: {}, default: [] },
    },
  }
  const validate = compileSchema(schema)
  const first = validate({ kind: 'b' }, ['body'])
  expect(first).toEqual({ value: { kind: 'b', note: '', owner: null, flags: null, rows: null, keep: [], one: null } })
  // A default is a fresh copy each time.
  ;(('value' in first && first.value) as { keep: unknown[] }).keep.push(1)
  expect(validate({ kind: 'a' })).toMatchObject({ value: { keep: [] } })
  expect(validate({ kind: 'a', note: null, owner: UUID.toUpperCase(), flags: { x: 'on' }, rows: [{ n: '2' }] })).toMatchObject({
    value: { note: null, owner: UUID, flags: { x: true }, rows: [{ n: 2 }] },
  })

  const bad = validate({ kind: 'd', one: 2, note: 5, owner: 5, flags: [], rows: [{ n: 4 }, 7, {}], extra: 1 }, ['body'])
  expect(errorsOf(bad)).toEqual([
    {
      type: 'literal_error',
      loc: ['body', 'kind'],
      msg: "Input should be 'a', 'b' or 'c'",
      input: 'd',
      ctx: { expected: "'a', 'b' or 'c'" },
    },
    { type: 'literal_error', loc: ['body', 'one'], msg: 'Input should be 1', input: 2, ctx: { expected: '1' } },
    { type: 'string_type', loc: ['body', 'note'], msg: 'Input should be a valid string', input: 5 },
    { type: 'uuid_type', loc: ['body', 'owner'], msg: 'UUID input should be a string, bytes or UUID object', input: 5 },
    { type: 'dict_type', loc: ['body', 'flags'], msg: 'Input should be a valid dictionary', input: [] },
    { type: 'less_than_equal', loc: ['body', 'rows', 0, 'n'], msg: 'Input should be less than or equal to 3', input: 4, ctx: { le: 3 } },
    {
      type: 'model_attributes_type',
      loc: ['body', 'rows', 1],
      msg: 'Input should be a valid dictionary or object to extract fields from',
      input: 7,
    },
    { type: 'missing', loc: ['body', 'rows', 2, 'n'], msg: 'Field required', input: {} },
    { type: 'extra_forbidden', loc: ['body', 'extra'], msg: 'Extra inputs are not permitted', input: 1 },
  ])
  expect(typesAndLocs(validate({}))).toEqual([['missing', ['kind']]])
})

test('unions are smart-mode: the member that takes the input wins, else every member fails with its name in loc', () => {
  const validate = compileSchema({
    anyOf: [{ type: 'number', minimum: 0 }, { type: 'array', items: { type: 'string' } }, { type: 'null' }],
  })
  expect(validate('1.5')).toEqual({ value: 1.5 })
  expect(validate(['a'])).toEqual({ value: ['a'] })
  expect(validate(null)).toEqual({ value: null })
  expect(validate({}, ['body', 'x'])).toEqual({
    errors: [
      { type: 'float_type', loc: ['body', 'x', 'float'], msg: 'Input should be a valid number', input: {} },
      { type: 'list_type', loc: ['body', 'x', 'list[str]'], msg: 'Input should be a valid list', input: {} },
    ],
  })
  expect(typesAndLocs(validate([1], ['x']))).toEqual([
    ['float_type', ['x', 'float']],
    ['string_type', ['x', 'list[str]', 0]],
  ])
  expect(typesAndLocs(validate(-1, ['x']))).toEqual([
    ['greater_than_equal', ['x', 'float']],
    ['list_type', ['x', 'list[str]']],
  ])
})

test('x-pydantic names the type behind the lax-input alternatives; null alternatives still mean Optional', () => {
  const laxBool: JsonSchema = {
    'x-pydantic': 'bool',
    anyOf: [{ type: 'boolean' }, { type: 'null' }, { type: 'string', pattern: '^(yes|no)$' } as JsonSchema, { enum: [0, 1] }],
  }
  const validate = compileSchema(laxBool)
  expect(validate('YES')).toEqual({ value: true })
  expect(validate(0)).toEqual({ value: false })
  expect(validate(null)).toEqual({ value: null })
  expect(typesAndLocs(validate('maybe', ['x']))).toEqual([['bool_parsing', ['x']]])

  const doc = { components: { schemas: { When: { 'x-pydantic': 'datetime', anyOf: [{ type: 'string' }, { type: 'number' }] } } } }
  const when = compileSchema({ $ref: '#/components/schemas/When' }, doc)
  expect(when('1700000000')).toEqual({ value: 1_700_000_000_000 })
  expect(typesAndLocs(when(null))).toEqual([['datetime_type', []]])
})

test('schemas the compiler cannot honour fail to compile instead of being checked loosely', () => {
  expect(() => compileSchema({ type: 'string', maxLength: 2 } as JsonSchema)).toThrow(/maxLength is not supported/)
  expect(() => compileSchema({ oneOf: [{ type: 'string' }, { type: 'integer' }] } as JsonSchema)).toThrow(/oneOf is not supported/)
  expect(() => compileSchema({ type: 'boolean', minLength: 1 })).toThrow(/minLength is only supported on strings/)
  expect(() => compileSchema({ type: 'boolean', maximum: 1 })).toThrow(/only supported on numbers/)
  expect(() => compileSchema({ type: 'string', format: 'email' })).toThrow(/format email/)
  expect(() => compileSchema({ type: 'string', 'x-pydantic': 'decimal' } as unknown as JsonSchema)).toThrow(/unknown x-pydantic/)
  expect(() => compileSchema({ $ref: '#/components/schemas/Nope' }, { components: { schemas: {} } })).toThrow(/does not resolve/)
})
