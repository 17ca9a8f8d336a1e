// The proxy's response cache (Helicone/helicone worker/src/lib/util/cache/cacheFunctions.ts): answers stored
// under a hash of the request, in buckets of `Helicone-Cache-Bucket-Max-Size` slots. A hit needs every slot
// filled; a miss fills the next free one. Helicone keeps it in Cloudflare KV, apart from the request log; the
// emulator keeps it in memory, one cache per organization state (a WeakMap keyed by the tenant's state
// object, so a reset or a seed of the tenant, which replace that object, empty its cache).
import { createHash } from 'node:crypto'
import { headerValue, type CacheSettings } from './headers.ts'

/** A stored answer: the bytes as they were sent, and the id of the call that produced them. */
export type CachedAnswer = {
  status: number
  contentType: string
  text: string
  heliconeId: string
  latencyMs: number
  expiresAtMs: number
}

/** Entries per organization; the oldest goes first beyond it. */
export const MAX_CACHE_ENTRIES = 1000
/** Cloudflare KV refuses a TTL under 60 s, so the worker's save fails and nothing is stored. */
const MIN_TTL_SECONDS = 60

type OrganizationCache = { entries: Map<string, CachedAnswer>; hits: Map<string, number> }

const caches = new WeakMap<object, OrganizationCache>()

function cacheOf(state: object): OrganizationCache {
  let cache = caches.get(state)
  if (cache === undefined) {
    cache = { entries: new Map(), hits: new Map() }
    caches.set(state, cache)
  }
  return cache
}

/**
 * The request's cache key without the slot index, as `kvKeyFromRequest` builds it: the seed, the URL, the
 * body minus `Helicone-Cache-Ignore-Keys` (re-serialised), and the `Helicone-Cache-*`, `Helicone-Auth` and
 * `Authorization` headers (sorted by name, as `Headers` iterates them).
 */
export function cacheKeyBase(url: string, body: unknown, headers: Record<string, unknown>, settings: CacheSettings): string {
  let bodyText: string
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) }
    for (const key of settings.ignoreKeys) delete copy[key]
    bodyText = JSON.stringify(copy)
  } else {
    bodyText = JSON.stringify(body) ?? ''
  }
  const keyed = Object.keys(headers)
    .filter((name) => name.startsWith('helicone-cache') || name === 'helicone-auth' || name === 'authorization')
    .sort()
    .map((name) => [name, headerValue(headers, name) ?? ''])
  return `${settings.seed ?? ''}${url}${bodyText}${JSON.stringify(keyed)}`
}

function slotKey(base: string, index: number): string {
  return createHash('sha256')
    .update(base + (index >= 1 ? String(index) : ''))
    .digest('hex')
}

export type CacheLookup = { hit: CachedAnswer; bucketIndex: number } | null

/** A hit when every slot of the bucket holds a live answer; the slot is taken round-robin [emulator]. */
export function readCache(state: object, base: string, settings: CacheSettings, nowMs: number): CacheLookup {
  const cache = caches.get(state)
  if (cache === undefined) return null
  const slots: CachedAnswer[] = []
  for (let index = 0; index < settings.bucketSize; index++) {
    const entry = cache.entries.get(slotKey(base, index))
    if (entry === undefined || entry.expiresAtMs <= nowMs) return null
    slots.push(entry)
  }
  if (slots.length === 0) return null
  const base0 = slotKey(base, 0)
  const count = cache.hits.get(base0) ?? 0
  if (cache.hits.size >= MAX_CACHE_ENTRIES) cache.hits.clear()
  cache.hits.set(base0, count + 1)
  const bucketIndex = count % slots.length
  return { hit: slots[bucketIndex] as CachedAnswer, bucketIndex }
}

/** Stores an answer in the bucket's first free slot (none free: nothing stored, as the worker does). */
export function saveToCache(
  state: object,
  base: string,
  settings: CacheSettings,
  answer: Omit<CachedAnswer, 'expiresAtMs'>,
  nowMs: number,
): void {
  if (settings.maxAgeSeconds < MIN_TTL_SECONDS) return
  const cache = cacheOf(state)
  for (let index = 0; index < settings.bucketSize; index++) {
    const key = slotKey(base, index)
    const entry = cache.entries.get(key)
    if (entry !== undefined && entry.expiresAtMs > nowMs) continue
    cache.entries.delete(key)
    cache.entries.set(key, { ...answer, expiresAtMs: nowMs + settings.maxAgeSeconds * 1000 })
    while (cache.entries.size > MAX_CACHE_ENTRIES) {
      const oldest = cache.entries.keys().next().value as string
      cache.entries.delete(oldest)
    }
    return
  }
}
