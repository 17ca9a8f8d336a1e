import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Operation } from '../../src/store/operations.ts'
import { Store, type StoreOptions } from '../../src/store/store.ts'

/** A fresh folder per test, removed after. */
export async function scratchFolder(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lfe-store-'))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** One Portkey feedback creation: the smallest real operation. */
export function feedbackOp(tenant: string, value = 1, id: string = randomUUID()): Operation {
  return {
    type: 'portkey.feedback.create',
    tenant,
    feedback: [{ id, trace_id: 't', value, weight: 1, metadata: {}, created_at: '2026-01-10T10:00:00.000Z' }],
  }
}

/** The feedback ids a tenant has, in order. */
export function feedbackIds(store: Store, tenant: string): string[] {
  return ((store.data.portkey[tenant] as { feedback: { id: string }[] } | undefined)?.feedback ?? []).map((f) => f.id)
}

export function openStore(path: string, options: Partial<StoreOptions> = {}): Promise<Store> {
  return Store.open({ path, warn: () => {}, ...options })
}
