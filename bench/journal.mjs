#!/usr/bin/env node
// What the request journal costs: feedback-write throughput with the journal on (the default, 10 000 entries)
// and off (--journal-size 0), in the same run, as a ratio. Two emulators of each store kind run side by side
// (the built CLI); autocannon drives them over loopback, round after round, interleaved, and the medians are
// compared. In memory the write is CPU-bound, so the journal's share shows; with the file store the write
// waits for the fsync. Usage: npm run build && node bench/journal.mjs [-- --seconds 2 --rounds 9 --connections 10]
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '9' },
    connections: { type: 'string', default: '10' },
  },
})
const duration = Number(values.seconds)
const rounds = Number(values.rounds)
const connections = Number(values.connections)

// Highest acceptable server CPU per request, journal on / off, with the in-memory store (where the journal's
// share is largest). CPU per request is the verdict because throughput swings with other load on a shared
// machine. Measured on the 2-core dev machine (2026-11-30, load ~9): CPU on/off 1.03, throughput on/off 0.95.
const CPU_TARGET = 1.2

const dir = await mkdtemp(join(tmpdir(), 'lfe-bench-journal-'))
const servers = []

/** The server process's CPU time so far (user + system, ms; Linux /proc), or NaN elsewhere. */
async function cpuMs(child) {
  try {
    const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}

function start(args) {
  const child = spawn(process.execPath, ['dist/cli.js', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  servers.push(child)
  return new Promise((resolve, reject) => {
    let seen = ''
    child.stdout.on('data', (d) => {
      seen += d
      const m = /listening on (http:\/\/\S+)/.exec(seen)
      if (m) resolve(m[1])
    })
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code}) before listening: ${seen}`)))
  })
}

const modes = [
  { name: 'in-memory store', db: () => ':memory:' },
  { name: 'file store (fsync per coalesced write)', db: (tag) => join(dir, `${tag}.json`) },
]
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
let failed = false
try {
  console.log(`${rounds} rounds × ${duration}s per server, ${connections} connections: POST /portkey/v1/feedback\n`)
  for (const mode of modes) {
    const on = await start(['--db', mode.db('on')])
    const off = await start(['--db', mode.db('off'), '--journal-size', '0'])
    const processes = { on: servers.at(-2), off: servers.at(-1) }
    const results = { on: [], off: [] }
    // Server CPU per request: much less sensitive than throughput to other load on a shared machine.
    const cpu = { on: [], off: [] }
    // Two rounds warm both up (JIT, heap growth) and are not counted.
    for (let round = -2; round < rounds; round++) {
      // Alternate which goes first, so a slow spell weighs on both alike.
      const order = (round + 2) % 2 === 0 ? ['on', 'off'] : ['off', 'on']
      const counted = round >= 0
      for (const which of order) {
        const cpuBefore = await cpuMs(processes[which])
        const r = await autocannon({
          url: `${which === 'on' ? on : off}/portkey/v1/feedback`,
          method: 'POST',
          headers: { 'x-portkey-api-key': 'bench-journal', 'content-type': 'application/json' },
          body: JSON.stringify({ trace_id: 'bench-trace', value: 1, weight: 0.5, metadata: { user: 'u-1', env: 'bench' } }),
          duration,
          connections,
        })
        if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`${mode.name} journal ${which}: ${r.non2xx} non-2xx, ${r.errors} errors`)
        if (counted) {
          results[which].push(r.requests.average)
          cpu[which].push(((await cpuMs(processes[which])) - cpuBefore) / r.requests.total)
        }
      }
    }
    const rpsOn = median(results.on)
    const rpsOff = median(results.off)
    const ratio = rpsOn / rpsOff
    console.log(
      `${mode.name.padEnd(40)} journal on ${rpsOn.toFixed(0).padStart(6)} req/s   off ${rpsOff.toFixed(0).padStart(6)} req/s   on/off ${ratio.toFixed(3)}`,
    )
    console.log(
      `${''.padEnd(40)} rounds on  [${results.on.map((x) => x.toFixed(0)).join(', ')}]  off [${results.off.map((x) => x.toFixed(0)).join(', ')}]`,
    )
    const cpuOn = median(cpu.on)
    const cpuOff = median(cpu.off)
    const cpuRatio = cpuOn / cpuOff
    const verdict =
      mode.db('x') === ':memory:' ? (cpuRatio > CPU_TARGET ? `FAIL (target ≤ ${CPU_TARGET})` : 'ok') : '(fsync-bound: reported only)'
    if (verdict.startsWith('FAIL')) failed = true
    console.log(
      `${''.padEnd(40)} server CPU per request: on ${(cpuOn * 1000).toFixed(0)} µs, off ${(cpuOff * 1000).toFixed(0)} µs, on/off ${cpuRatio.toFixed(3)}   ${verdict}`,
    )
  }
} finally {
  await Promise.all(
    servers.map(
      (child) => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))),
    ),
  )
  await rm(dir, { recursive: true, force: true })
}
if (failed) process.exitCode = 1
