// The emulated provider's own checks of a proxied call and its error bodies. Helicone forwards whatever it
// gets; the provider (OpenAI, Anthropic) refuses a bad body or a missing key with its own error, and the
// worker passes that answer through and logs it. The bodies are checked against specs/llm-apis.yaml; the
// messages follow the providers' wording where it is known (OpenAI's `invalid_request_error` codes,
// Anthropic's `<path>: <problem>`), and are close approximations elsewhere.
import type { ValidateFunction } from 'ajv'
import type { CompletionApi } from '../../../completions/index.ts'
import { createAjv } from '../../../openapi/create-ajv.ts'
import { specId } from '../../../openapi/load-specs.ts'
import { toViolations, type Violation } from '../../../openapi/violations.ts'
import type { FrameworkValidator } from '../../vendor.ts'

export type OpenAiErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } }
export type AnthropicErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error'
export type AnthropicErrorBody = { type: 'error'; error: { type: AnthropicErrorType; message: string } }
export type ProviderError = { status: number; body: OpenAiErrorBody | AnthropicErrorBody }

const REQUEST_SCHEMAS: Record<CompletionApi, string> = {
  chat: 'CreateChatCompletionRequest',
  completions: 'CreateCompletionRequest',
  embeddings: 'CreateEmbeddingRequest',
  messages: 'AnthropicCreateMessageRequest',
}
// A Map: it is looked up by the client's `role` (`toString` once found Object.prototype's function).
const CHAT_MESSAGE_SCHEMAS: ReadonlyMap<string, string> = new Map([
  ['developer', 'ChatCompletionRequestDeveloperMessage'],
  ['system', 'ChatCompletionRequestSystemMessage'],
  ['user', 'ChatCompletionRequestUserMessage'],
  ['assistant', 'ChatCompletionRequestAssistantMessage'],
  ['tool', 'ChatCompletionRequestToolMessage'],
  ['function', 'ChatCompletionRequestFunctionMessage'],
])
/** Errors reported per request at most (a huge invalid body must not make a huge error list). */
const MAX_VIOLATIONS = 200

/**
 * `x-emulator-validated-by: provider`: Helicone forwards a call's body unchecked, so the pipeline passes it
 * through; the emulated provider checks it in the handler (`invalidBodyError`), where its refusal is
 * answered and logged as Helicone logs any provider answer.
 */
export const providerValidator: FrameworkValidator = { name: 'provider', compile: () => (parts) => parts }

const validators = new Map<string, ValidateFunction>()

/** A shared schema's validator, compiled once; without defaults, so checking never changes the body. */
function validatorOf(name: string): ValidateFunction {
  let validate = validators.get(name)
  if (validate === undefined) {
    validate = createAjv({ useDefaults: false }).getSchema(`${specId('llm-apis')}#/components/schemas/${name}`)
    if (validate === undefined) throw new Error(`specs/llm-apis.yaml has no schema ${name}`)
    validators.set(name, validate)
  }
  return validate
}

function check(schema: string, value: unknown, prefix: (string | number)[]): Violation[] {
  const validate = validatorOf(schema)
  if (validate(value)) return []
  return toViolations('body', (validate.errors ?? []).slice(0, MAX_VIOLATIONS), value).map((v) => ({
    ...v,
    location: ['body', ...prefix, ...v.location.slice(1)],
  }))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `messages[0].role` (OpenAI's `param`) from a violation's location. */
function paramOf(location: readonly (string | number)[]): string {
  return location
    .slice(1)
    .map((t, i) => (typeof t === 'number' ? `[${t}]` : i === 0 ? t : `.${t}`))
    .join('')
}

const A_TYPE: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a decimal',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  null: 'null',
}

function typeOfValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal'
  return (Object.hasOwn(A_TYPE, typeof value) ? A_TYPE[typeof value] : undefined) ?? typeof value
}

/** A sent value in a message: a string as it is, anything else as JSON (String() throws on {"toString": 1}). */
function valueText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
}

function listed(values: readonly unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`)
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`
}

/** The violations worth reporting: unions are summarised by their branches' own errors. */
function leaves(violations: readonly Violation[]): Violation[] {
  return violations.filter((v) => v.keyword !== 'oneOf' && v.keyword !== 'anyOf' && v.keyword !== 'if')
}

/**
 * A chat message's errors, judged by its own role (OpenAI's messages are a union tagged by `role`): an
 * unknown role is reported as such; a known one is checked against that role's schema alone.
 */
function chatMessageViolations(body: unknown, violations: readonly Violation[]): Violation[] | undefined {
  const first = violations.find((v) => v.location[1] === 'messages' && typeof v.location[2] === 'number')
  if (first === undefined || !isObject(body) || !Array.isArray(body['messages'])) return undefined
  const index = first.location[2] as number
  const message: unknown = body['messages'][index]
  if (!isObject(message) || typeof message['role'] !== 'string') return undefined
  const schema = CHAT_MESSAGE_SCHEMAS.get(message['role'])
  if (schema === undefined) {
    return [
      {
        location: ['body', 'messages', index, 'role'],
        keyword: 'enum',
        message: 'must be equal to one of the allowed values',
        params: { allowedValues: [...CHAT_MESSAGE_SCHEMAS.keys()] },
        value: message['role'],
        schemaPath: '#/properties/role/enum',
      },
    ]
  }
  const own = check(schema, message, ['messages', index])
  return own.length > 0 ? own : undefined
}

function openAiMessage(v: Violation, sameSpot: readonly Violation[]): { message: string; code: string | null } {
  const param = paramOf(v.location)
  switch (v.keyword) {
    case 'required':
      return { message: `Missing required parameter: '${param}'.`, code: 'missing_required_parameter' }
    case 'type': {
      const expected = [...new Set(sameSpot.filter((s) => s.keyword === 'type').flatMap((s) => [s.params['type']].flat()))]
        .map((t) => (Object.hasOwn(A_TYPE, String(t)) ? A_TYPE[String(t)]! : String(t)))
        .join(' or ')
      const oneOf = sameSpot.filter((s) => s.keyword === 'type').length > 1 ? 'one of ' : ''
      return {
        message: `Invalid type for '${param}': expected ${oneOf}${expected}, but got ${typeOfValue(v.value)} instead.`,
        code: 'invalid_type',
      }
    }
    case 'enum':
    case 'const': {
      const allowed = [
        ...new Set(sameSpot.flatMap((s) => (s.keyword === 'enum' ? (s.params['allowedValues'] as unknown[]) : [s.params['allowedValue']]))),
      ]
      return { message: `Invalid value: '${valueText(v.value)}'. Supported values are: ${listed(allowed)}.`, code: 'invalid_value' }
    }
    case 'maximum':
    case 'exclusiveMaximum':
      return {
        message: `Invalid '${param}': ${Number.isInteger(v.value) ? 'integer' : 'decimal'} above maximum value. Expected a value <= ${String(v.params['limit'])}, but got ${String(v.value)} instead.`,
        code: Number.isInteger(v.value) ? 'integer_above_max_value' : 'decimal_above_max_value',
      }
    case 'minimum':
    case 'exclusiveMinimum':
      return {
        message: `Invalid '${param}': ${Number.isInteger(v.value) ? 'integer' : 'decimal'} below minimum value. Expected a value >= ${String(v.params['limit'])}, but got ${String(v.value)} instead.`,
        code: Number.isInteger(v.value) ? 'integer_below_min_value' : 'decimal_below_min_value',
      }
    case 'minItems':
      return {
        message: `Invalid '${param}': empty array. Expected an array with minimum length ${String(v.params['limit'])}, but got an empty array instead.`,
        code: 'empty_array',
      }
    case 'additionalProperties':
      return { message: `Unrecognized request argument supplied: ${String(v.location.at(-1))}`, code: null }
    default:
      return { message: `Invalid '${param}': ${v.message}.`, code: 'invalid_value' }
  }
}

/** OpenAI's 400 for a body that breaks its schema (`model` missing first, as OpenAI checks it first). */
function openAiInvalidBody(api: CompletionApi, body: unknown, violations: readonly Violation[]): OpenAiErrorBody {
  if (!isObject(body) || violations.some((v) => v.keyword === 'required' && v.location.length === 2 && v.location[1] === 'model')) {
    return openAiError('you must provide a model parameter', null, null)
  }
  const picked = (api === 'chat' ? chatMessageViolations(body, violations) : undefined) ?? violations
  const candidates = leaves(picked)
  const first = candidates[0] ?? picked[0] ?? violations[0]
  if (first === undefined) return openAiError('Invalid request body.', null, null)
  const spot = paramOf(first.location)
  const { message, code } = openAiMessage(
    first,
    candidates.filter((v) => paramOf(v.location) === spot),
  )
  return openAiError(message, first.keyword === 'additionalProperties' ? null : spot, code)
}

function anthropicProblem(v: Violation, sameSpot: readonly Violation[]): string {
  switch (v.keyword) {
    case 'required':
      return 'Field required'
    case 'type':
      return `Input should be a valid ${String([v.params['type']].flat()[0])}`
    case 'enum':
    case 'const': {
      const allowed = [
        ...new Set(sameSpot.flatMap((s) => (s.keyword === 'enum' ? (s.params['allowedValues'] as unknown[]) : [s.params['allowedValue']]))),
      ]
      return `Input should be ${allowed.map((a) => `'${String(a)}'`).join(' or ')}`
    }
    case 'minimum':
      return `Input should be greater than or equal to ${String(v.params['limit'])}`
    case 'minItems':
      return `List should have at least ${String(v.params['limit'])} item after validation, not 0`
    case 'additionalProperties':
      return 'Extra inputs are not permitted'
    default:
      return v.message
  }
}

/** Anthropic's 400 for a body that breaks its schema: `<dotted.path>: <problem>` [I: pydantic-style wording]. */
function anthropicInvalidBody(body: unknown, violations: readonly Violation[]): AnthropicErrorBody {
  if (!isObject(body)) return anthropicError('invalid_request_error', 'Request body must be a JSON object')
  const candidates = leaves(violations)
  const first = candidates[0] ?? violations[0]
  if (first === undefined) return anthropicError('invalid_request_error', 'Invalid request body')
  const path = first.location.slice(1).map(String).join('.')
  const spot = first.location.join('/')
  return anthropicError(
    'invalid_request_error',
    `${path}: ${anthropicProblem(
      first,
      candidates.filter((v) => v.location.join('/') === spot),
    )}`,
  )
}

export function openAiError(message: string, param: string | null, code: string | null): OpenAiErrorBody {
  return { error: { message, type: 'invalid_request_error', param, code } }
}

export function anthropicError(type: AnthropicErrorType, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type, message } }
}

/** The provider's 400 for the body, or null when the body is one it accepts. */
export function invalidBodyError(api: CompletionApi, body: unknown): ProviderError | null {
  const violations = body === undefined ? [] : check(REQUEST_SCHEMAS[api], body, [])
  if (body !== undefined && violations.length === 0) return null
  return { status: 400, body: api === 'messages' ? anthropicInvalidBody(body, violations) : openAiInvalidBody(api, body, violations) }
}

/** The gateway's own check of a chat body (zod, first issue): `<path>: <problem>` for its 400 [I: wording]. */
export function aiGatewayBodyProblem(body: unknown): string | null {
  const violations = leaves(check(REQUEST_SCHEMAS.chat, body, []))
  const first = chatMessageViolations(body, violations)?.[0] ?? violations[0]
  if (first === undefined) return null
  const path = first.location.slice(1).map(String).join('.') || 'request'
  const problem = first.keyword === 'required' ? 'Required' : first.keyword === 'enum' ? 'Invalid enum value' : first.message
  return `${path}: ${problem}`
}

const OPENAI_NO_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys."

/**
 * The provider's refusal of the call's own credentials and version headers, or null. The key itself is
 * free-form (the emulator knows no provider keys); only its absence is refused, as the provider refuses it.
 */
export function providerAuthError(api: CompletionApi, headers: Record<string, unknown>): ProviderError | null {
  const present = (name: string) => typeof headers[name] === 'string' && headers[name] !== ''
  if (api === 'messages') {
    if (!present('x-api-key') && !present('authorization'))
      return { status: 401, body: anthropicError('authentication_error', 'x-api-key header is required') }
    if (!present('anthropic-version'))
      return { status: 400, body: anthropicError('invalid_request_error', 'anthropic-version: header is required') }
    return null
  }
  return present('authorization') ? null : { status: 401, body: openAiError(OPENAI_NO_KEY, null, null) }
}

/** The provider's 404 for a path it does not serve. */
export function providerNotFound(api: 'openai' | 'anthropic', method: string, path: string): OpenAiErrorBody | AnthropicErrorBody {
  return api === 'anthropic' ? anthropicError('not_found_error', 'Not Found') : openAiError(`Invalid URL (${method} ${path})`, null, null)
}

/** The provider's 400 for a body that is not JSON. */
export function malformedBodyError(api: CompletionApi): ProviderError {
  if (api === 'messages')
    return {
      status: 400,
      body: anthropicError('invalid_request_error', 'There was an error parsing the body of your request: invalid JSON'),
    }
  return {
    status: 400,
    body: openAiError(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
      null,
      null,
    ),
  }
}
