// Requests derived from the specs, for the fuzz suite and the event-loop budget: every operation of every
// spec, valid bodies and queries built from their schemas, and the hostile mutations a client can send.
import fc from 'fast-check'
import { loadSpec, type SpecName } from '../../src/openapi/load-specs.ts'
import { operationTable } from '../../src/openapi/operations.ts'
import type { Operation } from '../../src/openapi/operations.ts'
import { deref } from '../../src/openapi/refs.ts'

/** The specs with routes (specs/llm-apis.yaml only holds schemas the vendors' routes refer to). */
export type ServedSpec = Exclude<SpecName, 'llm-apis'>
export const SPECS: readonly ServedSpec[] = ['portkey', 'helicone', 'pulze', 'emulator']
export const MOUNT: Record<ServedSpec, string> = { portkey: '/portkey', helicone: '/helicone', pulze: '/pulze', emulator: '/__emulator' }

/** The keys of the bundled fixtures (tenants with data), used next to fresh ones. */
export const FIXTURE_KEYS: Record<ServedSpec, string> = {
  portkey: 'pk-emulator-dev',
  helicone: 'sk-helicone-emulator-dev',
  pulze: 'sk-pulze-emulator-dev',
  emulator: '',
}
/** Ids that exist in the bundled fixtures (so some updates and ratings reach a record). */
export const KNOWN_IDS = [
  '7cc3a1eb-1711-4de4-8804-592cec1c1ac8',
  '5320ee81-1721-404b-9d32-45988cb26791',
  '3211a83a-3f4b-43b3-aadf-c63182960941',
]

export type SpecRequest = {
  method: string
  /** Path with its query string, under the emulator's mount. */
  url: string
  headers: Record<string, string>
  /** The body bytes as sent (undefined: none). */
  body?: string
}

/**
 * Every operation of every spec, except event streams (`x-emulator-event-stream`): they stay open until the
 * client leaves, so a request that waits for the end never gets one (test/control/events.test.ts covers them).
 */
export function allOperations(): { spec: ServedSpec; operation: Operation }[] {
  return SPECS.flatMap((spec) =>
    operationTable(spec)
      .operations.filter((operation) => !isEventStream(spec, operation))
      .map((operation) => ({ spec, operation })),
  )
}

function isEventStream(spec: ServedSpec, operation: Operation): boolean {
  const paths = (loadSpec(spec) as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths
  return paths?.[operation.path]?.[operation.method]?.['x-emulator-event-stream'] === true
}

type Schema = {
  $ref?: string
  type?: string | string[]
  format?: string
  enum?: unknown[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  minimum?: number
  maximum?: number
  minLength?: number
  minItems?: number
  'x-tsoa-datetime'?: boolean
}

const DATE = fc
  .date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString())

/**
 * `deref`, plus the one kind of remote reference the specs use: `./llm-apis.yaml#/…` (the LLM routes' bodies).
 * Answers the node and the document its own `$ref`s are relative to.
 */
export function resolveAcross<T>(doc: unknown, node: unknown): [unknown, T] {
  const ref = (node as { $ref?: unknown } | null)?.$ref
  if (typeof ref === 'string' && ref.startsWith('./llm-apis.yaml#')) {
    const llm = loadSpec('llm-apis')
    return [llm, deref<T>(llm, { $ref: ref.slice('./llm-apis.yaml'.length) })]
  }
  return [doc, deref<T>(doc, node)]
}

/** A fast-check arbitrary of values valid for `schema` (approximately: enough to reach the handlers). */
export function valueOf(schema: unknown, fromDoc: unknown, depth = 0): fc.Arbitrary<unknown> {
  const [doc, s] = resolveAcross<Schema>(fromDoc, schema)
  if (s === undefined || s === null || typeof s !== 'object') return fc.jsonValue({ maxDepth: 2 })
  if (s.allOf !== undefined) {
    const merged: Schema = { type: 'object', properties: {}, required: [] }
    for (const member of [s, ...s.allOf.map((m) => resolveAcross<Schema>(doc, m)[1])]) {
      Object.assign(merged.properties!, member.properties ?? {})
      merged.required!.push(...(member.required ?? []))
    }
    return valueOf(merged, doc, depth)
  }
  const alternatives = s.anyOf ?? s.oneOf
  if (alternatives !== undefined) {
    // Deep in a recursive schema (the Helicone filter tree), take the first (non-recursive) member only.
    const members = depth > 4 ? alternatives.slice(-1) : alternatives
    return fc.oneof(...members.map((m) => valueOf(m, doc, depth + 1)))
  }
  if (s.enum !== undefined) return fc.constantFrom(...s.enum)
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type]
  if (types.length > 1) return fc.oneof(...types.map((type) => valueOf({ ...s, type }, doc, depth)))
  switch (types[0]) {
    case 'string':
      if (s.format === 'date-time' || s['x-tsoa-datetime'] === true) return DATE
      if (s.format === 'uuid') return fc.uuid()
      return fc.string({ minLength: s.minLength ?? 0, maxLength: 12 })
    case 'integer': {
      // fc.integer works in 32 bits (OpenAI's `seed` is bounded by ±2^63, which never ends sampling).
      const min = Math.max(s.minimum ?? -1000, -(2 ** 31))
      return fc.integer({ min, max: Math.min(s.maximum ?? Math.max(1000, min), 2 ** 31 - 1) })
    }
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? Math.max(1000, s.minimum ?? 0), noNaN: true, noDefaultInfinity: true })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return fc.array(valueOf(s.items ?? {}, doc, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, 3) })
    case 'object': {
      const properties = s.properties ?? {}
      const record = fc.record(Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, valueOf(v, doc, depth + 1)])), {
        requiredKeys: (s.required ?? []).filter((k) => Object.hasOwn(properties, k)),
      })
      if (typeof s.additionalProperties !== 'object') return record
      const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), valueOf(s.additionalProperties, doc, depth + 1), {
        maxKeys: 2,
      })
      return fc.tuple(record, extra).map(([a, b]) => ({ ...b, ...a }))
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** Strings a hostile client sends: edge dates, huge, unicode, prototype names, path tricks. */
const HOSTILE_STRING = fc.oneof(
  fc.constantFrom(
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '0000-00-00T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '__proto__',
    'constructor',
    'toString',
    '',
    ' ',
    'null',
    'undefined',
    'NaN',
    '%a%a%a%a%a%a%a%a%b',
    '_%_%_%\\',
    '../../etc/passwd',
    '\u0000',
    '\ud800',
    '😀'.repeat(50),
    'a'.repeat(100_000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
)

const HOSTILE_VALUE: fc.Arbitrary<unknown> = fc.oneof(
  HOSTILE_STRING,
  fc.constantFrom(
    1e308,
    -1e308,
    2 ** 53 + 1,
    -0,
    0.1,
    1e-300,
    10,
    11,
    -11,
    true,
    false,
    null,
    [],
    {},
    [1],
    { toString: 1 },
    { valueOf: 1 },
  ),
  fc.jsonValue({ maxDepth: 3 }),
)

type Path = (string | number)[]

function nodesOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path)
  if (out.length > 200) return out
  if (Array.isArray(value)) value.forEach((v, i) => nodesOf(v, [...path, i], out))
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) nodesOf(v, [...path, k], out)
  return out
}

/** `value` with the node at `path` replaced (or deleted when `replacement` is the DELETE marker). */
function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement === DELETE ? undefined : replacement
  const copy = structuredClone(value) as Record<string | number, unknown>
  let node = copy
  for (const token of path.slice(0, -1)) node = node[token] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (replacement === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1)
    else delete node[last]
  } else node[last] = replacement
  return copy
}
const DELETE = Symbol('delete')

/** A key added where an object is: prototype names (as own keys, as JSON.parse makes them) or odd ones. */
function withExtraKey(value: unknown, path: Path, key: string, extra: unknown): unknown {
  const copy = structuredClone(value)
  let node = copy as Record<string | number, unknown>
  for (const token of path) node = node[token] as Record<string | number, unknown>
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return copy
  Object.defineProperty(node, key, { value: extra, enumerable: true, writable: true, configurable: true })
  return copy
}

/** Mutations of a valid JSON value (each may also leave it valid). */
export function mutated(valid: unknown): fc.Arbitrary<unknown> {
  const nodes = nodesOf(valid)
  const at = fc.constantFrom(...nodes)
  const inner = nodes.filter((p) => p.length > 0)
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(valid) },
    { weight: 4, arbitrary: fc.tuple(at, HOSTILE_VALUE).map(([p, v]) => setAt(valid, p, v)) },
    { weight: 2, arbitrary: inner.length === 0 ? fc.constant(valid) : fc.constantFrom(...inner).map((p) => setAt(valid, p, DELETE)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          at,
          fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty'), fc.string({ maxLength: 8 })),
          HOSTILE_VALUE,
        )
        .map(([p, k, v]) => withExtraKey(valid, p, k, v)),
    },
  )
}

/** A query string from a query object (arrays repeat the parameter). */
function queryString(query: Record<string, unknown>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, typeof item === 'string' ? item : JSON.stringify(item))
  }
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

type Parameter = { name: string; in: string; required?: boolean; schema?: unknown }

function parametersOf(spec: ServedSpec, operation: Operation): Parameter[] {
  const doc = loadSpec(spec)
  const item = doc.paths[operation.path] ?? {}
  const raw = [
    ...((item['parameters'] as unknown[]) ?? []),
    ...(((item[operation.method] as Record<string, unknown>)['parameters'] as unknown[]) ?? []),
  ]
  return raw.map((p) => deref<Parameter>(doc, p))
}

function bodySchemaOf(spec: ServedSpec, operation: Operation): unknown {
  const doc = loadSpec(spec)
  const op = (doc.paths[operation.path] ?? {})[operation.method] as { requestBody?: unknown }
  const body = deref<{ content?: Record<string, { schema?: unknown }> } | undefined>(doc, op.requestBody)
  return body?.content?.['application/json']?.schema
}

/** The auth headers of a vendor for a key (and the odd ways of sending one). */
function authHeaders(spec: ServedSpec, key: string, style: number): Record<string, string> {
  if (spec === 'emulator') return {}
  if (style === 1) return {}
  if (style === 2) return { authorization: 'Bearer' }
  if (style === 3) return { authorization: `bearer ${key}`, 'x-portkey-api-key': ' ' }
  return spec === 'portkey' ? { 'x-portkey-api-key': key } : { authorization: `Bearer ${key}` }
}

/** A path segment for any string: a lone surrogate goes as the bytes no UTF-8 decoder accepts. */
function pathSegment(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    // A lone surrogate: sent as the bytes of one, which no UTF-8 decoder accepts.
    return `${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}%ED%A0%80`
  }
}

/** Requests for one operation: valid ones, and every kind of hostile variation. */
export function requestsFor(spec: ServedSpec, operation: Operation): fc.Arbitrary<SpecRequest> {
  const doc = loadSpec(spec)
  const params = parametersOf(spec, operation)
  const pathParams = params.filter((p) => p.in === 'path')
  const queryParams = params.filter((p) => p.in === 'query')
  const bodySchema = bodySchemaOf(spec, operation)

  const pathValues = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name,
        fc.oneof(
          fc.constantFrom(...KNOWN_IDS),
          fc.uuid(),
          HOSTILE_STRING.map((s) => s.slice(0, 200)),
        ),
      ]),
    ),
  )
  const query = fc
    .record(Object.fromEntries(queryParams.map((p) => [p.name, valueOf(p.schema ?? {}, doc)])), {
      requiredKeys: queryParams.filter((p) => p.required === true).map((p) => p.name),
    })
    .chain((q) => mutated(q))
  const body: fc.Arbitrary<string | undefined> =
    bodySchema === undefined
      ? fc.oneof(fc.constant(undefined), fc.constant('{}'))
      : valueOf(bodySchema, doc)
          .chain((valid) => mutated(valid))
          .chain((value) =>
            fc.oneof(
              { weight: 8, arbitrary: fc.constant(value === undefined ? undefined : JSON.stringify(value)) },
              // Invalid JSON: cut short, trailing garbage, not JSON at all, nothing.
              { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,]', 'nul', '{"a":1}x', '\u0000', '', undefined) },
            ),
          )
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constant(FIXTURE_KEYS[spec] === '' ? 'k' : FIXTURE_KEYS[spec]) },
    { weight: 4, arbitrary: fc.constantFrom('fuzz-a', 'fuzz-b') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', ' spaced key ', 'cl\u00e9-\u00ff', 'x'.repeat(4000)) },
  )
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', undefined),
    },
  )
  const oddHeaders = fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { 'x-forwarded-for': '1.2.3.4' },
        { 'helicone-property-__proto__': 'x' },
        { 'helicone-request-id': 'not-a-uuid' },
        { 'content-encoding': 'gzip' },
      ),
    },
  )
  return fc
    .record({ pathValues, query, body, key, style: fc.nat({ max: 10 }), contentType, oddHeaders })
    .map(({ pathValues, query, body, key, style, contentType, oddHeaders }) => {
      const path = operation.path.replace(/\{([^}]+)\}/g, (_m, name: string) => pathSegment(String(pathValues[name] ?? 'x')))
      const headers: Record<string, string> = { ...authHeaders(spec, key, style), ...(oddHeaders as Record<string, string>) }
      if (body !== undefined && contentType !== undefined) headers['content-type'] = contentType
      const request: SpecRequest = {
        method: operation.method.toUpperCase(),
        url: `${MOUNT[spec]}${path}${queryString((query ?? {}) as Record<string, unknown>)}`,
        headers,
      }
      if (body !== undefined && operation.method !== 'get') request.body = body
      return request
    })
}

/** A ready-to-run curl command for a request against `npm start` (port 4100). */
export function curlOf(request: SpecRequest, base = 'http://127.0.0.1:4100'): string {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`
  const parts = ['curl', '-sS', '-i', '-X', request.method, quote(`${base}${request.url}`)]
  for (const [name, value] of Object.entries(request.headers)) parts.push('-H', quote(`${name}: ${value}`))
  if (request.body === undefined) return parts.join(' ')
  return `${parts.join(' ')} --data-binary @- <<'BODY'\n${request.body}\nBODY`
}
