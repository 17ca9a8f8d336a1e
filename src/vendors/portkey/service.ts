import { randomUUID } from 'node:crypto'
import type { Low } from 'lowdb'
import { ensureTenant, findTenant } from '../../store/tenant-state.ts'
import type { Data } from '../../store/data.ts'
import { deriveGeneration } from './custom-log.ts'
import { NOT_FOUND, portkeyError } from './errors.ts'
import type { CustomLog, Feedback, FeedbackInput, FeedbackUpdateRequest, Generation, TenantState } from './types.ts'
import { createDefaultsFiller } from '../../openapi/schema-defaults.ts'

// ajv fills no `default`s inside the request body's `oneOf` (object or array): take them from the schema here.
const withFeedbackDefaults = createDefaultsFiller<FeedbackInput>('portkey', '/components/schemas/FeedbackRequest')
// Request bodies are checked without filling defaults: the update's `weight` default comes from the schema here.
const withUpdateDefaults = createDefaultsFiller<FeedbackUpdateRequest>('portkey', '/components/schemas/FeedbackUpdateRequest')

export function emptyTenantState(): TenantState {
  return { generations: [], feedback: [] }
}

/** Who writes a log: stamped on the generations it creates. */
export type LogWriter = { apiKeyId: string; workspaceSlug?: string | undefined }

/** Portkey's records per tenant. Never sees HTTP; each mutator persists once. */
export class PortkeyService {
  #db: Low<Data>
  #now: () => Date

  constructor(db: Low<Data>, now: () => Date) {
    this.#db = db
    this.#now = now
  }

  /** A tenant's records (an empty state, not stored, when the tenant has none). */
  state(tenant: string): TenantState {
    return findTenant<TenantState>(this.#db, 'portkey', tenant) ?? emptyTenantState()
  }

  #tenant(tenant: string): TenantState {
    return ensureTenant<TenantState>(this.#db, 'portkey', tenant, emptyTenantState)
  }

  /** Stores feedback (already validated as a whole), returning the new ids in input order. */
  async createFeedback(tenant: string, items: readonly FeedbackInput[]): Promise<string[]> {
    const state = this.#tenant(tenant)
    const createdAt = this.#now().toISOString()
    const created = items.map((input): Feedback => {
      const item = withFeedbackDefaults(input)
      const feedback: Feedback = {
        id: randomUUID(),
        trace_id: item.trace_id,
        value: item.value,
        weight: item.weight!, // set: the schema's default (1.0) was filled in above
        metadata: item.metadata ?? {},
        created_at: createdAt,
      }
      if (item.text !== undefined) feedback.text = item.text
      return feedback
    })
    state.feedback.push(...created)
    await this.#db.write()
    return created.map((f) => f.id)
  }

  /** Replaces value and weight (and metadata when given) of a feedback; 404 AB08 for an unknown id. */
  async updateFeedback(tenant: string, id: string, sent: FeedbackUpdateRequest): Promise<void> {
    const update = withUpdateDefaults(sent)
    const feedback = findTenant<TenantState>(this.#db, 'portkey', tenant)?.feedback.find((f) => f.id === id)
    if (feedback === undefined) throw portkeyError(NOT_FOUND, `Feedback not found: ${id}`)
    feedback.value = update.value
    feedback.weight = update.weight
    if (update.metadata !== undefined) feedback.metadata = update.metadata
    feedback.updated_at = this.#now().toISOString()
    await this.#db.write()
  }

  /** Stores each custom log as a generation, returning them in input order. */
  async insertLogs(tenant: string, logs: readonly CustomLog[], writer: LogWriter): Promise<Generation[]> {
    const state = this.#tenant(tenant)
    const now = this.#now()
    const generations = logs.map((log) =>
      deriveGeneration(log, {
        id: randomUUID(),
        newTraceId: randomUUID(),
        now,
        apiKeyId: writer.apiKeyId,
        workspaceSlug: writer.workspaceSlug,
      }),
    )
    state.generations.push(...generations)
    await this.#db.write()
    return generations
  }
}
