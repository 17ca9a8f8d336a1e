// One app's logs in the store: add, find, rate, search. Never touches req/res; a completion's log and a rating
// commit one operation each (see mutations.ts).
import type { Store } from '../../store/store.ts'
import { findTenant } from '../../store/tenant-state.ts'
import type { Grant } from '../vendor.ts'
import { HttpError } from '../../http/http-error.ts'
import { LOG_NOT_FOUND } from './errors.ts'
import { appIdOf } from './fixtures.ts'
import { isVisible, relationsOf, searchLogs, toLogObject } from './logs.ts'
import type { LogFilter, Rating } from './models.ts'
import { logsById, rated } from './mutations.ts'
import type { LogPage, LogRequest, PulzeState, StoredLog } from './types.ts'

export class PulzeService {
  #store: Store

  constructor(store: Store) {
    this.#store = store
  }

  #logs(grant: Grant): StoredLog[] {
    return findTenant(this.#store.data, 'pulze', grant.tenant)?.logs ?? []
  }

  /** The caller's app id: the one its logs have, else the key's. */
  appId(grant: Grant): string {
    return findTenant(this.#store.data, 'pulze', grant.tenant)?.appId ?? appIdOf(grant)
  }

  /** Stores a completion's log (durably: resolves once it is on disk). */
  async addLog(grant: Grant, log: StoredLog): Promise<void> {
    await this.#store.commit({ type: 'pulze.log.insert', tenant: grant.tenant, appId: log.app_id, log })
  }

  /** A visible log of the caller's app, or 404 (unknown, another app's, or privacy level 3). */
  #find(grant: Grant, logId: string): { log: StoredLog; logs: StoredLog[] } {
    const logs = this.#logs(grant)
    const log = logsById.find(logs, logId)?.record
    if (log === undefined || !isVisible(log)) throw HttpError.fromTemplate(LOG_NOT_FOUND)
    return { log, logs }
  }

  getLog(grant: Grant, logId: string): LogRequest {
    const { log, logs } = this.#find(grant, logId)
    return toLogObject(log, relationsOf(logs))
  }

  /** Overwrites both rating fields with what was sent (`{}` resets them) and answers the whole log. */
  async rateLog(grant: Grant, logId: string, rating: Rating): Promise<LogRequest> {
    const { log } = this.#find(grant, logId)
    const op = {
      type: 'pulze.log.rate',
      tenant: grant.tenant,
      id: log.id,
      good_answer: rating.good_answer,
      feedback: rating.feedback,
    } as const
    await this.#store.commit(op)
    // The answer is the log as this rating left it, with its relations as they are now.
    return toLogObject(rated(log, op), relationsOf(this.#logs(grant)))
  }

  searchLogs(grant: Grant, filter: LogFilter, page: number, size: number): LogPage {
    return searchLogs(this.#logs(grant), filter, page, size)
  }
}
