// pydantic v2 (lax mode) as FastAPI applies it to Pulze's requests, producing FastAPI's error items
// (`{type, loc, msg, input, ctx?}`, no `url`): the scalar parsers, and a compiler that walks the request
// schemas of specs/pulze.yaml and dispatches to them. No HTTP, no store.
import { resolvePointer } from '../../openapi/json-pointer.ts'
import { loadSpec } from '../../openapi/load-specs.ts'
import { utcTime } from '../../util/utc-buckets.ts'

export type Loc = (string | number)[]
export type PydanticError = { type: string; loc: Loc; msg: string; input: unknown; ctx?: Record<string, unknown> }

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export function missing(loc: Loc, input: unknown): PydanticError {
  return { type: 'missing', loc, msg: 'Field required', input }
}

// ---- UUID (pydantic-core uses the Rust `uuid` crate; these are its messages) ----

/** The canonical (lower-case, hyphenated) UUID pydantic would read from `value`, or its error. */
export function parseUuid(value: unknown, loc: Loc): { uuid: string } | { error: PydanticError } {
  if (typeof value !== 'string') {
    return { error: { type: 'uuid_type', loc, msg: 'UUID input should be a string, bytes or UUID object', input: value } }
  }
  const canonical = uuidFromString(value)
  if (canonical !== null) return { uuid: canonical }
  const error = uuidErrorText(value)
  return { error: { type: 'uuid_parsing', loc, msg: `Input should be a valid UUID, ${error}`, input: value, ctx: { error } } }
}

function uuidFromString(text: string): string | null {
  let body = text
  if (text.length === 38 && text.startsWith('{') && text.endsWith('}')) body = text.slice(1, -1)
  else if (text.length === 45 && text.startsWith('urn:uuid:')) body = text.slice(9)
  let hex: string
  if (body.length === 32 && /^[0-9a-fA-F]{32}$/.test(body) && body === text) hex = body
  else if (body.length === 36 && /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(body))
    hex = body.replaceAll('-', '')
  else return null
  hex = hex.toLowerCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The `uuid` crate's `InvalidUuid::into_err` message for a string it could not parse. */
function uuidErrorText(input: string): string {
  let body = input
  let offset = 0
  let simple = true
  if (input.length >= 2 && input.startsWith('{') && input.endsWith('}')) {
    body = input.slice(1, -1)
    offset = 1
    simple = false
  } else if (input.startsWith('urn:uuid:')) {
    body = input.slice(9)
    offset = 9
    simple = false
  }
  let hyphens = 0
  const bounds: number[] = []
  let byteIndex = 0
  for (const char of body) {
    const bytes = Buffer.byteLength(char)
    if (bytes > 1 || (char !== '-' && !/[0-9a-fA-F]/.test(char))) {
      return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${char}\` at ${byteIndex + offset + 1}`
    }
    if (char === '-') {
      if (hyphens < 4) bounds.push(byteIndex)
      hyphens++
    }
    byteIndex += bytes
  }
  if (hyphens === 0 && simple) return `invalid length: expected length 32 for simple format, found ${Buffer.byteLength(input)}`
  if (hyphens !== 4) return `invalid group count: expected 5, found ${hyphens + 1}`
  const starts = [0, 9, 14, 19, 24]
  const expected = [8, 4, 4, 4, 12]
  for (let i = 0; i < 4; i++) {
    if (bounds[i] !== starts[i + 1]! - 1)
      return `invalid group length in group ${i}: expected ${expected[i]}, found ${bounds[i]! - starts[i]!}`
  }
  return `invalid group length in group 4: expected 12, found ${Buffer.byteLength(input) - 24}`
}

// ---- bool / str ----

const FALSE_STRINGS = ['0', 'f', 'n', 'no', 'off', 'false']
const TRUE_STRINGS = ['1', 't', 'y', 'on', 'yes', 'true']

/** pydantic v2 lax `bool`: booleans, 0/1, and the strings it knows (any ASCII case). */
export function parseBool(value: unknown, loc: Loc): { value: boolean } | { error: PydanticError } {
  if (typeof value === 'boolean') return { value }
  const parsing = { error: { type: 'bool_parsing', loc, msg: 'Input should be a valid boolean, unable to interpret input', input: value } }
  if (typeof value === 'string') {
    const lower = value.toLowerCase()
    if (FALSE_STRINGS.includes(lower)) return { value: false }
    if (TRUE_STRINGS.includes(lower)) return { value: true }
    return parsing
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value === 0 || value === 1) return { value: value === 1 }
    return parsing
  }
  return { error: { type: 'bool_type', loc, msg: 'Input should be a valid boolean', input: value } }
}

export function stringError(value: unknown, loc: Loc): PydanticError | null {
  return typeof value === 'string' ? null : { type: 'string_type', loc, msg: 'Input should be a valid string', input: value }
}

// ---- int (query parameters arrive as strings) ----

export type IntBounds = { ge?: number; le?: number }

/** pydantic v2 lax `int` from a query string value, with `ge`/`le` bounds. */
export function parseQueryInt(raw: unknown, loc: Loc, bounds: IntBounds): { value: number } | { error: PydanticError } {
  const input = Array.isArray(raw) ? raw[raw.length - 1] : raw
  let value: number | null = null
  if (typeof input === 'number' && Number.isInteger(input)) value = input
  else if (typeof input === 'string') {
    const text = input.trim()
    const match = /^[+-]?\d+(?:\.0*)?$/.exec(text)
    if (match !== null) value = Number(text.replace(/\.0*$/, ''))
  }
  if (value === null || !Number.isSafeInteger(value)) {
    return { error: { type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input } }
  }
  if (bounds.ge !== undefined && value < bounds.ge) {
    return {
      error: {
        type: 'greater_than_equal',
        loc,
        msg: `Input should be greater than or equal to ${bounds.ge}`,
        input,
        ctx: { ge: bounds.ge },
      },
    }
  }
  if (bounds.le !== undefined && value > bounds.le) {
    return {
      error: { type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${bounds.le}`, input, ctx: { le: bounds.le } },
    }
  }
  return { value }
}

// ---- datetime (speedate, as pydantic v2 uses it) ----

/** Milliseconds since the epoch pydantic would read from `value` (naive = UTC), or its error. */
export function parseDateTime(value: unknown, loc: Loc): { ms: number } | { error: PydanticError } {
  if (typeof value === 'number' && Number.isFinite(value)) return { ms: timestampMs(value) }
  if (typeof value !== 'string') return { error: { type: 'datetime_type', loc, msg: 'Input should be a valid datetime', input: value } }
  if (/^\d+(\.\d+)?$/.test(value)) return { ms: timestampMs(Number(value)) }
  const result = speedate(value)
  if (typeof result === 'number') return { ms: result }
  return {
    error: {
      type: 'datetime_from_date_parsing',
      loc,
      msg: `Input should be a valid datetime or date, ${result}`,
      input: value,
      ctx: { error: result },
    },
  }
}

// speedate: numbers above 2e10 are milliseconds, below are seconds.
const timestampMs = (n: number): number => (Math.abs(n) > 2e10 ? Math.round(n) : Math.round(n * 1000))

function speedate(text: string): number | string {
  if (text.length < 10) return 'input is too short'
  const digits = (from: number, to: number) => /^\d+$/.test(text.slice(from, to))
  if (!digits(0, 4)) return 'invalid character in year'
  if (text[4] !== '-') return 'invalid date separator, expected `-`'
  if (!digits(5, 7)) return 'invalid character in month'
  if (text[7] !== '-') return 'invalid date separator, expected `-`'
  if (!digits(8, 10)) return 'invalid character in day'
  const year = Number(text.slice(0, 4))
  const month = Number(text.slice(5, 7))
  const day = Number(text.slice(8, 10))
  if (month < 1 || month > 12) return 'month value is outside expected range of 1-12'
  const daysInMonth = new Date(utcTime(year, month, 0)).getUTCDate()
  if (day < 1 || day > daysInMonth) return 'day value is outside expected range'
  if (text.length === 10) return utcTime(year, month - 1, day)
  if (!['T', 't', '_', ' '].includes(text[10]!)) return 'invalid datetime separator, expected `T`, `t`, `_` or space'
  const time = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d*))?)?(.*)$/.exec(text.slice(11))
  if (time === null) return text.length < 16 ? 'input is too short' : 'invalid character in hour'
  const [, hh, mm, ss, fraction, zone] = time
  if (Number(hh) > 23) return 'hour value is outside expected range of 0-23'
  if (Number(mm) > 59) return 'minute value is outside expected range of 0-59'
  if (ss !== undefined && Number(ss) > 59) return 'second value is outside expected range of 0-59'
  if (fraction !== undefined && fraction.length === 0) return 'second fraction digits missing after `.`'
  if (fraction !== undefined && fraction.length > 6) return 'second fraction value is more than 6 digits long'
  let offsetMinutes = 0
  if (zone !== undefined && zone !== '' && zone !== 'Z' && zone !== 'z') {
    const tz = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)
    if (tz === null) return /^[+-]/.test(zone) ? 'invalid timezone hour' : 'unexpected extra characters at the end of the input'
    offsetMinutes = (tz[1] === '-' ? -1 : 1) * (Number(tz[2]) * 60 + Number(tz[3]))
  }
  const ms = Number(((fraction ?? '') + '000').slice(0, 3))
  return utcTime(year, month - 1, day, Number(hh), Number(mm), Number(ss ?? '0'), ms) - offsetMinutes * 60_000
}

// ---- models, compiled from the spec's JSON Schema ----
// Which fields a request has, their types, nullability, defaults, bounds and order are read off the
// OpenAPI document (parameters, then the request body), never listed here: this section only knows how
// pydantic v2 (lax mode) treats each kind of schema. `x-pydantic: <type>` names the pydantic type of a
// schema whose alternatives only spell out, for ajv, the inputs lax mode accepts (see specs/pulze.yaml).

const modelAttributesType = (loc: Loc, input: unknown): PydanticError => ({
  type: 'model_attributes_type',
  loc,
  msg: 'Input should be a valid dictionary or object to extract fields from',
  input,
})

/** The pydantic types `x-pydantic` can name; each dispatches to one of the scalar parsers above. */
export type PydanticType = 'bool' | 'int' | 'str' | 'uuid' | 'datetime'

/** The part of JSON Schema (OpenAPI 3.1) the compiler reads. */
export type JsonSchema = {
  $ref?: string
  type?: string | string[]
  format?: string
  enum?: unknown[]
  anyOf?: JsonSchema[]
  allOf?: JsonSchema[]
  items?: JsonSchema
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  default?: unknown
  minimum?: number
  maximum?: number
  title?: string
  description?: string
  'x-pydantic'?: PydanticType
}

/** Validates `value` at `loc`, appends pydantic's errors to `errors`, returns the parsed value. */
type Validate = (value: unknown, loc: Loc, errors: PydanticError[]) => unknown
type Node = { validate: Validate; isList: boolean; default?: { value: unknown } }
type Result<T> = { value: T } | { errors: PydanticError[] }

// Keywords that constrain a value and that this compiler does not turn into pydantic rules: a schema
// that uses one fails to compile rather than being checked more loosely than the spec says.
const UNSUPPORTED = [
  'oneOf',
  'not',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'patternProperties',
  'propertyNames',
  'prefixItems',
  'unevaluatedProperties',
]
const PYDANTIC_TYPES: readonly string[] = ['bool', 'int', 'str', 'uuid', 'datetime']
const MAX_DEPTH = 32

/** The value at a local JSON pointer (`#/components/schemas/X`) of `doc`. */
function atPointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) throw new Error(`pydantic schema: only local $refs are supported, not ${ref}`)
  const value = resolvePointer(doc, ref)
  if (value === undefined) throw new Error(`pydantic schema: ${ref} does not resolve`)
  return value
}

/** `$ref` and single-member `allOf` replaced by what they point at (the referring schema's own keywords win). */
function flatten(schema: JsonSchema, doc: unknown): JsonSchema {
  let current = schema
  for (let i = 0; i < MAX_DEPTH; i++) {
    if (current.$ref !== undefined) {
      const { $ref, ...rest } = current
      current = { ...(atPointer(doc, $ref) as JsonSchema), ...rest }
    } else if (current.allOf !== undefined) {
      const { allOf, ...rest } = current
      if (allOf.length !== 1) throw new Error('pydantic schema: allOf with more than one member is not supported')
      current = { ...allOf[0]!, ...rest }
    } else return current
  }
  throw new Error(`pydantic schema: $ref chain too long at ${schema.$ref ?? '(allOf)'}`)
}

const isNullSchema = (schema: JsonSchema): boolean => schema.type === 'null'

/** Splits `Optional[X]` (an anyOf member or a `type` entry `'null'`) into X and its nullability. */
function optional(schema: JsonSchema, doc: unknown): { inner: JsonSchema; nullable: boolean } {
  if (schema.anyOf !== undefined) {
    const members = schema.anyOf.map((m) => flatten(m, doc))
    const nullable = members.some(isNullSchema)
    const others = members.filter((m) => !isNullSchema(m))
    if (schema['x-pydantic'] !== undefined) {
      const named = { ...schema }
      delete named.anyOf
      return { inner: named, nullable }
    }
    if (others.length !== 1) throw new Error('pydantic schema: a union of several types needs an x-pydantic type')
    return { inner: { ...others[0]! }, nullable }
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null')
    const nullable = types.length < schema.type.length
    if (types.length === 1) return { inner: { ...schema, type: types[0]! }, nullable }
    if (schema['x-pydantic'] !== undefined) return { inner: schema, nullable }
    throw new Error(`pydantic schema: a union of types [${schema.type.join(', ')}] needs an x-pydantic type`)
  }
  return { inner: schema, nullable: false }
}

/** Python's repr of a literal, as pydantic's `literal_error` prints it. */
const pythonRepr = (value: unknown): string =>
  typeof value === 'string'
    ? `'${value}'`
    : value === null
      ? 'None'
      : typeof value === 'boolean'
        ? value
          ? 'True'
          : 'False'
        : String(value)

/** `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`. */
function expectedLiterals(members: readonly unknown[]): string {
  const reprs = members.map(pythonRepr)
  return reprs.length <= 1 ? (reprs[0] ?? '') : `${reprs.slice(0, -1).join(', ')} or ${reprs[reprs.length - 1]!}`
}

function scalar(type: PydanticType, schema: JsonSchema): Validate {
  switch (type) {
    case 'bool':
      return (value, loc, errors) => {
        const parsed = parseBool(value, loc)
        if ('error' in parsed) errors.push(parsed.error)
        else return parsed.value
        return undefined
      }
    case 'int': {
      const bounds: IntBounds = {}
      if (schema.minimum !== undefined) bounds.ge = schema.minimum
      if (schema.maximum !== undefined) bounds.le = schema.maximum
      return (value, loc, errors) => {
        const parsed = parseQueryInt(value, loc, bounds)
        if ('error' in parsed) errors.push(parsed.error)
        else return parsed.value
        return undefined
      }
    }
    case 'str':
      return (value, loc, errors) => {
        const error = stringError(value, loc)
        if (error !== null) errors.push(error)
        return value
      }
    case 'uuid':
      return (value, loc, errors) => {
        const parsed = parseUuid(value, loc)
        if ('error' in parsed) errors.push(parsed.error)
        else return parsed.uuid
        return undefined
      }
    case 'datetime':
      // The parsed value is milliseconds since the epoch (a naive datetime is UTC).
      return (value, loc, errors) => {
        const parsed = parseDateTime(value, loc)
        if ('error' in parsed) errors.push(parsed.error)
        else return parsed.ms
        return undefined
      }
  }
}

/** The pydantic type a (flattened, non-null) schema stands for, when it is a scalar. */
function scalarType(schema: JsonSchema, at: string): PydanticType | null {
  const named = schema['x-pydantic']
  if (named !== undefined) {
    if (!PYDANTIC_TYPES.includes(named)) throw new Error(`pydantic schema: unknown x-pydantic type ${String(named)} at ${at}`)
    return named
  }
  if (schema.type === 'boolean') return 'bool'
  if (schema.type === 'integer') return 'int'
  if (schema.type !== 'string') return null
  if (schema.format === undefined) return 'str'
  if (schema.format === 'uuid') return 'uuid'
  if (schema.format === 'date-time') return 'datetime'
  throw new Error(`pydantic schema: format ${schema.format} is not supported at ${at}`)
}

function compileNode(raw: JsonSchema, doc: unknown, at: string, depth: number): Node {
  if (depth > MAX_DEPTH) throw new Error(`pydantic schema: nested too deep (recursive?) at ${at}`)
  const schema = flatten(raw, doc)
  const { inner, nullable } = optional(schema, doc)
  const node = compileType(flatten(inner, doc), doc, at, depth)
  const validate: Validate = nullable ? (value, loc, errors) => (value === null ? null : node.validate(value, loc, errors)) : node.validate
  return Object.hasOwn(schema, 'default') ? { ...node, validate, default: { value: schema.default } } : { ...node, validate }
}

function compileType(schema: JsonSchema, doc: unknown, at: string, depth: number): Node {
  const named = schema['x-pydantic'] !== undefined
  if (!named) {
    const unsupported = UNSUPPORTED.find((k) => Object.hasOwn(schema, k))
    if (unsupported !== undefined) throw new Error(`pydantic schema: ${unsupported} is not supported at ${at}`)
    if (schema.anyOf !== undefined) throw new Error(`pydantic schema: a union needs an x-pydantic type at ${at}`)
  }
  const type = scalarType(schema, at)
  if (type !== 'int' && (schema.minimum !== undefined || schema.maximum !== undefined)) {
    throw new Error(`pydantic schema: minimum/maximum are only supported on integers, at ${at}`)
  }
  if (schema.enum !== undefined && !named) {
    const members = schema.enum
    const expected = expectedLiterals(members)
    return {
      isList: false,
      validate: (value, loc, errors) => {
        const index = members.indexOf(value)
        if (index !== -1) return members[index]
        errors.push({ type: 'literal_error', loc, msg: `Input should be ${expected}`, input: value, ctx: { expected } })
        return undefined
      },
    }
  }
  if (type !== null) return { isList: false, validate: scalar(type, schema) }
  switch (schema.type) {
    case undefined:
      return { isList: false, validate: (value) => value }
    case 'array':
      return compileList(schema, doc, at, depth)
    case 'object':
      return schema.properties === undefined && schema.additionalProperties !== false
        ? compileDict(schema, doc, at, depth)
        : compileModel(schema, doc, at, depth)
    default:
      throw new Error(`pydantic schema: type ${String(schema.type)} is not supported at ${at}`)
  }
}

function compileList(schema: JsonSchema, doc: unknown, at: string, depth: number): Node {
  const item = compileNode(schema.items ?? {}, doc, `${at}/items`, depth + 1)
  return {
    isList: true,
    validate: (value, loc, errors) => {
      if (!Array.isArray(value)) {
        errors.push({ type: 'list_type', loc, msg: 'Input should be a valid list', input: value })
        return undefined
      }
      return value.map((element, index) => item.validate(element, [...loc, index], errors))
    },
  }
}

/** `dict[str, X]`: an object without `properties`, its values given by `additionalProperties`. */
function compileDict(schema: JsonSchema, doc: unknown, at: string, depth: number): Node {
  const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {}
  const item = compileNode(values, doc, `${at}/additionalProperties`, depth + 1)
  return {
    isList: false,
    validate: (value, loc, errors) => {
      if (!isPlainObject(value)) {
        errors.push({ type: 'dict_type', loc, msg: 'Input should be a valid dictionary', input: value })
        return undefined
      }
      const parsed: Record<string, unknown> = {}
      for (const [key, element] of Object.entries(value)) parsed[key] = item.validate(element, [...loc, key], errors)
      return parsed
    },
  }
}

/** A `BaseModel`: fields in the schema's order, `required` or defaulted, unknown keys ignored (or forbidden). */
function compileModel(schema: JsonSchema, doc: unknown, at: string, depth: number): Node {
  if (typeof schema.additionalProperties === 'object') {
    throw new Error(`pydantic schema: a model with typed additionalProperties is not supported at ${at}`)
  }
  const required = new Set(schema.required ?? [])
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    required: required.has(name),
    node: compileNode(property, doc, `${at}/properties/${name}`, depth + 1),
  }))
  const forbidExtra = schema.additionalProperties === false
  return {
    isList: false,
    validate: (value, loc, errors) => {
      if (!isPlainObject(value)) {
        errors.push(modelAttributesType(loc, value))
        return undefined
      }
      const parsed: Record<string, unknown> = {}
      for (const field of fields) {
        if (Object.hasOwn(value, field.name)) parsed[field.name] = field.node.validate(value[field.name], [...loc, field.name], errors)
        else if (field.required) errors.push(missing([...loc, field.name], value))
        else parsed[field.name] = defaultOf(field.node)
      }
      if (forbidExtra) {
        for (const [key, extra] of Object.entries(value)) {
          if (fields.some((f) => f.name === key)) continue
          errors.push({ type: 'extra_forbidden', loc: [...loc, key], msg: 'Extra inputs are not permitted', input: extra })
        }
      }
      return parsed
    },
  }
}

/** A field's value when it is not sent: its `default` (a fresh copy), else `None`. */
const defaultOf = (node: Node): unknown => (node.default === undefined ? null : structuredClone(node.default.value))

/** A validator for one schema of `doc` (local `$ref`s resolve against `doc`), compiled once. */
export function compileSchema(schema: JsonSchema, doc: unknown = {}): (value: unknown, loc?: Loc) => Result<unknown> {
  const node = compileNode(schema, doc, '#', 0)
  return (value, loc = []) => {
    const errors: PydanticError[] = []
    const parsed = node.validate(value, loc, errors)
    return errors.length > 0 ? { errors } : { value: parsed }
  }
}

/** A request as the router saw it. */
export type RawRequest = {
  /** Path parameters as strings (undefined: not known to be wrong). */
  path: Record<string, unknown>
  /** Query parameters as sent (strings, or arrays when repeated). */
  query: Record<string, unknown>
  body: unknown
}
/** The same request as pydantic parsed it: every declared parameter (defaults filled in) and the body model. */
export type ParsedRequest = { path: Record<string, unknown>; query: Record<string, unknown>; body: unknown }

export type CompiledOperation = {
  /** FastAPI's order: path parameters, then query parameters, then the body; every error at once. */
  validate(raw: RawRequest): Result<ParsedRequest>
  validateBody(body: unknown): Result<unknown>
}

type Parameter = { name: string; in: string; required?: boolean; schema?: JsonSchema }
type OperationObject = {
  operationId?: string
  parameters?: (Parameter | { $ref: string })[]
  requestBody?: { $ref?: string; required?: boolean; content?: Record<string, { schema?: JsonSchema }> }
}
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

function resolveRef<T>(doc: unknown, value: T | { $ref: string }): T {
  let current: unknown = value
  for (let i = 0; i < MAX_DEPTH && current !== null && typeof current === 'object' && '$ref' in current; i++) {
    current = atPointer(doc, String(current.$ref))
  }
  return current as T
}

function compileOperationObject(doc: unknown, pathItem: { parameters?: OperationObject['parameters'] }, op: OperationObject, at: string) {
  const byKey = new Map<string, Parameter>()
  for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const param = resolveRef<Parameter>(doc, p)
    byKey.set(`${param.in}:${param.name}`, param)
  }
  const parameters = [...byKey.values()].map((param) => {
    if (param.in !== 'path' && param.in !== 'query') throw new Error(`pydantic schema: ${param.in} parameters are not supported at ${at}`)
    return {
      name: param.name,
      in: param.in,
      required: param.required === true || param.in === 'path',
      node: compileNode(param.schema ?? {}, doc, `${at}/parameters/${param.name}`, 0),
    }
  })
  // FastAPI validates path parameters before query parameters, each in declaration order.
  parameters.sort((a, b) => (a.in === b.in ? 0 : a.in === 'path' ? -1 : 1))

  const requestBody = op.requestBody === undefined ? undefined : resolveRef(doc, op.requestBody)
  const bodySchema = requestBody?.content?.['application/json']?.schema
  const body = bodySchema === undefined ? null : compileNode(bodySchema, doc, `${at}/requestBody`, 0)
  const bodyRequired = requestBody?.required === true

  const checkBody = (value: unknown, errors: PydanticError[]): unknown => {
    if (body === null) return undefined
    // FastAPI: no body, or a JSON `null`, is a missing body.
    if (value === undefined || value === null) {
      if (bodyRequired) errors.push(missing(['body'], null))
      return bodyRequired ? undefined : defaultOf(body)
    }
    return body.validate(value, ['body'], errors)
  }

  return {
    validate(raw: RawRequest): Result<ParsedRequest> {
      const errors: PydanticError[] = []
      const parsed: ParsedRequest = { path: {}, query: {}, body: undefined }
      for (const param of parameters) {
        const source = param.in === 'path' ? raw.path : raw.query
        let value = source[param.name]
        const target = param.in === 'path' ? parsed.path : parsed.query
        if (value === undefined) {
          // A path parameter is always there once the route matched; undefined means "not known to be wrong".
          if (param.in === 'path') continue
          if (param.required) errors.push(missing([param.in, param.name], null))
          else target[param.name] = defaultOf(param.node)
          continue
        }
        // Starlette hands a repeated query parameter's last value to a non-list parameter, and a query
        // string carries strings (a number here is ajv's coercion of what was sent).
        if (param.in === 'query' && Array.isArray(value) && !param.node.isList) value = value[value.length - 1]
        if (param.in === 'query' && typeof value === 'number') value = String(value)
        target[param.name] = param.node.validate(value, [param.in, param.name], errors)
      }
      parsed.body = checkBody(raw.body, errors)
      return errors.length > 0 ? { errors } : { value: parsed }
    },
    validateBody(value: unknown): Result<unknown> {
      const errors: PydanticError[] = []
      const parsed = checkBody(value, errors)
      return errors.length > 0 ? { errors } : { value: parsed }
    },
  } satisfies CompiledOperation
}

/** Every operation of an OpenAPI document, by operationId, compiled once. */
export function compilePydanticOperations(doc: { paths: Record<string, Record<string, unknown>> }): Map<string, CompiledOperation> {
  const operations = new Map<string, CompiledOperation>()
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = pathItem[method] as OperationObject | undefined
      if (op?.operationId === undefined) continue
      operations.set(op.operationId, compileOperationObject(doc, pathItem, op, `${method.toUpperCase()} ${path}`))
    }
  }
  return operations
}

// ---- Pulze's operations, compiled from specs/pulze.yaml at load ----

const PULZE_OPERATIONS = compilePydanticOperations(loadSpec('pulze'))

/** The compiled validator of one operation of specs/pulze.yaml. */
export function pulzeOperation(operationId: string): CompiledOperation {
  const operation = PULZE_OPERATIONS.get(operationId)
  if (operation === undefined) throw new Error(`pulze spec: no operation ${operationId}`)
  return operation
}

/** `LogResponseRatingRequest` as parsed: the schema's own field names. */
export type Rating = { good_answer: boolean | null; feedback: string | null }

export type SortSpec = { col: string; order: 'asc' | 'desc'; multiple: boolean }
/** `FilterLogsRequest` as parsed (datetimes in epoch milliseconds). */
export type FilterLogsModel = {
  date_from: number
  date_to: number | null
  app_ids: string[]
  labels: Record<string, string> | null
  params: SortSpec[]
  query: string
}
/** The search's view of a `FilterLogsRequest`. */
export type LogFilter = {
  dateFrom: number
  dateTo: number | null
  appIds: string[]
  labels: Record<string, string> | null
  params: SortSpec[]
  query: string
}

export const toLogFilter = (model: FilterLogsModel): LogFilter => ({
  dateFrom: model.date_from,
  dateTo: model.date_to,
  appIds: model.app_ids,
  labels: model.labels,
  params: model.params,
  query: model.query,
})

/** The body of `Logs_rateById`, validated against its schema in the spec. */
export function validateRatingBody(body: unknown): Result<Rating> {
  const parsed = pulzeOperation('Logs_rateById').validateBody(body)
  return 'errors' in parsed ? parsed : { value: parsed.value as Rating }
}

/** The body of `Logs_getMatchingLogs`, validated against its schema in the spec. */
export function validateFilterBody(body: unknown): Result<LogFilter> {
  const parsed = pulzeOperation('Logs_getMatchingLogs').validateBody(body)
  return 'errors' in parsed ? parsed : { value: toLogFilter(parsed.value as FilterLogsModel) }
}

// ---- malformed JSON: where Python's json module stops, and what it says ----

type JsonFault = { pos: number; msg: string }

/**
 * The first error Python's `json.loads` reports for `text` (message and character position), or null
 * when Python would accept it. FastAPI answers it as `json_invalid` at `["body", pos]`.
 */
export function pythonJsonError(text: string): JsonFault | null {
  const fail = (pos: number, msg: string): never => {
    throw { pos: [...text.slice(0, pos)].length, msg } satisfies JsonFault
  }
  const ws = (i: number): number => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
    return i
  }
  const string = (start: number): number => {
    // `start` is the opening quote.
    let i = start + 1
    for (;;) {
      if (i >= text.length) fail(start, 'Unterminated string starting at')
      const c = text[i]!
      if (c === '"') return i + 1
      if (c.charCodeAt(0) < 0x20) fail(i, 'Invalid control character at')
      if (c === '\\') {
        const e = text[i + 1]
        if (e === undefined) fail(start, 'Unterminated string starting at')
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i + 1, 'Invalid \\uXXXX escape')
          i += 6
          continue
        }
        if (!'"\\/bfnrt'.includes(e!)) fail(i, 'Invalid \\escape')
        i += 2
        continue
      }
      i++
    }
  }
  const value = (i: number): number => {
    const c = text[i]
    if (c === '"') return string(i)
    if (c === '{') return object(i + 1)
    if (c === '[') return array(i + 1)
    for (const word of ['null', 'true', 'false', 'NaN', 'Infinity', '-Infinity']) if (text.startsWith(word, i)) return i + word.length
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(text.slice(i))
    if (number !== null) return i + number[0].length
    return fail(i, 'Expecting value')
  }
  const object = (i: number): number => {
    i = ws(i)
    if (text[i] === '}') return i + 1
    for (;;) {
      if (text[i] !== '"') fail(i, 'Expecting property name enclosed in double quotes')
      i = ws(string(i))
      if (text[i] !== ':') fail(i, "Expecting ':' delimiter")
      i = ws(value(ws(i + 1)))
      if (text[i] === '}') return i + 1
      if (text[i] !== ',') fail(i, "Expecting ',' delimiter")
      i = ws(i + 1)
    }
  }
  const array = (i: number): number => {
    i = ws(i)
    if (text[i] === ']') return i + 1
    for (;;) {
      i = ws(value(i))
      if (text[i] === ']') return i + 1
      if (text[i] !== ',') fail(i, "Expecting ',' delimiter")
      i = ws(i + 1)
    }
  }
  try {
    const end = ws(value(ws(0)))
    if (end !== text.length) fail(end, 'Extra data')
    return null
  } catch (fault) {
    if (fault !== null && typeof fault === 'object' && 'msg' in fault) return fault as JsonFault
    return { pos: 0, msg: 'Expecting value' }
  }
}
