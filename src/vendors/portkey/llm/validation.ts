// The provider's refusal of a body its API does not accept, worded as the provider words it (the gateway
// relays it as `<provider> error: <message>`). The body is checked against the route's schema in
// specs/portkey.yaml (the shared OpenAI and Anthropic schemas), without filling in defaults.
import type { ValidateFunction } from 'ajv'
import { createAjv } from '../../../openapi/create-ajv.ts'
import { escapePointerToken } from '../../../openapi/json-pointer.ts'
import { specId } from '../../../openapi/load-specs.ts'
import type { Operation } from '../../../openapi/operations.ts'
import { toViolations, type Violation } from '../../../openapi/violations.ts'

export type BodyRefusal = { message: string; param: string | null }

/** Checks a body as sent against the operation's JSON body schema; null when it is accepted. */
export function compileBodyCheck(operation: Operation, wording: 'openai' | 'anthropic'): (body: unknown) => BodyRefusal | null {
  const pointer = `/paths/${escapePointerToken(operation.path)}/${operation.method}/requestBody/content/application~1json/schema`
  // No defaults, no coercion: the body is checked as it came and never changed. Compiled on first use, so an
  // emulator whose gateway routes are never called does not pay for OpenAI's schemas.
  let compiled: ValidateFunction | undefined
  const validate = (data: unknown): boolean => {
    compiled ??= createAjv({ useDefaults: false }).compile({ $ref: `${specId('portkey')}#${pointer}` })
    return compiled(data)
  }
  const errorsOf = () => compiled?.errors
  /** How many tag (`enum`/`const`) failures there are at `location` once its value is one no branch takes. */
  const tagFailuresWithoutMatch = (body: unknown, location: readonly (string | number)[]): number => {
    const path = location.slice(1)
    if (path.length === 0) return 0
    const probe = structuredClone(body)
    let node = probe as Record<string | number, unknown>
    for (const token of path.slice(0, -1)) node = node[token] as Record<string | number, unknown>
    node[path.at(-1)!] = '\u0000'
    validate(probe)
    return countTagFailures(toViolations('body', errorsOf(), probe), location)
  }
  return (body) => {
    if (validate(body)) return null
    const violations = toViolations('body', errorsOf(), body)
    const violation = mostTelling(
      violations,
      (location) => countTagFailures(violations, location) < tagFailuresWithoutMatch(body, location),
    )
    return wording === 'openai' ? openAiRefusal(violation) : anthropicRefusal(violation)
  }
}

function countTagFailures(violations: readonly Violation[], location: readonly (string | number)[]): number {
  const key = JSON.stringify(location)
  return violations.filter((v) => (v.keyword === 'enum' || v.keyword === 'const') && JSON.stringify(v.location) === key).length
}

const COMBINATORS = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'not', 'then', 'else'])

type Telling = { violation: Violation; allowed?: unknown[] }

/**
 * The one violation to report. A `oneOf` (e.g. a message per role) fails in every branch: its tag shows as an
 * `enum`/`const` failure in each branch whose tag differs. When the value is some branch's tag (`matchesABranch`:
 * fewer tag failures than for a value no branch takes), that branch has the real fault; otherwise the tag
 * failures are merged into one, listing every allowed value. A missing top-level field comes first.
 */
export function mostTelling(
  violations: readonly Violation[],
  matchesABranch: (location: readonly (string | number)[]) => boolean,
): Telling {
  const relevant = violations.filter((v) => !COMBINATORS.has(v.keyword))
  const rootRequired = relevant.find((v) => v.keyword === 'required' && v.location.length === 2)
  if (rootRequired !== undefined) return { violation: rootRequired }
  const tags = new Map<string, { violation: Violation; allowed: unknown[] }>()
  for (const v of relevant) {
    if (v.keyword !== 'enum' && v.keyword !== 'const') continue
    const key = JSON.stringify(v.location)
    const allowed = v.keyword === 'enum' ? ((v.params['allowedValues'] as unknown[]) ?? []) : [v.params['allowedValue']]
    const group = tags.get(key)
    if (group === undefined) tags.set(key, { violation: v, allowed: [...allowed] })
    else for (const a of allowed) if (!group.allowed.includes(a)) group.allowed.push(a)
  }
  for (const group of tags.values()) {
    if (!group.allowed.includes(group.violation.value) && !matchesABranch(group.violation.location)) return group
  }
  const other = relevant.find((v) => v.keyword !== 'enum' && v.keyword !== 'const')
  const first = other ?? relevant[0] ?? violations[0]
  if (first === undefined) return { violation: { location: ['body'], keyword: 'type', message: 'is invalid', params: {}, schemaPath: '#' } }
  return { violation: first }
}

/** `messages[0].role` (OpenAI) from `['body', 'messages', 0, 'role']`. */
function openAiPath(location: readonly (string | number)[]): string {
  return location
    .slice(1)
    .map((t, i) => (typeof t === 'number' ? `[${t}]` : i === 0 ? t : `.${t}`))
    .join('')
}

/** `messages.0.role` (Anthropic, pydantic's loc) from `['body', 'messages', 0, 'role']`. */
function anthropicPath(location: readonly (string | number)[]): string {
  return location.slice(1).join('.')
}

const quote = (value: unknown) => `'${typeof value === 'string' ? value : JSON.stringify(value)}'`

/** `'a', 'b', and 'c'` (OpenAI) or `'a', 'b' or 'c'` (pydantic, Anthropic). */
function listed(values: readonly unknown[], last: 'and' | 'or'): string {
  const quoted = values.map(quote)
  if (quoted.length <= 1) return quoted[0] ?? ''
  const serialComma = last === 'and' && quoted.length > 2 ? ',' : ''
  return `${quoted.slice(0, -1).join(', ')}${serialComma} ${last} ${quoted.at(-1)}`
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal'
  return article(typeof value)
}

/** OpenAI's wording ("Missing required parameter: 'messages'.", "Invalid type for 'n': …"). */
function openAiRefusal({ violation: v, allowed }: Telling): BodyRefusal {
  const path = openAiPath(v.location)
  const param = path === '' ? null : path
  switch (v.keyword) {
    case 'required':
      return { message: `Missing required parameter: '${path}'.`, param }
    case 'additionalProperties':
      return { message: `Unrecognized request argument supplied: ${String(v.location.at(-1))}`, param: null }
    case 'type': {
      const expected = String(v.params['type']).split(',')[0] ?? 'value'
      if (path === '') return { message: 'We could not parse the JSON body of your request: it must be an object.', param: null }
      return { message: `Invalid type for '${path}': expected ${article(expected)}, but got ${typeName(v.value)} instead.`, param }
    }
    case 'enum':
    case 'const':
      return { message: `Invalid value: ${quote(v.value)}. Supported values are: ${listed(allowed ?? [], 'and')}.`, param }
    case 'minimum':
    case 'exclusiveMinimum':
      return {
        message: `Invalid '${path}': integer below minimum value. Expected a value >= ${String(v.params['limit'])}, but got ${String(v.value)} instead.`,
        param,
      }
    case 'maximum':
    case 'exclusiveMaximum':
      return {
        message: `Invalid '${path}': integer above maximum value. Expected a value <= ${String(v.params['limit'])}, but got ${String(v.value)} instead.`,
        param,
      }
    case 'minItems':
      return {
        message: `Invalid '${path}': empty array. Expected an array with minimum length ${String(v.params['limit'])}, but got an empty array instead.`,
        param,
      }
    default:
      return { message: `Invalid value for '${path || 'body'}': ${v.message}.`, param }
  }
}

/** Anthropic's wording ("messages: Field required"); the gateway relays Anthropic errors with `param: null`. */
function anthropicRefusal({ violation: v, allowed }: Telling): BodyRefusal {
  const path = anthropicPath(v.location)
  const at = path === '' ? '' : `${path}: `
  switch (v.keyword) {
    case 'required':
      return { message: `${at}Field required`, param: null }
    case 'additionalProperties':
      return { message: `${at}Extra inputs are not permitted`, param: null }
    case 'type':
      return {
        message: `${at}Input should be a valid ${String(v.params['type']).split(',')[0] === 'object' ? 'dictionary' : String(v.params['type']).split(',')[0]}`,
        param: null,
      }
    case 'enum':
    case 'const':
      return { message: `${at}Input should be ${listed(allowed ?? [], 'or')}`, param: null }
    default:
      return { message: `${at}${v.message}`, param: null }
  }
}
