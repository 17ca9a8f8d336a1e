// One request to a vendor route and its answer, as the pipeline hands it to its observers (the journal and
// coverage) once the request is over. Built cheaply while the request runs: references to what the pipeline
// already has, and strings (the body as sent, the bytes answered), so nothing stored can change it later.
import type { IncomingHttpHeaders } from 'node:http'
import type { Operation } from '../openapi/operations.ts'
import { formatLocation, type Violation } from '../openapi/violations.ts'

/** The most of a body (request or answer) an exchange keeps; a larger one is noted by its size only. */
export const MAX_EXCHANGE_BODY_CHARS = 1024 * 1024

/** A body as sent: JSON text (re-serialised from what was parsed), other text, or only its size. */
export type BodySnapshot = { kind: 'json'; text: string } | { kind: 'text'; text: string } | { kind: 'omitted'; chars: number }

/** A spec violation, as the journal shows it. */
export type ExchangeViolation = { location: string; message: string }

export type ExchangeFault = { id: string; kind: 'status' | 'reset' | 'timeout' | 'delay' }

export type Exchange = {
  /** Arrival, epoch ms (wall clock). */
  startedAt: number
  durationMs: number
  vendor: string
  operation: Operation | null
  method: string
  /** The full path as sent, without the query. */
  path: string
  query: Record<string, unknown>
  requestHeaders: IncomingHttpHeaders
  /** The key as the vendor reads it (the journal keeps only its hash). */
  apiKey: string | null
  requestBody: BodySnapshot | undefined
  requestViolations: ExchangeViolation[]
  /** null: nothing was answered. */
  status: number | null
  responseHeaders: Record<string, string>
  responseText: string | undefined
  /** Set (to its size) when the answer was over MAX_EXCHANGE_BODY_CHARS: its text is not kept, nor checked. */
  responseOmittedChars?: number
  /** null: not checked while answering (non-strict): whoever needs them checks the text sent, read-only. */
  responseViolations: ExchangeViolation[] | null
  fault?: ExchangeFault
  /** What happened to the connection when nothing (or not all) was answered. */
  error?: string
}

export type ExchangeObserver = (exchange: Exchange) => void

/** The observer the vendor routes and replay share: coverage counts every answer, the journal (if on) keeps it. */
export function createObserver(
  journal: { record: ExchangeObserver } | null,
  coverage: { record: ExchangeObserver },
  /** Told once a request is journaled (the dashboard's live updates). */
  feed?: { requestRecorded(): void },
): ExchangeObserver {
  if (journal === null) return (exchange) => coverage.record(exchange)
  return (exchange) => {
    coverage.record(exchange)
    journal.record(exchange)
    feed?.requestRecorded()
  }
}

/**
 * Violations as the journal shows them. A failed `oneOf`/`anyOf` makes ajv report every branch; the summary
 * entries, and a root type mismatch beside deeper faults (the branch that does not apply), are left out.
 */
export function toExchangeViolations(violations: readonly Violation[]): ExchangeViolation[] {
  let kept = violations.filter((v) => v.keyword !== 'oneOf' && v.keyword !== 'anyOf' && v.keyword !== 'if')
  const isRootType = (v: Violation) => v.keyword === 'type' && v.location.length === 1
  if (kept.some((v) => !isRootType(v))) kept = kept.filter((v) => !isRootType(v))
  if (kept.length === 0) kept = [...violations]
  return kept.map((v) => ({ location: formatLocation(v.location), message: v.message }))
}

/** A body kept as text, or only its size when over MAX_EXCHANGE_BODY_CHARS. */
export function snapshotText(kind: 'json' | 'text', text: string): BodySnapshot {
  return text.length > MAX_EXCHANGE_BODY_CHARS ? { kind: 'omitted', chars: text.length } : { kind, text }
}
