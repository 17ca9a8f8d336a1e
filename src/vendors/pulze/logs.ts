// Pure functions over stored logs: defaults, the log object (with privacy masking), filtering, sorting,
// pagination. No HTTP, no store.
import type { LogFilter, SortSpec } from './models.ts'
import { createDefaultsFiller } from '../../openapi/schema-defaults.ts'
import type { LogPayload, LogPage, LogRequest, PulzeEngineResponse, PulzeLogRecord, StoredLog } from './types.ts'

/** The log object's defaults (specs/pulze.yaml `LogRequest`): pydantic's defaults, `None` for `Optional` fields. */
const withLogDefaults = createDefaultsFiller<StoredLog>('pulze', '/components/schemas/LogRequest', { nullForOptional: true })

/** A fixture record with every omitted field set to the log object's default (ids lower-cased, as stored). */
export function normalizeLog(record: PulzeLogRecord, appId: string): StoredLog {
  const log = withLogDefaults({
    ...(record as unknown as Partial<StoredLog>),
    id: record.id.toLowerCase(),
    added_on: record.added_on ?? new Date(record.timestamp).toISOString(),
    app_id: record.app_id ?? appId,
    parent_id: record.parent_id === undefined || record.parent_id === null ? null : record.parent_id.toLowerCase(),
  })
  // Derived on every read (one level of parents and children), never stored.
  delete (log as Partial<LogRequest>).parent
  delete (log as Partial<LogRequest>).children
  return log
}

/** Level 3 logs are not retrievable, not listed, not rateable. */
export const isVisible = (log: StoredLog): boolean => log.privacy_level !== 3

/** What Pulze shows of a log's text at `privacy_level` 2: nothing. */
export function maskPayload(payload: Record<string, unknown> | null): LogPayload | null {
  if (payload === null) return null
  const masked: LogPayload = { ...(payload as LogPayload) }
  if (masked.messages !== undefined) masked.messages = masked.messages.map((m) => ({ ...m, content: null }))
  if (masked.prompt !== undefined) masked.prompt = null
  return masked
}

export function maskResponse(response: PulzeEngineResponse): PulzeEngineResponse {
  if (response.choices === undefined) return response
  return {
    ...response,
    choices: response.choices.map((choice) => {
      const masked = { ...choice }
      if (masked.message !== undefined) {
        // Tool calls are the model's answer too: their arguments go with the text.
        const { tool_calls: _calls, ...message } = masked.message
        masked.message = { ...message, content: null }
      }
      if (masked.text !== undefined) masked.text = null
      return masked
    }),
  }
}

/** The log object without `parent`/`children` filled in (they are null), masked for level 2. */
function flatLogObject(log: StoredLog): LogRequest {
  const masked = log.privacy_level === 2
  return {
    conversation_id: log.conversation_id,
    parent_request_id: log.parent_request_id,
    good_answer: log.good_answer,
    feedback: log.feedback,
    prompt_tokens: log.prompt_tokens,
    completion_tokens: log.completion_tokens,
    total_tokens: log.total_tokens,
    prompt_tokens_cost: log.prompt_tokens_cost,
    completion_tokens_cost: log.completion_tokens_cost,
    total_tokens_cost: log.total_tokens_cost,
    prompt_tokens_cost_savings: log.prompt_tokens_cost_savings,
    completion_tokens_cost_savings: log.completion_tokens_cost_savings,
    total_tokens_cost_savings: log.total_tokens_cost_savings,
    app_id: log.app_id,
    auth0_id: log.auth0_id,
    costs_incurred: log.costs_incurred,
    namespace: log.namespace,
    payload: masked ? maskPayload(log.payload) : (log.payload as LogPayload | null),
    privacy_level: log.privacy_level,
    prompt: masked ? null : log.prompt,
    request_type: log.request_type,
    response_text: masked ? null : log.response_text,
    status_code: log.status_code,
    is_test: log.is_test,
    added_on: log.added_on,
    latency: log.latency,
    parent_id: log.parent_id,
    parent: null,
    children: null,
    is_saved_for_later: log.is_saved_for_later,
    comment_count: log.comment_count,
    model: log.model,
    collections: log.collections,
    response: masked ? maskResponse(log.response) : log.response,
    timestamp: log.timestamp,
    id: log.id,
  }
}

/** Parents and children of an app's visible logs, by id, so each log object is built in O(1). */
export type Relations = { byId: Map<string, StoredLog>; children: Map<string, StoredLog[]> }

export function relationsOf(logs: readonly StoredLog[]): Relations {
  const byId = new Map<string, StoredLog>()
  const children = new Map<string, StoredLog[]>()
  for (const log of logs) {
    if (!isVisible(log)) continue
    byId.set(log.id, log)
    if (log.parent_id !== null) {
      const list = children.get(log.parent_id) ?? []
      list.push(log)
      children.set(log.parent_id, list)
    }
  }
  for (const list of children.values()) list.sort((a, b) => a.timestamp - b.timestamp || compareText(a.id, b.id))
  return { byId, children }
}

/** The log object Pulze answers with: all fields, its parent and children one level deep. */
export function toLogObject(log: StoredLog, relations: Relations): LogRequest {
  const object = flatLogObject(log)
  const parent = log.parent_id === null ? undefined : relations.byId.get(log.parent_id)
  object.parent = parent === undefined ? null : flatLogObject(parent)
  object.children = (relations.children.get(log.id) ?? []).map(flatLogObject)
  return object
}

// ---- search ----

/** Does a (visible) log match the filter body? `appId` is the caller's app. */
export function matchesFilter(object: LogRequest, filter: LogFilter): boolean {
  if (object.timestamp < filter.dateFrom) return false
  if (filter.dateTo !== null && object.timestamp > filter.dateTo) return false
  if (filter.appIds.length > 0 && (object.app_id === null || !filter.appIds.includes(object.app_id.toLowerCase()))) return false
  if (filter.labels !== null) {
    const labels = object.response.metadata?.labels ?? {}
    for (const [key, value] of Object.entries(filter.labels)) {
      const have = Object.hasOwn(labels, key) ? labels[key] : undefined
      if (have === undefined || have.toLowerCase() !== value.toLowerCase()) return false
    }
  }
  if (filter.query !== '') {
    const needle = filter.query.toLowerCase()
    const inPrompt = object.prompt?.toLowerCase().includes(needle) ?? false
    const inResponse = object.response_text?.toLowerCase().includes(needle) ?? false
    if (!inPrompt && !inResponse) return false
  }
  return true
}

type Scalar = string | number | boolean | null

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareScalars(a: Scalar, b: Scalar, order: 'asc' | 'desc'): number {
  // PostgreSQL: NULLS LAST for ASC, NULLS FIRST for DESC — i.e. null is the largest value either way.
  if (a === null || b === null) {
    const byNull = a === b ? 0 : a === null ? 1 : -1
    return order === 'asc' ? byNull : -byNull
  }
  let result: number
  if (typeof a === 'number' && typeof b === 'number') result = a - b
  else if (typeof a === 'boolean' && typeof b === 'boolean') result = Number(a) - Number(b)
  else result = compareText(String(a), String(b))
  return order === 'asc' ? result : -result
}

const isScalar = (value: unknown): value is Scalar => value === null || ['string', 'number', 'boolean'].includes(typeof value)

/** Sorts by the given columns (top-level scalar fields; others ignored), then newest first, then id. */
export function sortLogs(objects: LogRequest[], params: readonly SortSpec[]): LogRequest[] {
  const columns = params.filter((p) => objects.every((o) => Object.hasOwn(o, p.col) && isScalar((o as Record<string, unknown>)[p.col])))
  return [...objects].sort((a, b) => {
    for (const { col, order } of columns) {
      const result = compareScalars((a as Record<string, unknown>)[col] as Scalar, (b as Record<string, unknown>)[col] as Scalar, order)
      if (result !== 0) return result
    }
    return b.timestamp - a.timestamp || compareText(a.id, b.id)
  })
}

/** A fastapi-pagination `Page`. */
export function paginate(objects: readonly LogRequest[], page: number, size: number): LogPage {
  const start = (page - 1) * size
  return { items: objects.slice(start, start + size), total: objects.length, page, size, pages: Math.ceil(objects.length / size) }
}

/** The whole search: visible logs → log objects → filter → sort → page. */
export function searchLogs(logs: readonly StoredLog[], filter: LogFilter, page: number, size: number): LogPage {
  const relations = relationsOf(logs)
  const matching = logs
    .filter(isVisible)
    .map((log) => toLogObject(log, relations))
    .filter((o) => matchesFilter(o, filter))
  return paginate(sortLogs(matching, filter.params), page, size)
}
