#!/usr/bin/env node
// Throughput of the main endpoints, as ratios against a baseline measured in the same run
// (GET /__emulator/health: the pipeline with no store access), so the targets hold on any machine.
// The emulator runs as its own process (the built CLI, a real file store, the bundled fixtures);
// autocannon drives it over loopback. Usage: npm run bench [-- --seconds 3 --rounds 3 --connections 10]
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
  },
})
const duration = Number(values.seconds)
const rounds = Number(values.rounds)
const connections = Number(values.connections)

const DAY = 86_400_000
const now = Date.now()
const last30Days = { min: new Date(now - 30 * DAY).toISOString(), max: new Date(now).toISOString() }

// target: the lowest acceptable requests/s as a fraction of the baseline's. Measured on the 2-core dev
// machine (2026-11-22, several runs): write 0.06–0.07, Portkey scores 0.50–0.61, Helicone scores 0.16–0.23,
// Pulze list 0.11–0.13; the targets
// leave room for noise but catch an order-of-magnitude regression.
const SCENARIOS = [
  { name: 'baseline: GET /__emulator/health', method: 'GET', path: '/__emulator/health' },
  {
    // Bounded by latency, not CPU: a 200 waits for the fsync of the (coalesced) whole-file write, and a
    // request that arrives during one write waits for the next, so ~10 connections see ~2 write cycles each.
    name: 'portkey: POST /v1/feedback (durable write, coalesced)',
    target: 0.025,
    method: 'POST',
    path: '/portkey/v1/feedback',
    headers: { 'x-portkey-api-key': 'bench-portkey', 'content-type': 'application/json' },
    body: JSON.stringify({ trace_id: 'bench-trace', value: 1, weight: 0.5 }),
  },
  {
    name: 'portkey: GET feedbacks/scores, 30 days of the demo tenant',
    target: 0.18,
    method: 'GET',
    path: `/portkey/v1/analytics/graphs/feedbacks/scores?time_of_generation_min=${encodeURIComponent(last30Days.min)}&time_of_generation_max=${encodeURIComponent(last30Days.max)}`,
    headers: { 'x-portkey-api-key': 'pk-emulator-dev' },
  },
  {
    // 360 requests filtered, bucketed and averaged per request, plus the tsoa-style body check.
    name: 'helicone: POST /v1/dashboard/scores/query, 30 days by day',
    target: 0.08,
    method: 'POST',
    path: '/helicone/v1/dashboard/scores/query',
    headers: { authorization: 'Bearer sk-helicone-emulator-dev', 'content-type': 'application/json' },
    body: JSON.stringify({
      userFilter: 'all',
      timeFilter: { start: last30Days.min, end: last30Days.max },
      dbIncrement: 'day',
      timeZoneDifference: 0,
    }),
  },
  {
    // 50 whole log objects per answer (~100 KB of JSON): serialization dominates.
    name: 'pulze: POST /v1/logs?size=50',
    target: 0.04,
    method: 'POST',
    path: '/pulze/v1/logs?page=1&size=50',
    headers: { authorization: 'Bearer sk-pulze-emulator-dev', 'content-type': 'application/json' },
    body: JSON.stringify({ date_from: last30Days.min }),
  },
]

const dir = await mkdtemp(join(tmpdir(), 'lfe-bench-'))
const server = spawn(
  process.execPath,
  ['dist/cli.js', '--port', '0', '--db', join(dir, 'db.json'), '--fixtures', 'fixtures/default.json', '--quiet'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const url = await new Promise((resolve, reject) => {
  let seen = ''
  server.stdout.on('data', (d) => {
    seen += d
    const m = /listening on (http:\/\/\S+)/.exec(seen)
    if (m) resolve(m[1])
  })
  server.on('exit', (code) => reject(new Error(`the emulator exited (${code}) before listening: ${seen}`)))
})

// Every scenario, the baseline included, runs once per round, round after round: the median of each is
// compared, so a slow spell of the shared machine weighs on every scenario alike.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
let failed = false
try {
  console.log(`${rounds} rounds × ${duration}s per scenario, ${connections} connections, emulator at ${url}\n`)
  const results = SCENARIOS.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (const [i, scenario] of SCENARIOS.entries()) {
      const r = await autocannon({
        url: url + scenario.path,
        method: scenario.method,
        headers: scenario.headers,
        body: scenario.body,
        duration,
        connections,
      })
      results[i].push(r)
    }
  }
  const baseline = median(results[0].map((r) => r.requests.average))
  for (const [i, scenario] of SCENARIOS.entries()) {
    const rps = median(results[i].map((r) => r.requests.average))
    const p99 = median(results[i].map((r) => r.latency.p99))
    const bad = results[i].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0)
    const ratio = rps / baseline
    const verdict =
      scenario.target === undefined
        ? 'baseline'
        : ratio >= scenario.target && bad === 0
          ? `ok (target ≥ ${scenario.target})`
          : `FAIL (target ≥ ${scenario.target})`
    if (verdict.startsWith('FAIL')) failed = true
    console.log(
      `${scenario.name}\n  median ${rps.toFixed(0)} req/s, p99 ${p99} ms, non-2xx/errors ${bad}, ratio ${ratio.toFixed(2)}: ${verdict}`,
    )
  }
} finally {
  server.kill('SIGTERM')
  await new Promise((resolve) => server.on('exit', resolve))
  await rm(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
