// The recording format (a fixture document with `recordings`) and its check against the vendors' specs.
import type { components } from '../generated/emulator.ts'
import { checkFixtureDocument, jsonPath, type FixtureDocument, type FixtureProblem } from '../fixtures/fixture-document.ts'
import { operationTable } from '../openapi/operations.ts'
import type { Violation } from '../openapi/violations.ts'
import { isVendorName } from '../vendors/vendor-name.ts'

/** One recorded request and its answer (`specs/emulator.yaml#/components/schemas/RecordedInteraction`). */
export type RecordedInteraction = components['schemas']['RecordedInteraction']
export type RecordedMethod = RecordedInteraction['method']

/** A fixture document that carries recordings (what `record` writes and `replay` reads). */
export type RecordingDocument = FixtureDocument & { recordings?: RecordedInteraction[] }

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
  const table = operationTable(interaction.vendor)
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
