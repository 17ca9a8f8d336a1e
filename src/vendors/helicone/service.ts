// A tenant's Helicone organization in the store: its requests, the scores posted to them (visible at once, or
// after `--helicone-score-delay-ms`), and the reads the endpoints need. Writes commit one operation each
// (see mutations.ts). Never touches req/res.
import { randomUUID } from 'node:crypto'
import type { Store } from '../../store/store.ts'
import { findTenant } from '../../store/tenant-state.ts'
import { stableUuid } from '../../util/stable-uuid.ts'
import type { Grant, VendorOptions } from '../vendor.ts'
import { INVALID_REQUEST_ID, resultError, UncaughtServerError } from './errors.ts'
import type { FilterRow } from './filters.ts'
import { processDueScores, scoredRequest } from './mutations.ts'
import { requestsInWindow } from './request-times.ts'
import { rowOf } from './row-view.ts'
import { BOOL_SUFFIX, FEEDBACK_KEY, isRfcUuid, isUuidV1to5OrNil, withDefaults } from './records.ts'
import type { HeliconeRequestRecord, HeliconeState } from './types.ts'

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
  #store: Store
  #options: VendorOptions

  constructor(store: Store, options: VendorOptions) {
    this.#store = store
    this.#options = options
  }

  #find(grant: Grant): HeliconeState | undefined {
    const state = findTenant(this.#store.data, 'helicone', grant.tenant)
    if (state !== undefined) processDueScores(state, this.#options.now().getTime())
    return state
  }

  async #post(grant: Grant, requestId: string, scores: Record<string, number>): Promise<void> {
    const now = this.#options.now()
    const visibleAt = new Date(now.getTime() + this.#options.heliconeScoreDelayMs)
    // A score visible at once that lands on no request changes nothing: store nothing (not even the tenant).
    if (visibleAt.getTime() <= now.getTime()) {
      const state = this.#find(grant)
      const lands = isUuidV1to5OrNil(requestId) && state !== undefined && scoredRequest(state, requestId, visibleAt.getTime()) !== undefined
      if (!lands) return
    }
    await this.#store.commit({
      type: 'helicone.score.post',
      tenant: grant.tenant,
      organizationId: defaultOrganizationId(grant),
      score: { request_id: requestId, scores, posted_at: now.toISOString(), visible_at: visibleAt.toISOString() },
    })
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
    await this.#store.commit({
      type: 'helicone.request.log',
      tenant: grant.tenant,
      organizationId: defaultOrganizationId(grant),
      at: this.#options.now().toISOString(),
      record,
    })
    return record
  }

  /**
   * The tenant's requests (latest version of each, scores as visible now), with the organization, in the
   * order they were stored (callers that need an order sort: ClickHouse promises none either); with a
   * window, only those created within it.
   */
  rows(grant: Grant, window?: { startMs: number; endMs: number }): FilterRow[] {
    const state = this.#find(grant)
    const organizationId = state?.organizationId ?? defaultOrganizationId(grant)
    const requests =
      state === undefined ? [] : window === undefined ? state.requests : requestsInWindow(state.requests, window.startMs, window.endMs)
    // A view per record that adds the organization without copying the record's ~30 fields (a spread of
    // every record was most of a dashboard query's time); reads go through to the stored record.
    return requests.map((r) => rowOf(r, organizationId))
  }

  /** The tenant's stored state, which the proxy's response cache hangs off (undefined before its first row). */
  cacheScope(grant: Grant): object | undefined {
    return findTenant(this.#store.data, 'helicone', grant.tenant)
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
