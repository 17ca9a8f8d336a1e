// A tenant's Helicone organization in the store: its requests, the scores posted to them (visible at once, or
// after `--helicone-score-delay-ms`), and the reads the endpoints need. Never touches req/res.
import { randomUUID } from 'node:crypto'
import type { Low } from 'lowdb'
import type { Data } from '../../store/data.ts'
import { ensureTenant, findTenant } from '../../store/tenant-state.ts'
import { stableUuid } from '../../util/stable-uuid.ts'
import type { Grant, VendorOptions } from '../vendor.ts'
import { INVALID_REQUEST_ID, resultError, UncaughtServerError } from './errors.ts'
import type { FilterRow } from './filters.ts'
import { BOOL_SUFFIX, FEEDBACK_KEY, isRfcUuid, isUuidV1to5OrNil, withDefaults } from './records.ts'
import type { HeliconeRequestRecord, HeliconeState } from './types.ts'

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000

/** The organization id of a tenant that has no state yet: the key entry's, else a stable one. */
export function defaultOrganizationId(grant: Pick<Grant, 'tenant' | 'info'>): string {
  const fromKey = grant.info['organizationId']
  return typeof fromKey === 'string' ? fromKey : stableUuid(`helicone:${grant.tenant}`)
}

export function emptyHeliconeState(grant: Pick<Grant, 'tenant' | 'info'>): HeliconeState {
  return { organizationId: defaultOrganizationId(grant), requests: [], pendingScores: [] }
}

/**
 * jawn's `mapScores`: booleans become 0/1 under `<name>-hcone-bool`, integers stay, anything else is the
 * uncaught error the real server answers with its global 500.
 */
export function mapScores(scores: Record<string, unknown>): Record<string, number> {
  // Null prototype: a score named `__proto__` is stored like any other.
  const out = Object.create(null) as Record<string, number>
  for (const [key, value] of Object.entries(scores)) {
    if (typeof value === 'boolean') out[`${key}${BOOL_SUFFIX}`] = value ? 1 : 0
    else if (typeof value === 'number' && Number.isInteger(value)) out[key] = value
    else if (typeof value === 'number') throw new UncaughtServerError(`Score value for key '${key}' must be an integer. Received: ${value}`)
    else if (value !== undefined) throw new UncaughtServerError(`Invalid score value for key '${key}'`)
  }
  return out
}

export class HeliconeService {
  #db: Low<Data>
  #options: VendorOptions

  constructor(db: Low<Data>, options: VendorOptions) {
    this.#db = db
    this.#options = options
  }

  #find(grant: Grant): HeliconeState | undefined {
    const state = findTenant<HeliconeState>(this.#db, 'helicone', grant.tenant)
    if (state !== undefined) this.#process(state, this.#options.now().getTime())
    return state
  }

  #ensure(grant: Grant): HeliconeState {
    const state = ensureTenant<HeliconeState>(this.#db, 'helicone', grant.tenant, () => emptyHeliconeState(grant))
    this.#process(state, this.#options.now().getTime())
    return state
  }

  /**
   * Applies every posted score whose time has come, in posting order, as jawn's score processor does:
   * ids that are not UUIDs are dropped, and so are scores for requests unknown or older than 30 days at
   * processing time; the rest merge into the request's scores (same key overwritten).
   */
  #process(state: HeliconeState, nowMs: number): void {
    if (state.pendingScores.length === 0) return
    const due = state.pendingScores.filter((p) => new Date(p.visible_at).getTime() <= nowMs)
    if (due.length === 0) return
    state.pendingScores = state.pendingScores.filter((p) => new Date(p.visible_at).getTime() > nowMs)
    for (const pending of due) {
      const request = this.#target(state, pending.request_id, new Date(pending.visible_at).getTime())
      if (request !== undefined) request.scores = { ...request.scores, ...pending.scores }
    }
  }

  /** The request a score posted now would reach when processed at `processedAt`, if any (jawn's score processor rules). */
  #target(state: HeliconeState, requestId: string, processedAt: number): HeliconeRequestRecord | undefined {
    if (!isUuidV1to5OrNil(requestId)) return undefined
    const id = requestId.toLowerCase()
    return state.requests.find(
      (r) => r.request_id.toLowerCase() === id && new Date(r.request_created_at).getTime() > processedAt - THIRTY_DAYS_MS,
    )
  }

  async #post(grant: Grant, requestId: string, scores: Record<string, number>): Promise<void> {
    if (this.#options.heliconeScoreDelayMs === 0) {
      // Processed at once: a score that reaches no request is dropped now, and nothing (no tenant, no
      // pending entry, no store write) is left behind by it.
      const existing = this.#find(grant)
      if (existing === undefined || this.#target(existing, requestId, this.#options.now().getTime()) === undefined) return
    }
    const state = this.#ensure(grant)
    const now = this.#options.now()
    const visibleAt = new Date(now.getTime() + this.#options.heliconeScoreDelayMs)
    state.pendingScores.push({ request_id: requestId, scores, posted_at: now.toISOString(), visible_at: visibleAt.toISOString() })
    this.#process(state, now.getTime())
    await this.#db.write()
  }

  /** `POST /v1/request/{id}/score`: always accepted (201) unless a value is not an integer or boolean. */
  async addScores(grant: Grant, requestId: string, scores: Record<string, unknown>): Promise<void> {
    const mapped = mapScores(scores)
    if (Object.keys(mapped).length === 0) return
    await this.#post(grant, requestId, mapped)
  }

  /** `POST /v1/request/{id}/feedback`: the score `helicone-score-feedback` = 1/0. */
  async addFeedback(grant: Grant, requestId: string, rating: boolean): Promise<void> {
    if (!isRfcUuid(requestId)) throw resultError(500, INVALID_REQUEST_ID)
    await this.#post(grant, requestId, { [FEEDBACK_KEY]: rating ? 1 : 0 })
  }

  /** Stores a logged request (a second log of the same id replaces it, keeping its scores). */
  async logRequest(grant: Grant, record: HeliconeRequestRecord): Promise<HeliconeRequestRecord> {
    const state = this.#ensure(grant)
    const id = record.request_id.toLowerCase()
    const index = state.requests.findIndex((r) => r.request_id.toLowerCase() === id)
    if (index === -1) {
      state.requests.push(record)
    } else {
      const previous = state.requests[index] as HeliconeRequestRecord
      state.requests[index] = { ...record, scores: { ...previous.scores, ...record.scores } }
    }
    await this.#db.write()
    return record
  }

  /**
   * The tenant's requests (latest version of each, scores as visible now), with the organization, in the
   * order they were stored (callers that need an order sort: ClickHouse promises none either).
   */
  rows(grant: Grant): FilterRow[] {
    const state = this.#find(grant)
    const organizationId = state?.organizationId ?? defaultOrganizationId(grant)
    // A view per record that adds the organization without copying the record's ~30 fields (a spread of
    // every record was most of a dashboard query's time); reads go through to the stored record.
    return (state?.requests ?? []).map(
      (r) => Object.create(r, { organization_id: { value: organizationId, enumerable: true } }) as FilterRow,
    )
  }

  /** The distinct score keys visible now, sorted. */
  scoreKeys(grant: Grant): string[] {
    const keys = new Set<string>()
    for (const r of this.#find(grant)?.requests ?? []) for (const k of Object.keys(r.scores)) keys.add(k)
    return [...keys].sort()
  }
}

/** A request record for a new log, from the parts the logging route read. */
export function newRecord(fields: Partial<HeliconeRequestRecord> & { request_created_at: string }): HeliconeRequestRecord {
  return withDefaults({ ...fields, request_id: fields.request_id ?? randomUUID() })
}
