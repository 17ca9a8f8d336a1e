// A deterministic instance of a JSON schema: the arguments of a generated tool call (the function's
// `parameters`) and the answer to `response_format: json_schema`. Bounded in depth and size whatever the
// schema: recursive or huge schemas still give a small value quickly.
import { unescapePointerToken } from '../openapi/json-pointer.ts'
import { stableUuid } from '../util/stable-uuid.ts'

/** Nesting below this gives the smallest value of the type (`{}`, `[]`). */
export const MAX_DEPTH = 8
/** At most about this many values in one instance; past it objects and arrays are cut short (and may then miss required parts). */
export const MAX_NODES = 500
/** Arrays get max(1, minItems) items, but never more than this (nor maxItems). */
export const MAX_ARRAY_ITEMS = 64

type Schema = Record<string, unknown>

type Context = { root: unknown; seed: string; nodes: number }

/**
 * What it generates, for schemas a model would be given:
 * - `const`, then the first `enum` value (the `i`-th for the `i`-th array item), then `default`, then the
 *   first of `examples`;
 * - objects: the `required` properties only (plus optional ones while `minProperties` asks for more), each
 *   from its property schema, or a string when the property is not described;
 * - arrays: `max(1, minItems)` items (capped by `maxItems`), from `items` or `prefixItems`; items differ by
 *   position, so `uniqueItems` holds;
 * - strings: `"example <property name>"`, padded to `minLength`, cut to `maxLength`; well-known `format`s get
 *   a fixed valid value (date-time, date, time, email, uri, uuid, hostname, ipv4, ipv6). `pattern` is not
 *   honoured (no general way to build a match);
 * - numbers: 1 moved into `minimum`/`maximum` (exclusive bounds too) and onto `multipleOf`; integers whole;
 * - booleans `true`, null `null`;
 * - `$ref` to `#/…` in the same document (`$defs`, `definitions`), `allOf` merged, `anyOf`/`oneOf` their
 *   first non-null branch, a `type` list its first non-null type; `not`, `if`/`then` are ignored.
 */
export function schemaInstance(schema: unknown, seed = ''): unknown {
  return generate(schema, { root: schema, seed, nodes: 0 }, 0, 'value', 0)
}

function generate(input: unknown, ctx: Context, depth: number, name: string, variant: number): unknown {
  ctx.nodes++
  const schema = resolve(input, ctx)
  if (schema === undefined) return exampleString(name, variant, {})
  if ('const' in schema) return schema['const']
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][variant % schema['enum'].length]
  if ('default' in schema && schema['default'] !== undefined) return schema['default']
  if (Array.isArray(schema['examples']) && schema['examples'].length > 0) return schema['examples'][0]

  const branch = firstBranch(schema['anyOf']) ?? firstBranch(schema['oneOf'])
  if (branch !== undefined) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema
    return generate(mergeSchemas(rest, resolve(branch, ctx) ?? {}), ctx, depth, name, variant)
  }

  const exhausted = depth >= MAX_DEPTH || ctx.nodes >= MAX_NODES
  switch (typeOf(schema)) {
    case 'object':
      return exhausted ? {} : objectInstance(schema, ctx, depth)
    case 'array':
      return exhausted ? [] : arrayInstance(schema, ctx, depth, name)
    case 'integer':
      return numberInstance(schema, true, variant)
    case 'number':
      return numberInstance(schema, false, variant)
    case 'boolean':
      return true
    case 'null':
      return null
    default:
      return exampleString(name, variant, schema)
  }
}

function objectInstance(schema: Schema, ctx: Context, depth: number): Record<string, unknown> {
  const properties = isObject(schema['properties']) ? schema['properties'] : {}
  const required = Array.isArray(schema['required']) ? schema['required'].filter((k): k is string => typeof k === 'string') : []
  const keys = [...new Set(required)]
  const minProperties = typeof schema['minProperties'] === 'number' ? schema['minProperties'] : 0
  for (const key of Object.keys(properties)) {
    if (keys.length >= minProperties) break
    if (!keys.includes(key)) keys.push(key)
  }
  const extra = isObject(schema['additionalProperties']) ? schema['additionalProperties'] : undefined
  const out: Record<string, unknown> = Object.create(null)
  for (const key of keys) {
    if (ctx.nodes >= MAX_NODES && key !== keys[0]) break
    out[key] = generate(Object.hasOwn(properties, key) ? properties[key] : extra, ctx, depth + 1, key, 0)
  }
  // A plain object again (JSON.stringify and ajv treat both alike; tests compare with toEqual).
  return { ...out }
}

function arrayInstance(schema: Schema, ctx: Context, depth: number, name: string): unknown[] {
  const prefix = Array.isArray(schema['prefixItems']) ? schema['prefixItems'] : []
  const minItems = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0
  const maxItems = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : Infinity
  const count = Math.min(Math.max(1, minItems, prefix.length), maxItems, MAX_ARRAY_ITEMS)
  const items = schema['items'] === false ? undefined : schema['items']
  const out: unknown[] = []
  for (let i = 0; i < count; i++) {
    if ((i >= prefix.length && schema['items'] === false) || (i > 0 && ctx.nodes >= MAX_NODES)) break
    out.push(generate(i < prefix.length ? prefix[i] : items, ctx, depth + 1, name, i))
  }
  return out
}

function numberInstance(schema: Schema, integer: boolean, variant: number): number {
  const num = (key: string): number | undefined => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined)
  const step = integer ? 1 : 0.5
  let low = num('minimum') ?? -Infinity
  const exclusiveMin = num('exclusiveMinimum')
  if (exclusiveMin !== undefined) low = Math.max(low, exclusiveMin + step)
  let high = num('maximum') ?? Infinity
  const exclusiveMax = num('exclusiveMaximum')
  if (exclusiveMax !== undefined) high = Math.min(high, exclusiveMax - step)
  let value = 1 + variant
  if (value < low) value = low + variant
  if (value > high) value = Number.isFinite(low) ? low : high
  if (integer) value = value >= 0 ? Math.ceil(value) : Math.floor(value)
  const multipleOf = num('multipleOf')
  if (multipleOf !== undefined && multipleOf > 0) {
    value = Math.ceil(value / multipleOf) * multipleOf
    if (value > high) value = Math.floor(high / multipleOf) * multipleOf
    // 0.1 * 3 → 0.30000000000000004: round to the step's decimals
    value = Number(value.toFixed(decimals(multipleOf)))
  }
  return value
}

function decimals(n: number): number {
  const text = String(n)
  const dot = text.indexOf('.')
  return dot === -1 ? 0 : Math.min(20, text.length - dot - 1)
}

const FORMATS: Record<string, (seed: string) => string> = {
  'date-time': () => '2024-01-01T12:00:00Z',
  date: () => '2024-01-01',
  time: () => '12:00:00Z',
  email: () => 'user@example.com',
  'idn-email': () => 'user@example.com',
  uri: () => 'https://example.com/',
  url: () => 'https://example.com/',
  'uri-reference': () => 'https://example.com/',
  iri: () => 'https://example.com/',
  uuid: (seed) => stableUuid(seed),
  hostname: () => 'example.com',
  'idn-hostname': () => 'example.com',
  ipv4: () => '192.0.2.1',
  ipv6: () => '2001:db8::1',
  duration: () => 'PT1H',
}

function exampleString(name: string, variant: number, schema: Schema): string {
  const format = typeof schema['format'] === 'string' && Object.hasOwn(FORMATS, schema['format']) ? FORMATS[schema['format']] : undefined
  if (format !== undefined) return format(`${name}#${variant}`)
  let text = variant === 0 ? `example ${name}` : `example ${name} ${variant + 1}`
  const minLength = typeof schema['minLength'] === 'number' ? Math.min(schema['minLength'], 10_000) : 0
  const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity
  if (text.length < minLength) text = text.padEnd(minLength, '.')
  if (text.length > maxLength) text = text.slice(0, Math.max(0, maxLength))
  return text
}

/** The schema with `$ref`s to the same document followed (a bounded number of times) and `allOf` merged. */
function resolve(input: unknown, ctx: Context): Schema | undefined {
  let schema = input
  for (let hops = 0; hops < 16 && isObject(schema) && typeof schema['$ref'] === 'string'; hops++) {
    const { $ref, ...rest } = schema
    const target = pointerTarget(ctx.root, $ref as string)
    schema = isObject(target) ? mergeSchemas(target, rest) : rest
  }
  if (!isObject(schema)) return undefined
  if (Array.isArray(schema['allOf'])) {
    const { allOf, ...rest } = schema
    let merged: Schema = rest
    for (const part of (allOf as unknown[]).slice(0, 32)) merged = mergeSchemas(merged, resolve(part, ctx) ?? {})
    return merged
  }
  return schema
}

function pointerTarget(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined
  let node = root
  const path = ref.slice(1)
  if (path === '') return root
  for (const token of path.slice(1).split('/').map(unescapePointerToken)) {
    if (!isObject(node) && !Array.isArray(node)) return undefined
    node = (node as Record<string, unknown>)[token]
  }
  return node
}

/** `a` and `b` as one schema: properties and required lists united, otherwise `b`'s keywords win. */
function mergeSchemas(a: Schema, b: Schema): Schema {
  const merged: Schema = { ...a, ...b }
  if (isObject(a['properties']) || isObject(b['properties'])) {
    merged['properties'] = { ...(isObject(a['properties']) ? a['properties'] : {}), ...(isObject(b['properties']) ? b['properties'] : {}) }
  }
  if (Array.isArray(a['required']) || Array.isArray(b['required'])) {
    merged['required'] = [...(Array.isArray(a['required']) ? a['required'] : []), ...(Array.isArray(b['required']) ? b['required'] : [])]
  }
  if (a['type'] !== undefined && b['type'] === undefined) merged['type'] = a['type']
  return merged
}

function firstBranch(branches: unknown): unknown {
  if (!Array.isArray(branches) || branches.length === 0) return undefined
  return branches.find((b) => !(isObject(b) && b['type'] === 'null')) ?? branches[0]
}

function typeOf(schema: Schema): string | undefined {
  const type = schema['type']
  if (typeof type === 'string') return type
  if (Array.isArray(type)) return type.find((t) => t !== 'null') ?? type[0]
  if (isObject(schema['properties']) || Array.isArray(schema['required'])) return 'object'
  if (schema['items'] !== undefined || Array.isArray(schema['prefixItems'])) return 'array'
  return undefined
}

function isObject(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
