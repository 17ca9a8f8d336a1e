import type { ErrorObject } from 'ajv'
import { MAX_AJV_ERRORS } from './create-ajv.ts'
import { instancePathTokens } from './json-pointer.ts'

export type RequestPart = 'path' | 'query' | 'header' | 'body'

/**
 * One failed check of a request or response against the spec, in a form each vendor can turn into its
 * own error body. `location` starts with the request part and, for `required`/`additionalProperties`,
 * ends with the offending property (Prism `convertAjvErrors` does the same).
 */
export type Violation = {
  location: (string | number)[]
  keyword: string
  message: string
  params: Record<string, unknown>
  /** The value at `location` (absent for a missing property). */
  value?: unknown
  schemaPath: string
}

/** The most violations one request is reported with (ajv stops collecting at about this many, see create-ajv.ts). */
export const MAX_VIOLATIONS = MAX_AJV_ERRORS

/** The first `limit` (MAX_VIOLATIONS) of ajv's errors as violations. */
export function toViolations(
  part: RequestPart | 'response',
  errors: readonly ErrorObject[] | null | undefined,
  data: unknown,
  limit = MAX_VIOLATIONS,
): Violation[] {
  return (errors ?? []).slice(0, Math.max(0, limit)).map((error) => {
    const tokens = instancePathTokens(error.instancePath)
    const params = error.params as Record<string, unknown>
    const extra =
      error.keyword === 'required'
        ? params['missingProperty']
        : error.keyword === 'additionalProperties'
          ? params['additionalProperty']
          : undefined
    const location: (string | number)[] = [part, ...tokens]
    let value = valueAt(data, tokens)
    if (typeof extra === 'string') {
      location.push(extra)
      value = error.keyword === 'required' ? undefined : valueAt(value, [extra])
    }
    const violation: Violation = {
      location,
      keyword: error.keyword,
      message: error.message ?? error.keyword,
      params,
      schemaPath: error.schemaPath,
    }
    if (value !== undefined) violation.value = value
    return violation
  })
}

function valueAt(data: unknown, tokens: readonly (string | number)[]): unknown {
  let node = data
  for (const token of tokens) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string | number, unknown>)[token]
  }
  return node
}

/** `body.scores.x` / `query.size`: a short human path for messages and logs. */
export function formatLocation(location: readonly (string | number)[]): string {
  return location.map((t, i) => (typeof t === 'number' ? `[${t}]` : i === 0 ? t : `.${t}`)).join('')
}
