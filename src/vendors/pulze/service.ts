// One app's logs in the store: find, rate, search. Never touches req/res.
import type { Low } from 'lowdb'
import { findTenant } from '../../store/tenant-state.ts'
import type { Data } from '../../store/data.ts'
import type { Grant } from '../vendor.ts'
import { HttpError } from '../../http/http-error.ts'
import { LOG_NOT_FOUND } from './errors.ts'
import { isVisible, relationsOf, searchLogs, toLogObject } from './logs.ts'
import type { LogFilter, Rating } from './models.ts'
import type { LogPage, LogRequest, PulzeState, StoredLog } from './types.ts'

export class PulzeService {
  #db: Low<Data>

  constructor(db: Low<Data>) {
    this.#db = db
  }

  #logs(grant: Grant): StoredLog[] {
    return findTenant<PulzeState>(this.#db, 'pulze', grant.tenant)?.logs ?? []
  }

  /** A visible log of the caller's app, or 404 (unknown, another app's, or privacy level 3). */
  #find(grant: Grant, logId: string): { log: StoredLog; logs: StoredLog[] } {
    const logs = this.#logs(grant)
    const log = logs.find((l) => l.id === logId)
    if (log === undefined || !isVisible(log)) throw HttpError.fromTemplate(LOG_NOT_FOUND)
    return { log, logs }
  }

  getLog(grant: Grant, logId: string): LogRequest {
    const { log, logs } = this.#find(grant, logId)
    return toLogObject(log, relationsOf(logs))
  }

  /** Overwrites both rating fields with what was sent (`{}` resets them) and answers the whole log. */
  async rateLog(grant: Grant, logId: string, rating: Rating): Promise<LogRequest> {
    const { log, logs } = this.#find(grant, logId)
    log.good_answer = rating.good_answer
    log.feedback = rating.feedback
    await this.#db.write()
    return toLogObject(log, relationsOf(logs))
  }

  searchLogs(grant: Grant, filter: LogFilter, page: number, size: number): LogPage {
    return searchLogs(this.#logs(grant), filter, page, size)
  }
}
