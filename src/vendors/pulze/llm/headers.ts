// The `Pulze-*` request headers of the completion routes and what they leave on a log: the labels
// ("saved as a lowercased Dict[str, str]", other value types "stringified using Python's str()": Pulze's
// docs, features/custom-headers/labels), `weights_*` and `policies_*` merged into them when labels are sent
// (…/weights, …/policies), and the privacy level. Pure; the headers were validated (specs/pulze.yaml) first.
import { loadSpec } from '../../../openapi/load-specs.ts'
import { parseJsonText, PyFloat, pythonStr, type PyJson } from '../pydantic/json-value.ts'

/** The header names as Node hands them over. */
export const PULZE_HEADERS = {
  labels: 'pulze-labels',
  weights: 'pulze-weights',
  policies: 'pulze-policies',
  featureFlags: 'pulze-feature-flags',
} as const

export type PrivacyLevel = 1 | 2 | 3

export type PulzeRequestHeaders = {
  /** The labels as Pulze stores them, with `weights_*`/`policies_*` merged in; null without `Pulze-Labels`. */
  labels: Record<string, string> | null
  /** The `Pulze-Weights` keys that were sent, as pydantic parsed them (floats); null when not sent. */
  weights: Record<string, number> | null
  /** The `Pulze-Policies` keys that were sent, as parsed; null when not sent. */
  policies: Record<string, unknown> | null
  privacyLevel: PrivacyLevel
}

const record = <T>(): Record<string, T> => Object.create(null) as Record<string, T>

/** The object a JSON header holds, keys in order, numbers still Python ints or floats; null when not sent. */
function sentObject(text: unknown): Map<string, PyJson> | null {
  if (typeof text !== 'string') return null
  const parsed = parseJsonText(text)
  return 'value' in parsed && parsed.value instanceof Map ? parsed.value : null
}

/** The fields of a parsed header model (in the model's order) whose keys the client sent. */
function sentFields(model: unknown, sent: Map<string, PyJson> | null): Record<string, unknown> | null {
  if (sent === null || model === null || typeof model !== 'object') return null
  const fields = record<unknown>()
  for (const [key, value] of Object.entries(model)) if (sent.has(key)) fields[key] = value
  return fields
}

/** The fields of a header model (specs/pulze.yaml) that pydantic parses as `float` (`str(0.0)` is "0.0"). */
function floatFields(schema: 'LLMModelWeights' | 'LLMModelPolicies'): ReadonlySet<string> {
  const properties = (loadSpec('pulze').components?.['schemas']?.[schema] as { properties?: Record<string, { type?: unknown }> }).properties
  return new Set(Object.entries(properties ?? {}).flatMap(([name, property]) => (property.type === 'number' ? [name] : [])))
}
let floats: { weights: ReadonlySet<string>; policies: ReadonlySet<string> } | undefined

/** `str(value).lower()` for a value pydantic parsed from a weights or policies model (floats stay floats). */
function labelValue(value: unknown, float: boolean): string {
  if (typeof value === 'number') return (float ? pythonStr(new PyFloat(value)) : String(value)).toLowerCase()
  if (value === null || value === undefined) return 'none'
  return String(value).toLowerCase()
}

/**
 * What the `Pulze-*` headers of a completion request mean for its log. `raw` are the request's headers as
 * sent; `parsed` the same after validation (`Pulze-Weights`/`Pulze-Policies` as their pydantic models).
 */
export function readPulzeHeaders(raw: Record<string, unknown>, parsed: Record<string, unknown>): PulzeRequestHeaders {
  const weights = sentFields(parsed[PULZE_HEADERS.weights], sentObject(raw[PULZE_HEADERS.weights])) as Record<string, number> | null
  const policies = sentFields(parsed[PULZE_HEADERS.policies], sentObject(raw[PULZE_HEADERS.policies]))
  const level = policies?.['privacy_level']
  const privacyLevel: PrivacyLevel = level === 2 || level === 3 ? level : 1

  const sentLabels = sentObject(raw[PULZE_HEADERS.labels])
  floats ??= { weights: floatFields('LLMModelWeights'), policies: floatFields('LLMModelPolicies') }
  let labels: Record<string, string> | null = null
  if (sentLabels !== null) {
    labels = record<string>()
    for (const [key, value] of sentLabels) labels[key.toLowerCase()] = pythonStr(value).toLowerCase()
    // An explicit `weights_*`/`policies_*` label wins over the header's value.
    for (const [key, value] of Object.entries(weights ?? {})) labels[`weights_${key}`] ??= labelValue(value, floats.weights.has(key))
    for (const [key, value] of Object.entries(policies ?? {})) {
      // "privacy_level isn't stored at all".
      if (key !== 'privacy_level') labels[`policies_${key}`] ??= labelValue(value, floats.policies.has(key))
    }
  }
  return { labels, weights, policies, privacyLevel }
}
