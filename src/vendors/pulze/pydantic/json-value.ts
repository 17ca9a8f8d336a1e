// pydantic's `Json[...]` type (a JSON-encoded header such as `Pulze-Labels`): the text parsed the way
// pydantic-core does (its parser, jiter, reports serde_json's messages, "<what> at line L column C"), with
// numbers kept as Python ints or floats, since Pulze renders label values with Python's `str()` and
// `str(1)` is "1" where `str(1.0)` is "1.0". Linear in the text; nesting is capped like jiter's.

/** A Python int (JSON number without fraction or exponent). */
export class PyInt {
  readonly value: bigint
  constructor(value: bigint) {
    this.value = value
  }
}

/** A Python float (JSON number with a fraction or an exponent). */
export class PyFloat {
  readonly value: number
  constructor(value: number) {
    this.value = value
  }
}

/** A parsed JSON value as Python sees it; objects keep their keys in order (a repeated key: the last value, first place). */
export type PyJson = null | boolean | string | PyInt | PyFloat | PyJson[] | Map<string, PyJson>

/** jiter's recursion limit. */
const MAX_DEPTH = 200

class JsonTextError extends Error {}

/** `text` parsed, or jiter's message for the first fault (`expected value at line 1 column 1`). */
export function parseJsonText(text: string): { value: PyJson } | { error: string } {
  let i = 0
  const fail = (message: string, at = i): never => {
    let line = 1
    let lineStart = 0
    for (let k = 0; k < at && k < text.length; k++) {
      if (text[k] === '\n') {
        line++
        lineStart = k + 1
      }
    }
    throw new JsonTextError(
      `${message} at line ${line} column ${Math.max(0, Math.min(at, text.length) - lineStart + (at < text.length ? 1 : 0))}`,
    )
  }
  const skipWhitespace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++
  }
  const literal = (word: string, value: PyJson): PyJson => {
    for (let k = 0; k < word.length; k++) {
      if (i + k >= text.length) fail('EOF while parsing a value', text.length)
      if (text[i + k] !== word[k]) fail('expected ident', i + k)
    }
    i += word.length
    return value
  }
  const string = (): string => {
    i++ // the opening quote
    let out = ''
    let start = i
    for (;;) {
      if (i >= text.length) fail('EOF while parsing a string', text.length)
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        out += text.slice(start, i)
        i++
        return out
      }
      if (c < 0x20) fail('control character (\\u0000-\\u001F) found while parsing a string')
      if (c !== 0x5c) {
        i++
        continue
      }
      out += text.slice(start, i)
      const e = text[i + 1]
      if (e === undefined) fail('EOF while parsing a string', text.length)
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(hex.length < 4 ? 'unexpected end of hex escape' : 'invalid escape', i + 2)
        out += String.fromCharCode(parseInt(hex, 16))
        i += 6
      } else if (Object.hasOwn(simple, e!)) {
        out += simple[e!]
        i += 2
      } else fail('invalid escape', i + 1)
      start = i
    }
  }
  const number = (): PyInt | PyFloat => {
    const start = i
    if (text[i] === '-') i++
    const digits = () => {
      const from = i
      while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++
      return i - from
    }
    if (text[i] === '0') {
      i++
      if (text[i] !== undefined && text[i]! >= '0' && text[i]! <= '9') fail('invalid number')
    } else if (digits() === 0) fail(i >= text.length ? 'EOF while parsing a value' : 'invalid number')
    let float = false
    if (text[i] === '.') {
      float = true
      i++
      if (digits() === 0) fail(i >= text.length ? 'EOF while parsing a value' : 'invalid number')
    }
    if (text[i] === 'e' || text[i] === 'E') {
      float = true
      i++
      if (text[i] === '+' || text[i] === '-') i++
      if (digits() === 0) fail(i >= text.length ? 'EOF while parsing a value' : 'invalid number')
    }
    const lexeme = text.slice(start, i)
    if (!float) return new PyInt(BigInt(lexeme))
    const value = Number(lexeme)
    if (!Number.isFinite(value)) fail('number out of range', start)
    return new PyFloat(value)
  }
  const value = (depth: number): PyJson => {
    if (depth > MAX_DEPTH) fail('recursion limit exceeded')
    skipWhitespace()
    if (i >= text.length) fail('EOF while parsing a value', text.length)
    const c = text[i]!
    if (c === '{') {
      i++
      const object = new Map<string, PyJson>()
      skipWhitespace()
      if (text[i] === '}') {
        i++
        return object
      }
      for (;;) {
        skipWhitespace()
        if (i >= text.length) fail('EOF while parsing an object', text.length)
        if (text[i] === '}') fail('trailing comma')
        if (text[i] !== '"') fail('key must be a string')
        const key = string()
        skipWhitespace()
        if (i >= text.length) fail('EOF while parsing an object', text.length)
        if (text[i] !== ':') fail('expected `:`')
        i++
        object.set(key, value(depth + 1))
        skipWhitespace()
        if (i >= text.length) fail('EOF while parsing an object', text.length)
        if (text[i] === '}') {
          i++
          return object
        }
        if (text[i] !== ',') fail('expected `,` or `}`')
        i++
      }
    }
    if (c === '[') {
      i++
      const list: PyJson[] = []
      skipWhitespace()
      if (text[i] === ']') {
        i++
        return list
      }
      for (;;) {
        skipWhitespace()
        if (text[i] === ']') fail('trailing comma')
        list.push(value(depth + 1))
        skipWhitespace()
        if (i >= text.length) fail('EOF while parsing a list', text.length)
        if (text[i] === ']') {
          i++
          return list
        }
        if (text[i] !== ',') fail('expected `,` or `]`')
        i++
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true', true)
    if (c === 'f') return literal('false', false)
    if (c === 'n') return literal('null', null)
    if (c === '-' || (c >= '0' && c <= '9')) return number()
    return fail('expected value')
  }
  try {
    const parsed = value(0)
    skipWhitespace()
    if (i < text.length) fail('trailing characters')
    return { value: parsed }
  } catch (error) {
    if (error instanceof JsonTextError) return { error: error.message }
    throw error
  }
}

/** The value as JSON.parse would give it (objects with a null prototype: keys are user input). */
export function toPlainJson(value: PyJson): unknown {
  if (value instanceof PyInt) return Number(value.value)
  if (value instanceof PyFloat) return value.value
  if (Array.isArray(value)) return value.map(toPlainJson)
  if (value instanceof Map) {
    const object: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    for (const [key, item] of value) object[key] = toPlainJson(item)
    return object
  }
  return value
}

// ---- Python's str() and repr() of what json.loads returns ----

/** Python's `repr(float)`: the shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const [mantissa, exp] = value.toExponential().split('e') as [string, string]
  const exponent = Number(exp)
  const negative = mantissa.startsWith('-')
  const digits = mantissa.replace('-', '').replace('.', '')
  const sign = negative ? '-' : ''
  if (exponent < -4 || exponent >= 16) {
    const body = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`
    return `${sign}${body}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0')
  const fraction = digits.slice(exponent + 1)
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`
}

/** Python's `repr(str)`: single quotes unless the text has a single quote and no double quote. */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = quote
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (char === quote || char === '\\') out += `\\${char}`
    else if (char === '\n') out += '\\n'
    else if (char === '\r') out += '\\r'
    else if (char === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += char
  }
  return out + quote
}

/** Python's `repr()` of a json.loads value. */
export function pythonRepr(value: PyJson): string {
  if (typeof value === 'string') return pythonStrRepr(value)
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${pythonStrRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`
  return pythonStr(value)
}

/** Python's `str()` of a json.loads value. */
export function pythonStr(value: PyJson): string {
  if (value === null) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'string') return value
  if (value instanceof PyInt) return value.value.toString()
  if (value instanceof PyFloat) return pythonFloatRepr(value.value)
  return pythonRepr(value)
}
