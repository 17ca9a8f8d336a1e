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
      if (Object.keys(errors).length > 0) throw validationFailed(errors)
      return { ...parts, body: value }
    }
  },
}

/**
 * Validates (and coerces, in place, as tsoa does) a body against an operation's body schema.
 * `errors` is empty when tsoa would accept it; `value` is what the controller would receive.
 */
export function validateTsoaBody(schema: Schema, body: unknown): { errors: FieldErrors; value: unknown } {
  const errors: FieldErrors = {}
  const value = validateParam(schema, body, 'requestBody', errors, '', true)
  return { errors, value }
}

function validateParam(schema: Schema, value: unknown, name: string, errors: FieldErrors, parent: string, required: boolean): unknown {
  if (value === undefined) {
    if (required) errors[parent + name] = { message: `'${name}' is required` }
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
        errors[parent + name] = { message: 'invalid string value', value }
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
  errors: FieldErrors,
  parent: string,
  pattern: RegExp,
  message: string,
  parse: (v: string) => number,
): unknown {
  const text = String(value)
  if (!pattern.test(text) || ['', '.', '-', '+'].includes(text)) {
    errors[parent + name] = { message, value }
    return undefined
  }
  return parse(text)
}

function validateBool(value: unknown, name: string, errors: FieldErrors, parent: string): unknown {
  if (value === true || value === false) return value
  if (value === null) return false
  const text = String(value).toLowerCase()
  if (text === 'true') return true
  if (text === 'false') return false
  errors[parent + name] = { message: 'invalid boolean value', value }
  return undefined
}

function validateEnum(members: unknown[], value: unknown, name: string, errors: FieldErrors, parent: string): unknown {
  const index = members.map(String).findIndex((m) => m === String(value))
  if (index === -1) {
    const listed = members.map((m) => (typeof m === 'string' ? `'${m}'` : String(m)))
    errors[parent + name] = { message: `should be one of the following; [${listed.join(',')}]`, value }
    return undefined
  }
  return members[index]
}

function validateDateTime(value: unknown, name: string, errors: FieldErrors, parent: string): unknown {
  if (!isIso8601(String(value))) {
    errors[parent + name] = { message: 'invalid ISO 8601 datetime format, i.e. YYYY-MM-DDTHH:mm:ss', value }
    return undefined
  }
  return String(value)
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

function validateUnion(subSchemas: Schema[], value: unknown, name: string, errors: FieldErrors, parent: string): unknown {
  const issues: FieldErrors[] = []
  for (const sub of subSchemas) {
    const subErrors: FieldErrors = {}
    const copy = value ? (JSON.parse(JSON.stringify(value)) as unknown) : value
    const clean = validateParam(sub, copy, name, subErrors, parent, true)
    issues.push(subErrors)
    if (Object.keys(subErrors).length === 0) return clean
  }
  errors[parent + name] = { message: `Could not match the union against any of the items. Issues: ${JSON.stringify(issues)}`, value }
  return undefined
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A tsoa model (an interface): excess properties are reported one by one, at `<path>.<key>`. */
function validateModel(s: Schema, value: unknown, name: string, errors: FieldErrors, parent: string): unknown {
  const before = Object.keys(errors).length
  const path = parent + name
  if (!isPlainObject(value)) {
    errors[path] = { message: 'invalid object', value }
    return undefined
  }
  const properties = s.properties ?? {}
  const required = new Set(s.required ?? [])
  const keys = Object.keys(value)
  for (const [key, property] of Object.entries(properties)) {
    const validated = validateParam(property, value[key], key, errors, `${path}.`, required.has(key))
    if (validated !== undefined) value[key] = validated
  }
  if (s.additionalProperties === false || s.additionalProperties === undefined) {
    for (const key of keys) {
      if (!Object.hasOwn(properties, key))
        errors[`${path}.${key}`] = { message: `"${key}" is an excess property and therefore is not allowed`, value: key }
    }
  } else if (typeof s.additionalProperties === 'object') {
    for (const key of keys) {
      if (Object.hasOwn(properties, key)) continue
      const validated = validateParam(s.additionalProperties, value[key], key, errors, `${path}.`, true)
      if (validated !== undefined) value[key] = validated
      else errors[`${path}.${key}`] = { message: `No matching model found in additionalProperties to validate ${key}`, value: key }
    }
  }
  return Object.keys(errors).length > before ? undefined : value
}

/** A tsoa object literal (inline types, `Partial<…>`, `Record<…>`): excess properties are reported together. */
function validateObjectLiteral(s: Schema, value: unknown, name: string, errors: FieldErrors, parent: string): unknown {
  const path = parent + name
  if (!isPlainObject(value)) {
    errors[path] = { message: 'invalid object', value }
    return undefined
  }
  const before = Object.keys(errors).length
  const properties = s.properties ?? {}
  const required = new Set(s.required ?? [])
  if (s.additionalProperties === false) {
    const excess = Object.keys(value).filter((k) => !Object.hasOwn(properties, k))
    if (excess.length > 0) {
      errors[path] = {
        message: `"${excess.join(',')}" is an excess property and therefore is not allowed`,
        value: excess.reduce<Record<string, unknown>>((acc, k) => ({ [k]: value[k], ...acc }), {}),
      }
    }
  }
  for (const [key, property] of Object.entries(properties)) {
    const validated = validateParam(property, value[key], key, errors, `${path}.`, required.has(key))
    if (validated !== undefined) value[key] = validated
  }
  if (typeof s.additionalProperties === 'object') {
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(properties, key)) continue
      const validated = validateParam(s.additionalProperties, value[key], key, errors, `${path}.`, true)
      if (validated !== undefined) value[key] = validated
    }
  }
  return Object.keys(errors).length > before ? undefined : value
}
