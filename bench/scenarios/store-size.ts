// Scenarios 3 and 4 for one store size, on one copy of the generated store file:
//  4. start-up: process start → first 200 of GET /__emulator/health (median of `startupRuns` starts, each on a
//     fresh copy of the store as the emulator writes it), and the emulator's RSS right after loading; then
//     one start on the same records as a single JSON document (a store of the previous version, or written
//     by hand: no checksum, so every record's shape is checked);
//  3. ingest: single `POST /portkey/v1/feedback` one after another (latency p50), then `connections` closed-loop
//     writers for a bounded time (writes/s = acknowledged writes / time to the last answer).
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { closedLoop, createClient, type HttpRequest } from '../lib/http-client.ts'
import { makeTempDir, memoryOf, removeTempDir } from '../lib/processes.ts'
import { startEmulator, type StartedEmulator } from '../lib/servers.ts'
import { median, percentile } from '../lib/stats.ts'
import { cachedEmulatorStore, cachedStore, countsForRecords, PORTKEY_KEY, type StoreCounts } from '../lib/store-generator.ts'

export const FEEDBACK_WRITE: HttpRequest = {
  method: 'POST',
  path: '/portkey/v1/feedback',
  headers: { 'x-portkey-api-key': PORTKEY_KEY, 'content-type': 'application/json' },
  body: JSON.stringify({ trace_id: 'trace-1', value: 1, weight: 0.5 }),
}

export type StoreSizeOptions = {
  startupRuns: number
  startupTimeoutMs: number
  /**
   * Sequential single writes: at most this many, and none started after `singleWriteSeconds` — except that
   * up to 3 are made while less than 60 s have passed (a p50 of one slow write says little).
   */
  singleWrites: number
  singleWriteSeconds: number
  connections: number
  ingestSeconds: number
  /** Per request. */
  requestTimeoutMs: number
  nodeArgs: string[]
}

export type StoreSizeResult = {
  records: number
  counts: StoreCounts
  fileBytes: number
  startup: { medianMs: number; runsMs: number[]; rssBytes: number | null; peakRssBytes: number | null } | null
  /** When a start failed: how long after the spawn. */
  startupFailedAfterMs: number | null
  /** One start on the records as a single JSON document without a checksum (every record checked). */
  unverifiedStartupMs: number | null
  singleWrite: { p50Ms: number; p99Ms: number; writes: number; failed: number } | null
  ingest: {
    writesPerSec: number
    ok: number
    failed: number
    firstFailure: string | null
    elapsedMs: number
    connections: number
    seconds: number
    p50Ms: number
    p99Ms: number
  } | null
  /** RSS peak of the process over the whole run (writes included). */
  peakRssBytes: number | null
  /** SIGTERM → exit (the store is flushed first). */
  shutdownMs: number | null
  error: string | null
}

export async function runStoreSize(records: number, options: StoreSizeOptions): Promise<StoreSizeResult> {
  const counts = countsForRecords(records)
  const store = await cachedEmulatorStore(counts)
  const result: StoreSizeResult = {
    records,
    counts,
    fileBytes: store.bytes,
    startup: null,
    startupFailedAfterMs: null,
    unverifiedStartupMs: null,
    singleWrite: null,
    ingest: null,
    peakRssBytes: null,
    shutdownMs: null,
    error: null,
  }
  let dir: string | null = null
  let emulator: StartedEmulator | null = null
  const phase = { name: 'start-up' }
  try {
    {
      // First, alone on the machine: the same records as a store without a checksum.
      const unverifiedDir = makeTempDir()
      try {
        const db = join(unverifiedDir, 'db.json')
        await copyFile((await cachedStore(counts)).path, db)
        const other = await startEmulator(db, { nodeArgs: options.nodeArgs, timeoutMs: options.startupTimeoutMs })
        result.unverifiedStartupMs = other.startupMs
        await other.child.stop(120_000)
      } finally {
        removeTempDir(unverifiedDir)
      }
    }
    const runsMs: number[] = []
    for (let run = 0; run < options.startupRuns; run++) {
      dir = makeTempDir()
      const db = join(dir, 'db.json')
      await copyFile(store.path, db)
      const spawnedAt = performance.now()
      try {
        emulator = await startEmulator(db, { nodeArgs: options.nodeArgs, timeoutMs: options.startupTimeoutMs })
      } catch (error) {
        result.startupFailedAfterMs = performance.now() - spawnedAt
        throw error
      }
      runsMs.push(emulator.startupMs)
      if (run === options.startupRuns - 1) break
      await emulator.child.stop(120_000)
      emulator = null
      removeTempDir(dir)
      dir = null
    }
    const started = emulator!
    const memory = started.memory
    result.startup = {
      medianMs: median(runsMs),
      runsMs,
      rssBytes: memory?.rssBytes ?? null,
      peakRssBytes: memory?.peakRssBytes ?? null,
    }

    phase.name = 'single writes'
    const client = createClient(started.url, 1)
    const latencies: number[] = []
    let failed = 0
    const begun = performance.now()
    try {
      for (;;) {
        const done = latencies.length + failed
        const elapsedMs = performance.now() - begun
        if (done >= options.singleWrites || (elapsedMs >= options.singleWriteSeconds * 1000 && (done >= 3 || elapsedMs >= 60_000))) break
        const reply = await client.send(FEEDBACK_WRITE, options.requestTimeoutMs)
        if (reply.status === 200) latencies.push(reply.ms)
        else failed++
      }
    } finally {
      client.close()
    }
    result.singleWrite = { p50Ms: median(latencies), p99Ms: percentile(latencies, 99), writes: latencies.length, failed }

    phase.name = 'ingest'
    const load = await closedLoop(started.url, FEEDBACK_WRITE, {
      connections: options.connections,
      seconds: options.ingestSeconds,
      timeoutMs: options.requestTimeoutMs,
    })
    result.ingest = {
      writesPerSec: load.ok / (load.elapsedMs / 1000),
      ok: load.ok,
      failed: load.failed,
      firstFailure: load.firstFailure,
      elapsedMs: load.elapsedMs,
      connections: options.connections,
      seconds: options.ingestSeconds,
      p50Ms: median(load.latenciesMs),
      p99Ms: percentile(load.latenciesMs, 99),
    }
    result.peakRssBytes = memoryOf(started.child.pid)?.peakRssBytes ?? null

    phase.name = 'shutdown'
    const stopped = await started.child.stop(120_000)
    emulator = null
    result.shutdownMs = stopped.ms
    if (stopped.code !== 0) result.error = `shutdown: exit ${stopped.code ?? stopped.signal}: ${started.child.output().stderr.slice(-300)}`
  } catch (error) {
    result.error = `${phase.name}: ${(error as Error).message}`
  } finally {
    if (emulator !== null) await emulator.child.stop(10_000)
    if (dir !== null) removeTempDir(dir)
  }
  return result
}
