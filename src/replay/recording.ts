import type { components } from '../generated/emulator.ts'
import { checkFixtureDocument, jsonPath, type FixtureDocument, type FixtureProblem } from '../fixtures/fixture-document.ts'
import { operationTable, type OperationTable } from '../openapi/operations.ts'
import type { Violation } from '../openapi/violations.ts'
import { VENDORS } from '../vendors/index.ts'
import { isVendorName, type VendorName } from '../vendors/vendor-name.ts'

/** One recorded request and its answer (`specs/emulator.yaml#/components/schemas/RecordedInteraction`). */
export type RecordedInteraction = components['schemas']['RecordedInteraction']
export type RecordedMethod = RecordedInteraction['method']

/** A fixture document that carries recordings (what `record` writes and `replay` reads). */
export type RecordingDocument = FixtureDocument & { recordings?: RecordedInteraction[] }

/** The vendor's compiled operations (the same tables the app uses), with the vendor's own body coercion. */
export function vendorOperations(vendor: VendorName): OperationTable {
  return operationTable(vendor, VENDORS.find((v) => v.name === vendor)?.compile ?? {})
}

/**
 * Checks a whole document: its shape against `FixtureDocument`, then every recording against its vendor's
 * spec: the request against the operation it calls, the response against the status it declares.
 * Paths are JSON paths into the document (`$.recordings[3].requestBody.value`).
 */
export function checkRecordingDocument(doc: unknown): FixtureProblem[] {
  const problems = checkFixtureDocument(doc)
  if (problems.length > 0) return problems
  const recordings = (doc as RecordingDocument).recordings ?? []
  recordings.forEach((interaction, index) => problems.push(...checkInteraction(interaction, index)))
  return problems
}

/** The spec problems of one recorded interaction (already known to have the RecordedInteraction shape). */
export function checkInteraction(interaction: RecordedInteraction, index: number): FixtureProblem[] {
  const at = ['recordings', index] as (string | number)[]
  if (!isVendorName(interaction.vendor))
    return [{ path: jsonPath([...at, 'vendor']), message: `unknown vendor "${String(interaction.vendor)}"` }]
  const table = vendorOperations(interaction.vendor)
  const match = table.match(interaction.method, interaction.path)
  if (match.operation === null) {
    const message =
      match.allowed.length > 0
        ? `${interaction.method} is not an operation of ${interaction.path} in specs/${interaction.vendor}.yaml (it has ${match.allowed.map((m) => m.toUpperCase()).join(', ')})`
        : `no operation of specs/${interaction.vendor}.yaml has the path ${interaction.path}`
    return [{ path: jsonPath([...at, 'path']), message }]
  }
  const operation = match.operation
  const context = `(${operation.operationId}: ${interaction.method} ${operation.path} → ${interaction.status})`
  const problems: FixtureProblem[] = []
  // Validation coerces and fills defaults in place: check copies, never the recording itself.
  // A request the spec rejects is a fault only if the vendor accepted it: recording the vendor's answer
  // to a bad request (a 4xx) is how its error bodies are captured.
  const requestViolations = operation
    .validateRequest({
      path: { ...match.pathParams },
      query: structuredClone(interaction.query ?? {}),
      headers: {},
      body: structuredClone(interaction.requestBody),
    })
    // Recordings never hold headers (auth is scrubbed), so header parameters can't be checked.
    .filter((v) => v.location[0] !== 'header')
    .filter(() => interaction.status < 400)
  for (const v of requestViolations)
    problems.push({ path: jsonPath([...at, ...recordingLocation(v)]), message: `${describe(v)} ${context}` })
  for (const v of operation.validateResponse(interaction.status, structuredClone(interaction.responseBody))) {
    problems.push({ path: jsonPath([...at, ...recordingLocation(v)]), message: `${describe(v)} ${context}` })
  }
  return problems
}

/** Where in a recording a request/response violation points. */
function recordingLocation(v: Violation): (string | number)[] {
  const [part, ...rest] = v.location
  switch (part) {
    case 'path':
      return ['path']
    case 'query':
      return ['query', ...rest]
    case 'body':
      return ['requestBody', ...rest]
    case 'response':
      return v.keyword === 'status' ? ['status'] : ['responseBody', ...rest]
    default:
      return []
  }
}

function describe(v: Violation): string {
  if (v.location[0] === 'path') return `path parameter ${v.location.slice(1).join('.')} ${v.message}`
  if (v.keyword === 'required' && v.location.length > 1) return 'is required'
  if (v.keyword === 'additionalProperties') return `unknown property (${v.message})`
  return v.message
}

/** A JSON text of a value with object keys sorted, so deep-equal values have equal keys. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '<none>'
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key])
    return out
  }
  return value
}

/** Query parameters as matched: names sorted, every value a list of strings, empty query = none. */
export function normalizeQuery(query: Record<string, unknown> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const name of Object.keys(query ?? {}).sort()) {
    const value = query?.[name]
    if (value === undefined) continue
    out[name] = (Array.isArray(value) ? value : [value]).map(String)
  }
  return out
}

/** A path as matched: percent-decoded, without a trailing slash. */
export function normalizePath(path: string): string {
  let decoded = path
  try {
    decoded = decodeURI(path)
  } catch {
    // keep it as it is
  }
  return decoded.length > 1 ? decoded.replace(/\/+$/, '') : decoded
}

/** The first place two JSON values differ, as a JSON path and both values, or null when deep-equal. */
export function firstDifference(
  recorded: unknown,
  actual: unknown,
  tokens: (string | number)[] = [],
): { path: string; recorded: unknown; actual: unknown } | null {
  if (canonicalJson(recorded) === canonicalJson(actual)) return null
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(recorded.length, actual.length); i++) {
      const d = firstDifference(recorded[i], actual[i], [...tokens, i])
      if (d !== null) return d
    }
  } else if (isPlainObject(recorded) && isPlainObject(actual)) {
    for (const key of [...new Set([...Object.keys(recorded), ...Object.keys(actual)])].sort()) {
      const d = firstDifference(recorded[key], actual[key], [...tokens, key])
      if (d !== null) return d
    }
  }
  return { path: jsonPath(tokens), recorded, actual }
}

/** How many leaves differ between two JSON values (0 when deep-equal): picks the closest recording. */
export function countDifferences(a: unknown, b: unknown): number {
  if (canonicalJson(a) === canonicalJson(b)) return 0
  if (Array.isArray(a) && Array.isArray(b)) {
    let n = 0
    for (let i = 0; i < Math.max(a.length, b.length); i++) n += countDifferences(a[i], b[i])
    return n
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    let n = 0
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) n += countDifferences(a[key], b[key])
    return n
  }
  return 1
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
