import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { expect, test } from 'vitest'
import { MAX_NODES, schemaInstance } from '../../src/completions/schema-instance.ts'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
// A fresh ajv without useDefaults: the instance must be valid as generated.
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }))

function expectValidInstance(schema: object): unknown {
  const value = schemaInstance(schema, 'seed')
  const validate = ajv.compile(schema)
  expect(validate(value), `${JSON.stringify(value)}: ${JSON.stringify(validate.errors)}`).toBe(true)
  return value
}

test('required properties of every type, enums and nested objects and arrays', () => {
  const value = expectValidInstance({
    type: 'object',
    properties: {
      location: { type: 'string', description: 'City' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 14 },
      ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      detailed: { type: 'boolean' },
      nothing: { type: 'null' },
      filters: {
        type: 'object',
        properties: { tags: { type: 'array', items: { type: 'string' }, minItems: 2, uniqueItems: true } },
        required: ['tags'],
      },
      optional: { type: 'string' },
    },
    required: ['location', 'unit', 'days', 'ratio', 'detailed', 'nothing', 'filters'],
  })
  expect(value).toEqual({
    location: 'example location',
    unit: 'celsius',
    days: 1,
    ratio: 0.5,
    detailed: true,
    nothing: null,
    filters: { tags: ['example tags', 'example tags 2'] },
  })
})

test('the same schema always gives the same instance', () => {
  const schema = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] }
  expect(schemaInstance(schema, 's')).toEqual(schemaInstance(schema, 's'))
})

test('formats, lengths, bounds and multipleOf are honoured', () => {
  expectValidInstance({
    type: 'object',
    required: ['when', 'day', 'mail', 'link', 'id', 'host', 'ip4', 'ip6', 'code', 'short', 'price', 'step', 'neg'],
    properties: {
      when: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      mail: { type: 'string', format: 'email' },
      link: { type: 'string', format: 'uri' },
      id: { type: 'string', format: 'uuid' },
      host: { type: 'string', format: 'hostname' },
      ip4: { type: 'string', format: 'ipv4' },
      ip6: { type: 'string', format: 'ipv6' },
      code: { type: 'string', minLength: 40 },
      short: { type: 'string', maxLength: 3 },
      price: { type: 'number', minimum: 10.5, multipleOf: 0.25 },
      step: { type: 'integer', minimum: 7, multipleOf: 5 },
      neg: { type: 'integer', maximum: -3 },
    },
  })
})

test('$ref to $defs, allOf, anyOf/oneOf, type lists and const are resolved', () => {
  expectValidInstance({
    type: 'object',
    $defs: {
      address: {
        type: 'object',
        properties: { street: { type: 'string' }, zip: { type: 'string', pattern: '^.*$' } },
        required: ['street'],
      },
    },
    properties: {
      home: { $ref: '#/$defs/address' },
      both: {
        allOf: [
          { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] },
          { properties: { b: { const: 'B' } }, required: ['b'] },
        ],
      },
      either: { anyOf: [{ type: 'null' }, { type: 'string', enum: ['x', 'y'] }] },
      one: { oneOf: [{ type: 'integer', minimum: 100 }, { type: 'string' }] },
      maybe: { type: ['null', 'number'] },
      fixed: { const: 42 },
      list: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
    },
    required: ['home', 'both', 'either', 'one', 'maybe', 'fixed', 'list'],
  })
})

test('defaults and examples are used as given', () => {
  expect(
    schemaInstance({
      type: 'object',
      properties: { n: { type: 'integer', default: 5 }, s: { type: 'string', examples: ['Paris'] } },
      required: ['n', 's'],
    }),
  ).toEqual({ n: 5, s: 'Paris' })
})

test('minProperties pulls in optional properties in order', () => {
  expect(
    expectValidInstance({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'boolean' } },
      minProperties: 2,
    }),
  ).toEqual({ a: 'example a', b: 1 })
})

test('a recursive schema gives a small, finite value', () => {
  const tree = {
    $defs: {
      node: {
        type: 'object',
        properties: { children: { type: 'array', items: { $ref: '#/$defs/node' }, minItems: 1 } },
        required: ['children'],
      },
    },
    $ref: '#/$defs/node',
  }
  const value = schemaInstance(tree)
  expect(JSON.stringify(value).length).toBeLessThan(10_000)
})

test('a huge schema stays bounded in size', () => {
  const properties: Record<string, object> = {}
  for (let i = 0; i < 5000; i++) properties[`p${i}`] = { type: 'array', minItems: 64, items: { type: 'string' } }
  const value = schemaInstance({ type: 'object', properties, required: Object.keys(properties) }) as Record<string, unknown>
  const strings = JSON.stringify(value).match(/example/g)?.length ?? 0
  expect(strings).toBeLessThanOrEqual(MAX_NODES)
})

test('an empty or missing schema gives a string, a non-object schema its type', () => {
  expect(schemaInstance({})).toBe('example value')
  expect(schemaInstance(undefined)).toBe('example value')
  expect(schemaInstance({ type: 'array', items: { type: 'integer' } })).toEqual([1])
})

test('a format named like an Object.prototype member is an unknown format (a plain string), not a prototype function', () => {
  for (const format of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    const value = schemaInstance({ type: 'string', format }, 's')
    expect(typeof value).toBe('string')
    expect(value).not.toMatch(/^\[object|^function/)
  }
})
