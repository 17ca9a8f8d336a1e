// Request validation as jawn's tsoa runtime does it (`@tsoa/runtime` ValidationService with
// `noImplicitAdditionalProperties: throw-on-extras` and `bodyCoercion: true`), read off the schemas of
// specs/helicone.yaml. It yields tsoa's exact field errors (keys like `requestBody.timeFilter.end`, the
// union summaries) and tsoa's coerced value (`"5"` → 5, `null` → false for a boolean, `[1]` → 1 for a number).
import { loadSpec } from '../../openapi/load-specs.ts'
import { deref } from '../../openapi/refs.ts'
import { utcTime } from '../../util/utc-buckets.ts'
import type { FrameworkValidator } from '../vendor.ts'
import { validationFailed } from './errors.ts'

export type FieldErrors = Record<string, { message: string; value?: unknown }>

/**
 * The most field errors one answer reports. tsoa itself collects every one (`FieldErrors` has no limit), and
 * nests a union's member errors in its message, re-serialised at every level: a 20-deep filter tree made a
 * 294 MB answer. The emulator keeps the first 100 fields (no real client sends more than a few), stops
 * validating once it has them, and cuts each union's issue text at MAX_UNION_ISSUES_TEXT characters.
 */
export const MAX_TSOA_ERRORS = 100
export const MAX_UNION_ISSUES_TEXT = 2000

type FieldError = { message: string; value?: unknown }

/**
 * Field errors in the order found (at most MAX_TSOA_ERRORS); `total` counts every failure, also past the
 * cap, so validity stays exact. Kept as a list: paths grow with nesting, and a union validates every member
 * with a sink of its own, so keys are only hashed into an object for the answer (`details`), never per error.
 */
class ErrorSink {
  readonly entries: [string, FieldError][] = []
  total = 0

  add(key: string, entry: FieldError): void {
    this.total++
    if (this.entries.length < MAX_TSOA_ERRORS) this.entries.push([key, entry])
  }

  /** Nothing more will be reported: validation can stop. */
  get full(): boolean {
    return this.entries.length >= MAX_TSOA_ERRORS
  }

  /** tsoa's `FieldErrors`: a later error at the same field replaces the earlier one. Null prototype: keys are data. */
  get details(): FieldErrors {
    const details = Object.create(null) as FieldErrors
    for (const [key, entry] of this.entries) details[key] = entry
    return details
  }
}

type Schema = {
  $ref?: string
  type?: string | string[]
  format?: string
  enum?: unknown[]
  anyOf?: Schema[]
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  pattern?: string
  'x-tsoa-model'?: boolean
  'x-tsoa-datetime'?: boolean
}

const FLOAT = /^(?:[-+])?(?:[0-9]+)?(?:\.[0-9]*)?(?:[eE][+-]?(?:[0-9]+))?$/
const INT = /^(?:[-+]?(?:0|[1-9][0-9]*))$/
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?([zZ]|[+-]\d{2}(?::?\d{2})?)?)?$/

const resolve = (schema: Schema): Schema => deref<Schema>(loadSpec('helicone'), schema)

/** The request-body schema of an operation of the Helicone spec. */
export function bodySchemaOf(path: string, method: string): Schema {
  const op = loadSpec('helicone').paths[path]?.[method] as { requestBody?: unknown } | undefined
  const requestBody = deref<{ content?: Record<string, { schema?: Schema }> } | undefined>(loadSpec('helicone'), op?.requestBody)
  const schema = requestBody?.content?.['application/json']?.schema
  if (schema === undefined) throw new Error(`helicone spec: no JSON body for ${method} ${path}`)
  return schema
}

/**
 * tsoa as jawn runs it, for the operations marked `x-emulator-validated-by: tsoa`: the body is validated and
 * coerced (the controller gets the coerced value), path parameters are strings as routed.
 */
export const tsoaValidator: FrameworkValidator = {
  name: 'tsoa',
  compile(operation) {
    const schema = bodySchemaOf(operation.path, operation.method)
    return (parts) => {
      const { errors, value } = validateTsoaBody(schema, parts.body)
      if (errors !== null) throw validationFailed(errors)
      return { ...parts, body: value }
    }
  },
}

/**
 * Validates (and coerces, as tsoa does; into a new value, the input is left as it is) a body against an
 * operation's body schema.
 * `errors` is null when tsoa would accept it (else at most MAX_TSOA_ERRORS fields); `value` is what the
 * controller would receive.
 */
export function validateTsoaBody(schema: Schema, body: unknown): { errors: FieldErrors | null; value: unknown } {
  const errors = new ErrorSink()
  const value = validateParam(schema, body, 'requestBody', errors, '', true)
  return { errors: errors.total > 0 ? errors.details : null, value }
}

/**
 * How deep schemas may nest while validating (a filter tree is three levels per node) [emulator]: past it the
 * field is reported as too deep instead of the validator overflowing the stack on a 990-deep tree.
 */
export const MAX_TSOA_NESTING = 600
let nesting = 0

function validateParam(schema: Schema, value: unknown, name: string, errors: ErrorSink, parent: string, required: boolean): unknown {
  if (nesting >= MAX_TSOA_NESTING) {
    errors.add(parent + name, { message: `nested deeper than the emulator validates (${MAX_TSOA_NESTING} levels)` })
    return undefined
  }
  nesting++
  try {
    return validateParamAt(schema, value, name, errors, parent, required)
  } finally {
    nesting--
  }
}

function validateParamAt(schema: Schema, value: unknown, name: string, errors: ErrorSink, parent: string, required: boolean): unknown {
  if (value === undefined) {
    if (required) errors.add(parent + name, { message: `'${name}' is required` })
    return undefined
  }
  const s = resolve(schema)
  if (s.anyOf !== undefined) return validateUnion(s.anyOf, value, name, errors, parent)
  if (s.enum !== undefined && s.type !== 'boolean') return validateEnum(s.enum, value, name, errors, parent)
  const type = Array.isArray(s.type) ? s.type[0] : s.type
  switch (type) {
    case 'string':
      if (s['x-tsoa-datetime'] === true) return validateDateTime(value, name, errors, parent)
      if (typeof value !== 'string') {
        errors.add(parent + name, { message: 'invalid string value', value })
        return undefined
      }
      return value
    case 'number':
      return validateNumber(value, name, errors, parent, FLOAT, 'invalid float number', Number.parseFloat)
    case 'integer':
      return validateNumber(value, name, errors, parent, INT, 'invalid integer number', (v) => Number.parseInt(v, 10))
    case 'boolean':
      return validateBool(value, name, errors, parent)
    case 'object':
      return s['x-tsoa-model'] === true
        ? validateModel(s, value, name, errors, parent)
        : validateObjectLiteral(s, value, name, errors, parent)
    default:
      return value
  }
}

function validateNumber(
  value: unknown,
  name: string,
  errors: ErrorSink,
  parent: string,
  pattern: RegExp,
  message: string,
  parse: (v: string) => number,
): unknown {
  const text = textOf(value)
  if (!pattern.test(text) || ['', '.', '-', '+'].includes(text)) {
    errors.add(parent + name, { message, value })
    return undefined
  }
  return parse(text)
}

function validateBool(value: unknown, name: string, errors: ErrorSink, parent: string): unknown {
  if (value === true || value === false) return value
  if (value === null) return false
  const text = textOf(value).toLowerCase()
  if (text === 'true') return true
  if (text === 'false') return false
  errors.add(parent + name, { message: 'invalid boolean value', value })
  return undefined
}

function validateEnum(members: unknown[], value: unknown, name: string, errors: ErrorSink, parent: string): unknown {
  const index = members.map(String).findIndex((m) => m === textOf(value))
  if (index === -1) {
    const listed = members.map((m) => (typeof m === 'string' ? `'${m}'` : String(m)))
    errors.add(parent + name, { message: `should be one of the following; [${listed.join(',')}]`, value })
    return undefined
  }
  return members[index]
}

function validateDateTime(value: unknown, name: string, errors: ErrorSink, parent: string): unknown {
  if (!isIso8601(textOf(value))) {
    errors.add(parent + name, { message: 'invalid ISO 8601 datetime format, i.e. YYYY-MM-DDTHH:mm:ss', value })
    return undefined
  }
  return textOf(value)
}

/** validator.js `isISO8601(s, {strict: true})` for the forms a client sends (calendar dates, times, zones). */
export function isIso8601(text: string): boolean {
  const m = ISO_8601.exec(text)
  if (m === null) return false
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12 || day < 1) return false
  const days = new Date(utcTime(year, month, 0)).getUTCDate()
  if (day > days) return false
  if (m[4] !== undefined && Number(m[4]) > 23) return false
  if (m[5] !== undefined && Number(m[5]) > 59) return false
  if (m[6] !== undefined && Number(m[6]) > 59) return false
  return true
}

function validateUnion(subSchemas: Schema[], value: unknown, name: string, errors: ErrorSink, parent: string): unknown {
  const issues: ErrorSink[] = []
  for (const sub of subSchemas) {
    const subErrors = new ErrorSink()
    // Validation builds its coerced value beside the input (never in place), so members need no copy of it.
    const clean = validateParam(sub, value, name, subErrors, parent, true)
    issues.push(subErrors)
    if (subErrors.total === 0) return clean
  }
  // Written when the answer is serialised, not here: nested unions are only ever read as far as the
  // outer text's bound reaches, so a deep tree costs what its answer shows, not its depth squared.
  let message: string | undefined
  const entry = {
    get message(): string {
      message ??= `Could not match the union against any of the items. Issues: ${boundedJson(issues, MAX_UNION_ISSUES_TEXT)}`
      return message
    },
    value,
  }
  errors.add(parent + name, entry)
  return undefined
}

/**
 * `JSON.stringify(value)`, cut to at most `max` characters (then ending in `…`), in time bounded by `max`:
 * the union's issues hold the nested unions' texts and values, which must not be serialised whole at every level.
 */
export function boundedJson(value: unknown, max: number): string {
  let out = ''
  const emit = (text: string) => {
    out += text
    if (out.length > max) throw BOUNDED_JSON_FULL
  }
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') {
      if (typeof node === 'string' && node.length > max) emit(JSON.stringify(node.slice(0, max)))
      else emit(JSON.stringify(node) ?? 'null')
      return
    }
    if (Array.isArray(node)) {
      emit('[')
      node.forEach((item, i) => {
        if (i > 0) emit(',')
        walk(item === undefined ? null : item)
      })
      emit(']')
      return
    }
    emit('{')
    let first = true
    // A sink is written as the object its `details` would be (each field once).
    const entries = node instanceof ErrorSink ? uniqueEntries(node.entries) : Object.entries(node)
    for (const [key, child] of entries) {
      if (child === undefined) continue
      emit(`${first ? '' : ','}${JSON.stringify(key)}:`)
      first = false
      walk(child)
    }
    emit('}')
  }
  try {
    walk(value)
    return out
  } catch (error) {
    if (error !== BOUNDED_JSON_FULL) throw error
    return `${out.slice(0, max)}…`
  }
}
const BOUNDED_JSON_FULL = Symbol('full')

/** The fields of a sink as `details` would hold them, without hashing more keys than are written. */
function* uniqueEntries(entries: readonly [string, FieldError][]): Generator<[string, FieldError]> {
  const seen = new Set<string>()
  for (const [key, entry] of entries) {
    if (seen.has(key)) continue
    seen.add(key)
    // The last error at a field is the one tsoa keeps.
    let last = entry
    for (const [other, later] of entries) if (other === key) last = later
    yield [key, last]
  }
}

/**
 * `String(value)` as tsoa's checks read it, except that an object whose `toString`/`valueOf` cannot make a
 * primitive (`{"toString": 1}`) reads as `[object Object]` and fails the check instead of throwing.
 */
function textOf(value: unknown): string {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A tsoa model (an interface): excess properties are reported one by one, at `<path>.<key>`. */
function validateModel(s: Schema, value: unknown, name: string, errors: ErrorSink, parent: string): unknown {
  const before = errors.total
  const path = parent + name
  if (!isPlainObject(value)) {
    errors.add(path, { message: 'invalid object', value })
    return undefined
  }
  const properties = s.properties ?? {}
  const required = new Set(s.required ?? [])
  const keys = Object.keys(value)
  const validatedValues: [string, unknown][] = []
  for (const [key, property] of Object.entries(properties)) {
    if (errors.full) return undefined
    const validated = validateParam(property, value[key], key, errors, `${path}.`, required.has(key))
    if (validated !== undefined) validatedValues.push([key, validated])
  }
  if (s.additionalProperties === false || s.additionalProperties === undefined) {
    for (const key of keys) {
      if (errors.full) return undefined
      if (!Object.hasOwn(properties, key))
        errors.add(`${path}.${key}`, { message: `"${key}" is an excess property and therefore is not allowed`, value: key })
    }
  } else if (typeof s.additionalProperties === 'object') {
    for (const key of keys) {
      if (errors.full) return undefined
      if (Object.hasOwn(properties, key)) continue
      const validated = validateParam(s.additionalProperties, value[key], key, errors, `${path}.`, true)
      if (validated !== undefined) validatedValues.push([key, validated])
      else errors.add(`${path}.${key}`, { message: `No matching model found in additionalProperties to validate ${key}`, value: key })
    }
  }
  return errors.total > before ? undefined : coerced(value, validatedValues)
}

/**
 * The value the controller gets: the input's own entries with the validated ones in their place, built
 * only for a valid object (a copy of 60,000 excess keys would cost more than their parse).
 */
function coerced(value: Record<string, unknown>, validated: readonly [string, unknown][]): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(value))
  for (const [key, v] of validated) setOwn(out, key, v)
  return out
}

/** A tsoa object literal (inline types, `Partial<…>`, `Record<…>`): excess properties are reported together. */
function validateObjectLiteral(s: Schema, value: unknown, name: string, errors: ErrorSink, parent: string): unknown {
  const path = parent + name
  if (!isPlainObject(value)) {
    errors.add(path, { message: 'invalid object', value })
    return undefined
  }
  const before = errors.total
  const properties = s.properties ?? {}
  const required = new Set(s.required ?? [])
  if (s.additionalProperties === false) {
    const excess = Object.keys(value).filter((k) => !Object.hasOwn(properties, k))
    if (excess.length > 0) {
      // tsoa lists every excess property (last one first in `value`); the emulator names the first
      // MAX_TSOA_ERRORS of them, then `…`.
      const named = excess.slice(0, MAX_TSOA_ERRORS)
      const excessValues = Object.fromEntries(named.toReversed().map((k) => [k, value[k]]))
      const list = `${named.join(',')}${excess.length > named.length ? ',…' : ''}`
      errors.add(path, { message: `"${list}" is an excess property and therefore is not allowed`, value: excessValues })
    }
  }
  const validatedValues: [string, unknown][] = []
  for (const [key, property] of Object.entries(properties)) {
    if (errors.full) return undefined
    const validated = validateParam(property, value[key], key, errors, `${path}.`, required.has(key))
    if (validated !== undefined) validatedValues.push([key, validated])
  }
  if (typeof s.additionalProperties === 'object') {
    for (const key of Object.keys(value)) {
      if (errors.full) return undefined
      if (Object.hasOwn(properties, key)) continue
      const validated = validateParam(s.additionalProperties, value[key], key, errors, `${path}.`, true)
      if (validated !== undefined) validatedValues.push([key, validated])
    }
  }
  return errors.total > before ? undefined : coerced(value, validatedValues)
}

/**
 * `target[key] = value` for a key `target` already has as its own (copied with Object.fromEntries, which
 * keeps a `__proto__` key as data), so assignment never reaches the `__proto__` setter.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  target[key] = value
}
