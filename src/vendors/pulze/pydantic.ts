// The few pydantic v2 (lax mode) validators Pulze's request models need, producing FastAPI's error items
// (`{type, loc, msg, input, ctx?}`, no `url`). Pure functions: no HTTP, no store.
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

// ---- models ----

/** FastAPI's answer for a body that is absent (`null` too) or not an object. */
export function modelInputError(body: unknown): PydanticError | null {
  if (body === undefined || body === null) return missing(['body'], null)
  if (!isPlainObject(body)) {
    return {
      type: 'model_attributes_type',
      loc: ['body'],
      msg: 'Input should be a valid dictionary or object to extract fields from',
      input: body,
    }
  }
  return null
}

export type Rating = { good_answer: boolean | null; feedback: string | null }

/** `LogResponseRatingRequest`: `{good_answer: bool | None = None, feedback: str | None = ""}`. */
export function validateRatingBody(body: unknown): { value: Rating } | { errors: PydanticError[] } {
  const modelError = modelInputError(body)
  if (modelError !== null) return { errors: [modelError] }
  const record = body as Record<string, unknown>
  const errors: PydanticError[] = []
  let good: boolean | null = null
  if (record['good_answer'] !== undefined && record['good_answer'] !== null) {
    const parsed = parseBool(record['good_answer'], ['body', 'good_answer'])
    if ('error' in parsed) errors.push(parsed.error)
    else good = parsed.value
  }
  let feedback: string | null = ''
  if (Object.hasOwn(record, 'feedback')) {
    const value = record['feedback']
    if (value === null) feedback = null
    else {
      const error = stringError(value, ['body', 'feedback'])
      if (error !== null) errors.push(error)
      else feedback = value as string
    }
  }
  return errors.length > 0 ? { errors } : { value: { good_answer: good, feedback } }
}

export type SortSpec = { col: string; order: 'asc' | 'desc'; multiple: boolean }
export type LogFilter = {
  dateFrom: number
  dateTo: number | null
  appIds: string[]
  labels: Record<string, string> | null
  params: SortSpec[]
  query: string
}

/** `FilterLogsRequest`, field by field in the order Pulze's docs list them. */
export function validateFilterBody(body: unknown): { value: LogFilter } | { errors: PydanticError[] } {
  const modelError = modelInputError(body)
  if (modelError !== null) return { errors: [modelError] }
  const record = body as Record<string, unknown>
  const errors: PydanticError[] = []
  const value: LogFilter = { dateFrom: 0, dateTo: null, appIds: [], labels: null, params: [], query: '' }

  if (!Object.hasOwn(record, 'date_from')) errors.push(missing(['body', 'date_from'], record))
  else {
    const parsed = parseDateTime(record['date_from'], ['body', 'date_from'])
    if ('error' in parsed) errors.push(parsed.error)
    else value.dateFrom = parsed.ms
  }

  if (record['date_to'] !== undefined && record['date_to'] !== null) {
    const parsed = parseDateTime(record['date_to'], ['body', 'date_to'])
    if ('error' in parsed) errors.push(parsed.error)
    else value.dateTo = parsed.ms
  }

  if (Object.hasOwn(record, 'app_ids')) {
    const ids = record['app_ids']
    if (!Array.isArray(ids)) errors.push({ type: 'list_type', loc: ['body', 'app_ids'], msg: 'Input should be a valid list', input: ids })
    else {
      ids.forEach((id, index) => {
        const parsed = parseUuid(id, ['body', 'app_ids', index])
        if ('error' in parsed) errors.push(parsed.error)
        else value.appIds.push(parsed.uuid)
      })
    }
  }

  if (record['labels'] !== undefined && record['labels'] !== null) {
    const labels = record['labels']
    if (!isPlainObject(labels))
      errors.push({ type: 'dict_type', loc: ['body', 'labels'], msg: 'Input should be a valid dictionary', input: labels })
    else {
      const accepted: Record<string, string> = {}
      for (const [key, label] of Object.entries(labels)) {
        const error = stringError(label, ['body', 'labels', key])
        if (error !== null) errors.push(error)
        else accepted[key] = label as string
      }
      value.labels = accepted
    }
  }

  if (Object.hasOwn(record, 'params')) {
    const params = record['params']
    if (!Array.isArray(params))
      errors.push({ type: 'list_type', loc: ['body', 'params'], msg: 'Input should be a valid list', input: params })
    else {
      params.forEach((param, index) => {
        const parsed = validateSortParam(param, ['body', 'params', index])
        if ('errors' in parsed) errors.push(...parsed.errors)
        else value.params.push(parsed.value)
      })
    }
  }

  if (Object.hasOwn(record, 'query')) {
    const error = stringError(record['query'], ['body', 'query'])
    if (error !== null) errors.push(error)
    else value.query = record['query'] as string
  }
  return errors.length > 0 ? { errors } : { value }
}

function validateSortParam(param: unknown, loc: Loc): { value: SortSpec } | { errors: PydanticError[] } {
  if (!isPlainObject(param)) {
    return {
      errors: [
        { type: 'model_attributes_type', loc, msg: 'Input should be a valid dictionary or object to extract fields from', input: param },
      ],
    }
  }
  const errors: PydanticError[] = []
  const value: SortSpec = { col: '', order: 'asc', multiple: false }
  if (!Object.hasOwn(param, 'col')) errors.push(missing([...loc, 'col'], param))
  else {
    const error = stringError(param['col'], [...loc, 'col'])
    if (error !== null) errors.push(error)
    else value.col = param['col'] as string
  }
  if (!Object.hasOwn(param, 'order')) errors.push(missing([...loc, 'order'], param))
  else if (param['order'] !== 'asc' && param['order'] !== 'desc') {
    errors.push({
      type: 'literal_error',
      loc: [...loc, 'order'],
      msg: "Input should be 'asc' or 'desc'",
      input: param['order'],
      ctx: { expected: "'asc' or 'desc'" },
    })
  } else value.order = param['order']
  if (Object.hasOwn(param, 'multiple')) {
    const parsed = parseBool(param['multiple'], [...loc, 'multiple'])
    if ('error' in parsed) errors.push(parsed.error)
    else value.multiple = parsed.value
  }
  return errors.length > 0 ? { errors } : { value }
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
