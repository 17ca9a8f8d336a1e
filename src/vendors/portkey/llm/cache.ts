// The gateway's answer cache (a config's `cache: {mode, max_age}`), kept per emulator in memory, bounded.
// An entry belongs to the tenant's records it was made with: after a reset or seed replaces them, it is gone
// (a reset empties the cache as it empties the logs).
import { createHash } from 'node:crypto'
import type { Completion } from '../../../completions/index.ts'
import type { CacheMode, CacheSettings } from './provider.ts'
import type { CacheStatus } from './response.ts'

/** Entries kept; the oldest goes first. */
export const MAX_CACHED_ANSWERS = 1000

type Entry = { completion: Completion; expiresAt: number; owner: object }

export type GatewayCache = {
  /** The cached answer for `key`, if fresh and made with the same records (`owner`). */
  get(key: string, owner: object, nowMs: number): Completion | undefined
  set(key: string, completion: Completion, owner: object, nowMs: number, settings: CacheSettings): void
}

export function createGatewayCache(max = MAX_CACHED_ANSWERS): GatewayCache {
  const entries = new Map<string, Entry>()
  return {
    get(key, owner, nowMs) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (entry.owner !== owner || entry.expiresAt <= nowMs) {
        entries.delete(key)
        return undefined
      }
      return entry.completion
    },
    set(key, completion, owner, nowMs, settings) {
      entries.delete(key)
      entries.set(key, { completion, owner, expiresAt: nowMs + settings.maxAgeSeconds * 1000 })
      while (entries.size > max) entries.delete(entries.keys().next().value as string)
    },
  }
}

/** The body's fields that do not change the answer's content: a streamed request hits a non-streamed entry. */
const NOT_KEYED = new Set(['stream', 'stream_options'])

/** The cache key: tenant, route, provider, model, namespace and the body (keys sorted, streaming fields left out). */
export function cacheKey(
  parts: { tenant: string; route: string; provider: string; model: string; namespace: string | undefined },
  body: unknown,
): string {
  const hash = createHash('sha256')
  hash.update(JSON.stringify([parts.tenant, parts.route, parts.provider, parts.model, parts.namespace ?? '']))
  hash.update(canonical(body, 0))
  return hash.digest('hex')
}

function canonical(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`
  const keys = Object.keys(value)
    .filter((k) => depth > 0 || !NOT_KEYED.has(k))
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`
}

/** The status a lookup reports: a hit, a miss, or a forced refresh (`x-portkey-cache-force-refresh: true`). */
export function cacheStatusOf(mode: CacheMode, outcome: 'hit' | 'miss' | 'refresh'): CacheStatus {
  if (outcome === 'refresh') return 'REFRESH'
  if (mode === 'semantic') return outcome === 'hit' ? 'SEMANTIC HIT' : 'SEMANTIC MISS'
  return outcome === 'hit' ? 'HIT' : 'MISS'
}
