// Scenario 1: throughput of four servers, each its own process, driven by autocannon over loopback in
// interleaved rounds (a, b, c, d, a, b, c, d, …) so a slow spell of the shared machine weighs on all of them:
//  a. a bare Express 5 app answering fixed JSON;
//  b. `prism mock specs/portkey.yaml`, POST /v1/feedback;
//  c. the emulator, POST /portkey/v1/feedback, validated and persisted to a file store (empty at the start);
//  d. the emulator, POST /helicone/v1/dashboard/scores/query over a file store of 10 000 Helicone requests.
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import autocannon, { type Options } from 'autocannon'
import type { HttpRequest } from '../lib/http-client.ts'
import { cpuMsOf, makeTempDir, removeTempDir } from '../lib/processes.ts'
import { heliconeScoresRequest } from '../lib/queries.ts'
import { startBareExpress, startEmulator, startPrism, type Server } from '../lib/servers.ts'
import { median } from '../lib/stats.ts'
import { cachedStore } from '../lib/store-generator.ts'
import { FEEDBACK_WRITE } from './store-size.ts'

export type ThroughputOptions = { rounds: number; seconds: number; warmupSeconds: number; connections: number }

export type RoundFigures = {
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
  /** The server's CPU time (all its threads) per request answered, µs; null where /proc is missing. */
  cpuUsPerRequest: number | null
}

export type TargetFigures = {
  name: string
  request: string
  /** Medians over the rounds. */
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  cpuUsPerRequest: number | null
  /** Summed over the rounds: a throughput with failures is not a throughput. */
  non2xx: number
  errors: number
  rounds: RoundFigures[]
}

export type ThroughputResult = {
  options: ThroughputOptions
  a: TargetFigures
  b: TargetFigures
  c: TargetFigures
  d: TargetFigures
  ratios: {
    /** 1c / 1b and 1c / 1a, of the medians; with the range of the per-round ratios. */
    cOverB: number
    cOverA: number
    cOverBRounds: number[]
    cOverARounds: number[]
    /**
     * Server CPU per request, 1b / 1c: how much less work the emulator does per request than Prism. Not capped
     * by the load generator, which on a 2-core machine saturates a core near 1a's rate and so bounds 1c / 1b
     * by 1a / 1b. Null without /proc.
     */
    cpuBOverC: number | null
  }
}

const WITHOUT_PREFIX = (req: HttpRequest, prefix: string): HttpRequest => ({ ...req, path: req.path.slice(prefix.length) })

async function hit(server: Server, req: HttpRequest, seconds: number, connections: number): Promise<RoundFigures> {
  const options: Options = { url: server.url + req.path, method: req.method, connections, duration: seconds, timeout: 30 }
  if (req.headers !== undefined) options.headers = req.headers
  if (req.body !== undefined) options.body = req.body
  const pid = server.child.process.pid
  const cpuBefore = pid === undefined ? null : cpuMsOf(pid)
  const r = await autocannon(options)
  const cpuAfter = pid === undefined ? null : cpuMsOf(pid)
  return {
    reqPerSec: (r.requests.total - r.non2xx) / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    cpuUsPerRequest:
      cpuBefore === null || cpuAfter === null || r.requests.total === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / r.requests.total,
  }
}

export async function runThroughput(options: ThroughputOptions, emulatorNodeArgs: string[] = []): Promise<ThroughputResult> {
  const dir = makeTempDir()
  const heliconeStore = await cachedStore({ heliconeRequests: 10_000, portkeyGenerations: 0, portkeyFeedback: 0 })
  const heliconeDb = join(dir, 'helicone.json')
  await copyFile(heliconeStore.path, heliconeDb)
  const prismRequest = WITHOUT_PREFIX(FEEDBACK_WRITE, '/portkey')

  const servers: Server[] = []
  const start = async <T extends Server>(starting: Promise<T>): Promise<T> => {
    const server = await starting
    servers.push(server)
    return server
  }
  try {
    // Started side by side (start-up is not measured here); each is tracked as soon as it is up.
    const starting = await Promise.allSettled([
      start(startBareExpress()),
      start(startPrism(prismRequest)),
      start(startEmulator(join(dir, 'db.json'), { nodeArgs: emulatorNodeArgs, timeoutMs: 120_000 })),
      start(startEmulator(heliconeDb, { nodeArgs: emulatorNodeArgs, timeoutMs: 120_000 })),
    ])
    const failed = starting.find((s) => s.status === 'rejected')
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason
    const [bare, prism, feedbackEmulator, heliconeEmulator] = starting.map((s) => (s as PromiseFulfilledResult<Server>).value) as [
      Server,
      Server,
      Server,
      Server,
    ]
    const targets = [
      { name: 'bare Express 5, fixed JSON', request: prismRequest, server: bare },
      { name: 'prism mock specs/portkey.yaml', request: prismRequest, server: prism },
      { name: 'emulator, feedback write (file store)', request: FEEDBACK_WRITE, server: feedbackEmulator },
      { name: 'emulator, Helicone scores query (10k requests)', request: heliconeScoresRequest(), server: heliconeEmulator },
    ]

    for (const t of targets) if (options.warmupSeconds > 0) await hit(t.server, t.request, options.warmupSeconds, options.connections)
    const rounds: RoundFigures[][] = targets.map(() => [])
    for (let round = 0; round < options.rounds; round++) {
      for (const [i, t] of targets.entries()) rounds[i]!.push(await hit(t.server, t.request, options.seconds, options.connections))
    }

    const figures = targets.map((t, i): TargetFigures => {
      const rs = rounds[i]!
      return {
        name: t.name,
        request: `${t.request.method} ${t.request.path.split('?')[0]}`,
        reqPerSec: median(rs.map((r) => r.reqPerSec)),
        p50Ms: median(rs.map((r) => r.p50Ms)),
        p99Ms: median(rs.map((r) => r.p99Ms)),
        cpuUsPerRequest: rs.some((r) => r.cpuUsPerRequest === null) ? null : median(rs.map((r) => r.cpuUsPerRequest!)),
        non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
        errors: rs.reduce((n, r) => n + r.errors, 0),
        rounds: rs,
      }
    })
    const [a, b, c, d] = figures as [TargetFigures, TargetFigures, TargetFigures, TargetFigures]
    const perRound = (x: TargetFigures, y: TargetFigures) => x.rounds.map((r, i) => r.reqPerSec / y.rounds[i]!.reqPerSec)
    return {
      options,
      a,
      b,
      c,
      d,
      ratios: {
        cOverB: c.reqPerSec / b.reqPerSec,
        cOverA: c.reqPerSec / a.reqPerSec,
        cOverBRounds: perRound(c, b),
        cOverARounds: perRound(c, a),
        cpuBOverC: b.cpuUsPerRequest === null || c.cpuUsPerRequest === null ? null : b.cpuUsPerRequest / c.cpuUsPerRequest,
      },
    }
  } finally {
    await Promise.all(servers.map((s) => s.child.stop(30_000)))
    removeTempDir(dir)
  }
}
