// Deterministic records for the benchmarks, as one JSON document, the layout of stores written before the
// operation log (src/store/data.ts: `{version: 1, portkey: {<tenant>: {generations, feedback}}, helicone:
// {<tenant>: {organizationId, requests, pendingScores}}, pulze: {}}`; `cachedEmulatorStore` rewrites it as
// the emulator writes its store today), shaped like the demo tenants of
// scripts/fixtures/ (same models, users, properties; shorter bodies). Every record is complete (every column
// of the record schema present), as the store keeps them after loading a fixture.
//
// A store of N records holds the mix of issue 11's measurement: N/3 Helicone requests, N/3 Portkey
// generations and N/3 Portkey feedback rows, spread over the 90 days before ANCHOR (the queries read the
// last 30). The same counts always give the same bytes.
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { spawnChild } from './processes.ts'
import { createRandom } from '../../src/util/random.ts'
import { stableUuid } from '../../src/util/stable-uuid.ts'
import type { HeliconeRequestRecord } from '../../src/vendors/helicone/types.ts'
import { costInCents } from '../../src/pricing/prices.ts'
import type { Feedback, Generation } from '../../src/vendors/portkey/types.ts'

/** Bump when the records change shape (the cache key also hashes this file, so edits invalidate it anyway). */
export const GENERATOR_VERSION = 1

export const ANCHOR_MS = Date.parse('2026-01-01T00:00:00.000Z')
const DAY_MS = 86_400_000
const SPAN_MS = 90 * DAY_MS
const START_MS = ANCHOR_MS - SPAN_MS

export const PORTKEY_KEY = 'pk-bench'
export const HELICONE_KEY = 'sk-helicone-bench'
export const HELICONE_ORGANIZATION_ID = stableUuid('bench-helicone-organization')

export type StoreCounts = { heliconeRequests: number; portkeyGenerations: number; portkeyFeedback: number }

/** The mix: a third of each kind (the remainder goes to Helicone). */
export function countsForRecords(records: number): StoreCounts {
  const third = Math.floor(records / 3)
  return { heliconeRequests: records - 2 * third, portkeyGenerations: third, portkeyFeedback: third }
}

export function totalRecords(counts: StoreCounts): number {
  return counts.heliconeRequests + counts.portkeyGenerations + counts.portkeyFeedback
}

// ---- Helicone (as scripts/fixtures/helicone.ts) ----

const HELICONE_MODELS = [
  { provider: 'OPENAI', model: 'gpt-4o', url: 'https://api.openai.com/v1/chat/completions', inUsd: 2.5e-6, outUsd: 10e-6 },
  { provider: 'OPENAI', model: 'gpt-4o-mini', url: 'https://api.openai.com/v1/chat/completions', inUsd: 0.15e-6, outUsd: 0.6e-6 },
  { provider: 'ANTHROPIC', model: 'claude-3-5-sonnet-20241022', url: 'https://api.anthropic.com/v1/messages', inUsd: 3e-6, outUsd: 15e-6 },
] as const
const USERS = ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com', 'erin@example.com']
const FEATURES = ['support-chat', 'summarizer', 'search'] as const
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'IN', 'BR']
const QUESTIONS = ['How do I reset my password?', 'Summarize this contract.', 'Find hotels in Lisbon.', 'What is our refund policy?']
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

function picker(random: () => number) {
  return <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
}

/** Helicone requests 0…count-1, oldest first. */
export function* heliconeRequests(count: number): Generator<HeliconeRequestRecord> {
  const random = createRandom(0x4e11c0b)
  const pick = picker(random)
  const step = SPAN_MS / Math.max(count, 1)
  for (let i = 0; i < count; i++) {
    const createdMs = Math.floor(START_MS + (i + random()) * step)
    const m = pick(HELICONE_MODELS)
    const promptTokens = 50 + Math.floor(random() * 1500)
    const completionTokens = 20 + Math.floor(random() * 600)
    const latency = 300 + Math.floor(random() * 4000)
    const failed = random() < 0.04
    const question = pick(QUESTIONS)
    const scores: Record<string, number> = {}
    if (!failed && random() < 0.6) scores['accuracy'] = 40 + Math.floor(random() * 61)
    if (!failed && random() < 0.5) scores['helpful-hcone-bool'] = random() < 0.75 ? 1 : 0
    if (!failed && random() < 0.35) scores['helicone-score-feedback'] = random() < 0.7 ? 1 : 0
    yield {
      request_id: stableUuid(`bench-helicone-request:${i}`),
      request_created_at: new Date(createdMs).toISOString(),
      response_created_at: new Date(createdMs + latency).toISOString(),
      model: m.model,
      provider: m.provider,
      user_id: pick(USERS),
      status: failed ? pick([429, 500, 503]) : 200,
      latency,
      time_to_first_token: random() < 0.5 ? Math.floor(latency * 0.2) : null,
      cost: failed ? 0 : Number((promptTokens * m.inUsd + completionTokens * m.outUsd).toFixed(9)),
      prompt_tokens: failed ? null : promptTokens,
      completion_tokens: failed ? null : completionTokens,
      prompt_cache_read_tokens: 0,
      prompt_cache_write_tokens: 0,
      country_code: pick(COUNTRIES),
      target_url: m.url,
      threat: false,
      cache_enabled: false,
      cache_reference_id: ZERO_UUID,
      properties: { environment: random() < 0.8 ? 'production' : 'staging', feature: pick(FEATURES) },
      scores,
      request_body: { model: m.model, messages: [{ role: 'user', content: question }] },
      response_body: failed
        ? { error: { message: 'upstream error' } }
        : { choices: [{ message: { role: 'assistant', content: `Answer ${i}.` } }] },
      prompt_id: '',
      prompt_version: '',
      request_referrer: '',
      is_passthrough_billing: false,
    }
  }
}

// ---- Portkey (as scripts/fixtures/portkey.ts) ----

const PORTKEY_MODELS = [
  { provider: 'openai', model: 'gpt-4o', virtualKey: 'openai-prod' },
  { provider: 'openai', model: 'gpt-4o-mini', virtualKey: 'openai-prod' },
  { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', virtualKey: 'anthropic-prod' },
  { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', virtualKey: 'anthropic-prod' },
] as const
const PORTKEY_USERS = ['user_1', 'user_2', 'user_3', 'user_4', 'user_5', 'user_6', 'user_7', 'user_8']
const PROMPTS: Record<string, string> = { 'support-chat': 'support-answer', summarizer: 'summarize-doc', search: 'rewrite-query' }
const API_KEY_IDS = ['5b0c2f6e-3a51-4c2e-9a77-1f3c9d2e8a10', 'c7e1d4a2-8f36-4b59-a0d2-6e4b3f1c9d77']
const VALUES = [1, 1, 1, 1, -1, -1, 0, 5, 8, 10, -5, 3]
const WEIGHTS = [1, 1, 1, 0.5, 0.8]

/** Generation g belongs to trace ⌊4g/5⌋: one trace in four has a second span. */
function traceOf(generation: number): number {
  return Math.floor((generation * 4) / 5)
}

function traceCount(generations: number): number {
  return generations === 0 ? 0 : traceOf(generations - 1) + 1
}

function traceStartMs(trace: number, traces: number): number {
  return Math.floor(START_MS + ((trace + 0.5) * SPAN_MS) / Math.max(traces, 1) - 60_000)
}

/** Portkey generations 0…count-1, oldest first. */
export function* portkeyGenerations(count: number): Generator<Generation> {
  const random = createRandom(0x9047ce2)
  const pick = picker(random)
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  const traces = traceCount(count)
  for (let g = 0; g < count; g++) {
    const trace = traceOf(g)
    const secondSpan = g > 0 && traceOf(g - 1) === trace
    const traceId = `trace-${trace}`
    const feature = pick(FEATURES)
    const m = pick(PORTKEY_MODELS)
    const status = random() < 0.92 ? 200 : pick([400, 429, 500])
    const prompt = status === 200 ? int(80, 2400) : int(20, 600)
    const completion = status === 200 ? int(20, 900) : 0
    const generation: Generation = {
      id: stableUuid(`bench-portkey-generation:${g}`),
      trace_id: traceId,
      span_id: `${traceId}-span-${secondSpan ? 2 : 1}`,
      span_name: secondSpan ? 'follow_up' : 'chat_completion',
      created_at: new Date(traceStartMs(trace, traces) + (secondSpan ? 5_000 : 0)).toISOString(),
      provider: m.provider,
      model: m.model,
      status_code: status,
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      cost: costInCents(m.model, prompt, completion),
      latency_ms: int(250, 6000),
      virtual_key: m.virtualKey,
      workspace_slug: 'default',
      api_key_id: pick(API_KEY_IDS),
      metadata: { _user: pick(PORTKEY_USERS), env: random() < 0.8 ? 'production' : 'staging', feature },
    }
    if (random() < 0.4) generation.config = 'pc-default-fallback'
    if (random() < 0.7) generation.prompt_slug = PROMPTS[feature]!
    yield generation
  }
}

/**
 * Portkey feedback rows 0…count-1 on the traces of `generations` generations, in the traces' order (one in
 * a hundred on a trace that has no generation: stored, but never counted by analytics).
 */
export function* portkeyFeedback(count: number, generations: number): Generator<Feedback> {
  const random = createRandom(0xfeedbac)
  const pick = picker(random)
  const traces = traceCount(generations)
  for (let f = 0; f < count; f++) {
    const orphan = traces === 0 || random() < 0.01
    const trace = orphan ? -1 : Math.min(traces - 1, Math.floor(((f + random()) * traces) / count))
    const at = orphan
      ? START_MS + Math.floor((f * SPAN_MS) / count)
      : traceStartMs(trace, traces) + 30_000 + Math.floor(random() * 3_600_000)
    const feedback: Feedback = {
      id: stableUuid(`bench-portkey-feedback:${f}`),
      trace_id: orphan ? `trace-without-generation-${f}` : `trace-${trace}`,
      value: pick(VALUES),
      weight: pick(WEIGHTS),
      metadata: { _user: pick(PORTKEY_USERS), source: 'thumbs' },
      created_at: new Date(Math.min(at, ANCHOR_MS)).toISOString(),
    }
    if (random() < 0.15) feedback.text = pick(['great answer', 'too long', 'wrong product named', 'missed the question'])
    yield feedback
  }
}

// ---- Documents and files ----

/** The records as a fixture document (what `emulator.seed()` and `validate` take). */
export function fixtureDocument(counts: StoreCounts): {
  helicone: { apiKey: string; organizationId: string; requests: HeliconeRequestRecord[] }[]
  portkey: { apiKey: string; generations: Generation[]; feedback: Feedback[] }[]
} {
  return {
    helicone: [
      { apiKey: HELICONE_KEY, organizationId: HELICONE_ORGANIZATION_ID, requests: [...heliconeRequests(counts.heliconeRequests)] },
    ],
    portkey: [
      {
        apiKey: PORTKEY_KEY,
        generations: [...portkeyGenerations(counts.portkeyGenerations)],
        feedback: [...portkeyFeedback(counts.portkeyFeedback, counts.portkeyGenerations)],
      },
    ],
  }
}

/**
 * Writes the store file piece by piece (a store of a million records is close to V8's longest string, so
 * it is never built as one), compact as the store writes it, to a temporary name renamed into place.
 */
export async function writeStoreFile(path: string, counts: StoreCounts): Promise<void> {
  const temp = `${path}.${process.pid}.partial`
  const out = createWriteStream(temp)
  let buffered: string[] = []
  let bufferedChars = 0
  const write = async (text: string) => {
    buffered.push(text)
    bufferedChars += text.length
    if (bufferedChars < 1 << 20) return
    const chunk = buffered.join('')
    buffered = []
    bufferedChars = 0
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  const writeArray = async (records: Iterable<unknown>) => {
    let first = true
    await write('[')
    for (const record of records) {
      await write(`${first ? '' : ','}${JSON.stringify(record)}`)
      first = false
    }
    await write(']')
  }
  try {
    await write(`{"version":1,"portkey":{`)
    if (counts.portkeyGenerations + counts.portkeyFeedback > 0) {
      await write(`${JSON.stringify(PORTKEY_KEY)}:{"generations":`)
      await writeArray(portkeyGenerations(counts.portkeyGenerations))
      await write(',"feedback":')
      await writeArray(portkeyFeedback(counts.portkeyFeedback, counts.portkeyGenerations))
      await write('}')
    }
    await write('},"helicone":{')
    if (counts.heliconeRequests > 0) {
      await write(`${JSON.stringify(HELICONE_KEY)}:{"organizationId":${JSON.stringify(HELICONE_ORGANIZATION_ID)},"requests":`)
      await writeArray(heliconeRequests(counts.heliconeRequests))
      await write(',"pendingScores":[]}')
    }
    await write('},"pulze":{}}')
    out.end(buffered.join(''))
    await finished(out)
    await rename(temp, path)
  } catch (error) {
    out.destroy()
    await rm(temp, { force: true })
    throw error
  }
}

export const CACHE_DIR = new URL('../.cache/', import.meta.url).pathname

let generatorHash: string | undefined

/** A short hash of this file and the version: the cache key of every generated store. */
export async function generatorId(): Promise<string> {
  generatorHash ??= createHash('sha256')
    .update(`${GENERATOR_VERSION}\n`)
    .update(await readFile(new URL(import.meta.url), 'utf8'))
    .digest('hex')
    .slice(0, 10)
  return `v${GENERATOR_VERSION}-${generatorHash}`
}

function cacheName(id: string, counts: StoreCounts): string {
  return `store-${id}-h${counts.heliconeRequests}-g${counts.portkeyGenerations}-f${counts.portkeyFeedback}.json`
}

const REWRITER = new URL('./rewrite-store.ts', import.meta.url).pathname
const SNAPSHOT_WRITER = new URL('../../src/store/snapshot-file.ts', import.meta.url)

/**
 * The same records as a store the emulator wrote itself (its snapshot layout, with the checksum that lets
 * a start-up skip re-checking every record): what a user's store is after the emulator's first run. Made
 * once from `cachedStore`'s file by the emulator's own reader and writer, in a child process (a million
 * records take ~1.5 GB while rewritten); rebuilt when the generator or the snapshot writer changes.
 */
export async function cachedEmulatorStore(counts: StoreCounts): Promise<{ path: string; bytes: number; built: boolean; buildMs: number }> {
  const generated = await cachedStore(counts)
  const format = createHash('sha256')
    .update(await readFile(SNAPSHOT_WRITER, 'utf8'))
    .digest('hex')
    .slice(0, 8)
  const path = join(CACHE_DIR, `layout-${format}-${cacheName(await generatorId(), counts)}`)
  for (const name of await readdir(CACHE_DIR)) {
    if (name.startsWith('layout-') && !name.startsWith(`layout-${format}-`)) await rm(join(CACHE_DIR, name), { force: true })
  }
  const existing = await stat(path).catch(() => null)
  if (existing !== null) return { path, bytes: existing.size, built: false, buildMs: 0 }
  const started = performance.now()
  const child = spawnChild(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', REWRITER, generated.path, path])
  const { code, signal } = await child.exited
  if (code !== 0)
    throw new Error(`rewriting ${generated.path} as the emulator's store failed (${code ?? signal}): ${child.output().stderr.slice(-500)}`)
  return { path, bytes: (await stat(path)).size, built: true, buildMs: generated.buildMs + performance.now() - started }
}

/**
 * The path of a generated store file in bench/.cache/, built on first use and reused while this
 * generator is unchanged (stores of older generator versions are deleted). Never written to by a benchmark:
 * runs work on copies.
 */
export async function cachedStore(counts: StoreCounts): Promise<{ path: string; bytes: number; built: boolean; buildMs: number }> {
  await mkdir(CACHE_DIR, { recursive: true })
  const id = await generatorId()
  for (const name of await readdir(CACHE_DIR)) {
    // Stores of another generator version, and partial files a killed run left behind.
    const stale = (name.startsWith('store-') || name.startsWith('validated-') || name.startsWith('layout-')) && !name.includes(`-${id}`)
    const orphaned = name.endsWith('.partial') && !name.endsWith(`.${process.pid}.partial`)
    if (stale || orphaned) await rm(join(CACHE_DIR, name), { force: true })
  }
  const path = join(CACHE_DIR, cacheName(id, counts))
  const existing = await stat(path).catch(() => null)
  if (existing !== null) return { path, bytes: existing.size, built: false, buildMs: 0 }
  const started = performance.now()
  await writeStoreFile(path, counts)
  return { path, bytes: (await stat(path)).size, built: true, buildMs: performance.now() - started }
}
