// A compiler from JSON Schema (the request schemas of specs/pulze.yaml) to pydantic v2 lax-mode validators:
// models, lists, dicts, Optional, unions (smart mode), Literal and the scalars of ./scalars.ts. No HTTP, no store.
import { deref } from '../../../openapi/refs.ts'
import {
  parseBool,
  parseDateTime,
  parseFloatValue,
  parseQueryInt,
  parseUuid,
  stringError,
  type Bounds,
  type Loc,
  type PydanticError,
} from './scalars.ts'

export const missing = (loc: Loc, input: unknown): PydanticError => ({ type: 'missing', loc, msg: 'Field required', input })

/**
 * The most errors one request is answered with. pydantic v2 reports every error (a max-errors setting is
 * only proposed, with 500 as its default: pydantic/pydantic#8242); the emulator stops collecting at 500, so
 * a body of 40,000 bad items costs what 500 do.
 */
export const MAX_PYDANTIC_ERRORS = 500

/** True once a request has all the errors it will report: list, dict and model loops stop there. */
export const errorsFull = (errors: readonly PydanticError[]): boolean => errors.length >= MAX_PYDANTIC_ERRORS

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

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
export type PydanticType = 'bool' | 'int' | 'float' | 'str' | 'uuid' | 'datetime'

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
  minLength?: number
  title?: string
  description?: string
  'x-pydantic'?: PydanticType
}

/** Validates `value` at `loc`, appends pydantic's errors to `errors`, returns the parsed value. */
export type Validate = (value: unknown, loc: Loc, errors: PydanticError[]) => unknown
/**
 * `name` is pydantic-core's name of the validator (`str`, `list[str]`, `literal['a','b']`, a model's class
 * name): a union's errors carry it in their `loc`, after the field.
 */
export type Node = { validate: Validate; isList: boolean; name: string; default?: { value: unknown } }
export type Result<T> = { value: T } | { errors: PydanticError[] }

// Keywords that constrain a value and that this compiler does not turn into pydantic rules: a schema
// that uses one fails to compile rather than being checked more loosely than the spec says.
const UNSUPPORTED = [
  'oneOf',
  'not',
  'const',
  'pattern',
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
const PYDANTIC_TYPES: readonly string[] = ['bool', 'int', 'float', 'str', 'uuid', 'datetime']
const MAX_DEPTH = 32

/** `$ref` and single-member `allOf` replaced by what they point at (the referring schema's own keywords win). */
function flatten(schema: JsonSchema, doc: unknown): JsonSchema {
  let current = schema
  for (let i = 0; i < MAX_DEPTH; i++) {
    if (current.$ref !== undefined) {
      const { $ref, ...rest } = current
      current = { ...deref<JsonSchema>(doc, { $ref }), ...rest }
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
    // Several members: a union (its `anyOf` members, nulls taken out: `Optional[Union[…]]`).
    return { inner: others.length === 1 ? { ...others[0]! } : { anyOf: others }, nullable }
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
    case 'int':
    case 'float': {
      const bounds: Bounds = {}
      if (schema.minimum !== undefined) bounds.ge = schema.minimum
      if (schema.maximum !== undefined) bounds.le = schema.maximum
      const parse = type === 'int' ? parseQueryInt : parseFloatValue
      return (value, loc, errors) => {
        const parsed = parse(value, loc, bounds)
        if ('error' in parsed) errors.push(parsed.error)
        else return parsed.value
        return undefined
      }
    }
    case 'str': {
      const minLength = schema.minLength
      return (value, loc, errors) => {
        const error = stringError(value, loc)
        if (error !== null) errors.push(error)
        // Python counts code points.
        else if (minLength !== undefined && [...(value as string)].length < minLength) {
          errors.push({
            type: 'string_too_short',
            loc,
            msg: `String should have at least ${minLength} character${minLength === 1 ? '' : 's'}`,
            input: value,
            ctx: { min_length: minLength },
          })
        }
        return value
      }
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
  if (schema.type === 'number') return 'float'
  if (schema.type !== 'string') return null
  if (schema.format === undefined) return 'str'
  if (schema.format === 'uuid') return 'uuid'
  if (schema.format === 'date-time') return 'datetime'
  throw new Error(`pydantic schema: format ${schema.format} is not supported at ${at}`)
}

export function compileNode(raw: JsonSchema, doc: unknown, at: string, depth: number): Node {
  if (depth > MAX_DEPTH) throw new Error(`pydantic schema: nested too deep (recursive?) at ${at}`)
  const schema = flatten(raw, doc)
  const { inner, nullable } = optional(schema, doc)
  const node =
    inner.anyOf !== undefined && inner['x-pydantic'] === undefined
      ? compileUnion(inner.anyOf, doc, at, depth)
      : compileType(flatten(inner, doc), doc, at, depth)
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
  if (type !== 'int' && type !== 'float' && (schema.minimum !== undefined || schema.maximum !== undefined)) {
    throw new Error(`pydantic schema: minimum/maximum are only supported on numbers, at ${at}`)
  }
  if (type !== 'str' && schema.minLength !== undefined) throw new Error(`pydantic schema: minLength is only supported on strings, at ${at}`)
  if (schema.enum !== undefined && !named) {
    const members = schema.enum
    const expected = expectedLiterals(members)
    return {
      isList: false,
      // pydantic-core: `literal[` + the members' reprs joined by `,` + `]`.
      name: `literal[${members.map(pythonRepr).join(',')}]`,
      validate: (value, loc, errors) => {
        const index = members.indexOf(value)
        if (index !== -1) return members[index]
        errors.push({ type: 'literal_error', loc, msg: `Input should be ${expected}`, input: value, ctx: { expected } })
        return undefined
      },
    }
  }
  if (type !== null) return { isList: false, name: type, validate: scalar(type, schema) }
  switch (schema.type) {
    case undefined:
      return { isList: false, name: 'any', validate: (value) => value }
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
    name: `list[${item.name}]`,
    validate: (value, loc, errors) => {
      if (!Array.isArray(value)) {
        errors.push({ type: 'list_type', loc, msg: 'Input should be a valid list', input: value })
        return undefined
      }
      const parsed: unknown[] = []
      for (let index = 0; index < value.length && !errorsFull(errors); index++)
        parsed.push(item.validate(value[index], [...loc, index], errors))
      return parsed
    },
  }
}

/** `dict[str, X]`: an object without `properties`, its values given by `additionalProperties`. */
function compileDict(schema: JsonSchema, doc: unknown, at: string, depth: number): Node {
  const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {}
  const item = compileNode(values, doc, `${at}/additionalProperties`, depth + 1)
  return {
    isList: false,
    name: `dict[str,${item.name}]`,
    validate: (value, loc, errors) => {
      if (!isPlainObject(value)) {
        errors.push({ type: 'dict_type', loc, msg: 'Input should be a valid dictionary', input: value })
        return undefined
      }
      // Null prototype: a user's key (`__proto__` too) is data, never the dict's prototype.
      const parsed = Object.create(null) as Record<string, unknown>
      for (const [key, element] of Object.entries(value)) {
        if (errorsFull(errors)) break
        parsed[key] = item.validate(element, [...loc, key], errors)
      }
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
  const fieldNames = new Set(fields.map((f) => f.name))
  return {
    isList: false,
    name: schema.title ?? 'Model',
    validate: (value, loc, errors) => {
      if (!isPlainObject(value)) {
        errors.push(modelAttributesType(loc, value))
        return undefined
      }
      const parsed: Record<string, unknown> = {}
      for (const field of fields) {
        if (errorsFull(errors)) break
        if (Object.hasOwn(value, field.name)) parsed[field.name] = field.node.validate(value[field.name], [...loc, field.name], errors)
        else if (field.required) errors.push(missing([...loc, field.name], value))
        else parsed[field.name] = defaultOf(field.node)
      }
      if (forbidExtra) {
        for (const [key, extra] of Object.entries(value)) {
          if (errorsFull(errors)) break
          if (fieldNames.has(key)) continue
          errors.push({ type: 'extra_forbidden', loc: [...loc, key], msg: 'Extra inputs are not permitted', input: extra })
        }
      }
      return parsed
    },
  }
}

/**
 * `Union[A, B, …]` in pydantic's smart mode: the first member that accepts the input wins (the members of
 * the unions in Pulze's models take disjoint JSON types, so "first" and "best" agree); when none does,
 * every member's errors, each with the member's name inserted in `loc` after the field (`['body', 'stop',
 * 'list[str]', 0]`).
 */
function compileUnion(members: JsonSchema[], doc: unknown, at: string, depth: number): Node {
  const nodes = members.map((member, index) => compileNode(member, doc, `${at}/anyOf/${index}`, depth + 1))
  return {
    isList: false,
    name: `union[${nodes.map((n) => n.name).join(',')}]`,
    validate: (value, loc, errors) => {
      const failures: PydanticError[] = []
      for (const node of nodes) {
        const own: PydanticError[] = []
        const parsed = node.validate(value, loc, own)
        if (own.length === 0) return parsed
        for (const error of own) failures.push({ ...error, loc: [...loc, node.name, ...error.loc.slice(loc.length)] })
      }
      errors.push(...failures)
      return undefined
    },
  }
}

/** A field's value when it is not sent: its `default` (a fresh copy), else `None`. */
export const defaultOf = (node: Node): unknown => (node.default === undefined ? null : structuredClone(node.default.value))

/** A validator for one schema of `doc` (local `$ref`s resolve against `doc`), compiled once. */
export function compileSchema(schema: JsonSchema, doc: unknown = {}): (value: unknown, loc?: Loc) => Result<unknown> {
  const node = compileNode(schema, doc, '#', 0)
  return (value, loc = []) => {
    const errors: PydanticError[] = []
    const parsed = node.validate(value, loc, errors)
    return errors.length > 0 ? { errors: errors.slice(0, MAX_PYDANTIC_ERRORS) } : { value: parsed }
  }
}
