// pydantic v2's lax-mode scalar parsers (bool, str, int, UUID, datetime) with FastAPI's error items
// (`{type, loc, msg, input, ctx?}`, no `url`). Sources: pydantic-core src/input (lax parsing), speedate (dates),
// the Rust `uuid` crate (UUID error texts).
import { utcTime } from '../../../util/utc-buckets.ts'

export type Loc = (string | number)[]
export type PydanticError = { type: string; loc: Loc; msg: string; input: unknown; ctx?: Record<string, unknown> }

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

// ---- int and float (query parameters arrive as strings, bodies and JSON headers as JSON) ----

export type Bounds = { ge?: number; le?: number }

function boundsError(value: number, input: unknown, loc: Loc, bounds: Bounds): PydanticError | null {
  if (bounds.ge !== undefined && !(value >= bounds.ge)) {
    return { type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${bounds.ge}`, input, ctx: { ge: bounds.ge } }
  }
  if (bounds.le !== undefined && !(value <= bounds.le)) {
    return { type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${bounds.le}`, input, ctx: { le: bounds.le } }
  }
  return null
}

/**
 * pydantic v2 lax `int`, with `ge`/`le` bounds: integers, floats without a fraction, booleans, and strings
 * of an integer (query parameters; a repeated one gives its last value).
 */
export function parseQueryInt(raw: unknown, loc: Loc, bounds: Bounds): { value: number } | { error: PydanticError } {
  const input = Array.isArray(raw) ? raw[raw.length - 1] : raw
  let value: number | null = null
  if (typeof input === 'boolean') value = input ? 1 : 0
  else if (typeof input === 'number') {
    if (!Number.isInteger(input)) {
      return { error: { type: 'int_from_float', loc, msg: 'Input should be a valid integer, got a number with a fractional part', input } }
    }
    value = input
  } else if (typeof input === 'string') {
    const text = input.trim()
    const match = /^[+-]?\d+(?:\.0*)?$/.exec(text)
    if (match !== null) value = Number(text.replace(/\.0*$/, ''))
    if (value === null || !Number.isSafeInteger(value)) {
      return { error: { type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input } }
    }
  } else return { error: { type: 'int_type', loc, msg: 'Input should be a valid integer', input } }
  const error = boundsError(value, input, loc, bounds)
  return error === null ? { value } : { error }
}

/** pydantic v2 lax `float`, with `ge`/`le` bounds: numbers, booleans, and strings of a number. */
export function parseFloatValue(input: unknown, loc: Loc, bounds: Bounds): { value: number } | { error: PydanticError } {
  let value: number
  if (typeof input === 'number') value = input
  else if (typeof input === 'boolean') value = input ? 1 : 0
  else if (typeof input === 'string') {
    const text = input.trim()
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      return { error: { type: 'float_parsing', loc, msg: 'Input should be a valid number, unable to parse string as a number', input } }
    }
    value = Number(text)
  } else return { error: { type: 'float_type', loc, msg: 'Input should be a valid number', input } }
  const error = boundsError(value, input, loc, bounds)
  return error === null ? { value } : { error }
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
