import { randomUUID } from 'node:crypto'
import type { Store } from '../../store/store.ts'
import { findTenant } from '../../store/tenant-state.ts'
import { deriveGeneration } from './custom-log.ts'
import { NOT_FOUND, portkeyError } from './errors.ts'
import { emptyTenantState, feedbackById } from './mutations.ts'
import type { CustomLog, Feedback, FeedbackInput, FeedbackUpdateRequest, Generation, TenantState } from './types.ts'
import { createDefaultsFiller } from '../../openapi/schema-defaults.ts'

export { emptyTenantState } from './mutations.ts'

// ajv fills no `default`s inside the request body's `oneOf` (object or array): take them from the schema here.
const withFeedbackDefaults = createDefaultsFiller<FeedbackInput>('portkey', '/components/schemas/FeedbackRequest')
// Request bodies are checked without filling defaults: the update's `weight` default comes from the schema here.
const withUpdateDefaults = createDefaultsFiller<FeedbackUpdateRequest>('portkey', '/components/schemas/FeedbackUpdateRequest')

/** Who writes a log: stamped on the generations it creates. */
export type LogWriter = { apiKeyId: string; workspaceSlug?: string | undefined }

/** Portkey's records per tenant. Never sees HTTP; each mutator commits one operation (see mutations.ts). */
export class PortkeyService {
  #store: Store
  #now: () => Date

  constructor(store: Store, now: () => Date) {
    this.#store = store
    this.#now = now
  }

  /** A tenant's records (an empty state, not stored, when the tenant has none). */
  state(tenant: string): TenantState {
    return findTenant(this.#store.data, 'portkey', tenant) ?? emptyTenantState()
  }

  /** Stores feedback (already validated as a whole), returning the new ids in input order. */
  async createFeedback(tenant: string, items: readonly FeedbackInput[]): Promise<string[]> {
    const createdAt = this.#now().toISOString()
    const feedback = items.map((input): Feedback => {
      const item = withFeedbackDefaults(input)
      const created: Feedback = {
        id: randomUUID(),
        trace_id: item.trace_id,
        value: item.value,
        weight: item.weight!, // set: the schema's default (1.0) was filled in above
        metadata: item.metadata ?? {},
        created_at: createdAt,
      }
      if (item.text !== undefined) created.text = item.text
      return created
    })
    await this.#store.commit({ type: 'portkey.feedback.create', tenant, feedback })
    return feedback.map((f) => f.id)
  }

  /** Replaces value and weight (and metadata when given) of a feedback; 404 AB08 for an unknown id. */
  async updateFeedback(tenant: string, id: string, sent: FeedbackUpdateRequest): Promise<void> {
    const update = withUpdateDefaults(sent)
    const state = findTenant(this.#store.data, 'portkey', tenant)
    if (state === undefined || feedbackById.find(state.feedback, id) === undefined)
      throw portkeyError(NOT_FOUND, `Feedback not found: ${id}`)
    await this.#store.commit({
      type: 'portkey.feedback.update',
      tenant,
      id,
      value: update.value,
      weight: update.weight,
      ...(update.metadata === undefined ? {} : { metadata: update.metadata }),
      updated_at: this.#now().toISOString(),
    })
  }

  /** The tenant's stored generations (the array itself: gateway cache entries belong to it), if the tenant has records. */
  generationsOf(tenant: string): readonly Generation[] | undefined {
    return findTenant(this.#store.data, 'portkey', tenant)?.generations
  }

  /** Stores a gateway call's generation (resolves once it is durable). */
  async logGeneration(tenant: string, generation: Generation): Promise<void> {
    await this.#store.commit({ type: 'portkey.generations.insert', tenant, generations: [generation] })
  }

  /** Stores each custom log as a generation, returning them in input order. */
  async insertLogs(tenant: string, logs: readonly CustomLog[], writer: LogWriter): Promise<Generation[]> {
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
    await this.#store.commit({ type: 'portkey.generations.insert', tenant, generations })
    return generations
  }
}
