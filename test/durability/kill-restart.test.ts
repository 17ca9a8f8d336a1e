// Durability (issue 13), black-box: the CLI with a file store takes concurrent writes across vendors, is
// SIGKILLed part-way, restarts on the same file; every write that was answered 2xx must be there, and the
// store must load. SOAK_KILLS (npm run soak) sets how many kill points; each round sends WRITES_PER_ROUND.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { startCli } from '../cli/run-cli.ts'

const KILLS = Number(process.env['SOAK_KILLS'] ?? 10)
const WRITES_PER_ROUND = 220
const PORTKEY_KEY = 'durable-portkey'
const HELICONE_KEY = 'durable-helicone'

let dir: string | undefined
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

function uuid(round: number, i: number): string {
  return `00000000-0000-4000-8000-${String(round * 100_000 + i).padStart(12, '0')}`
}

async function write(url: string, round: number, i: number): Promise<{ kind: 'portkey' | 'helicone'; id: string } | null> {
  const now = Math.floor(Date.now() / 1000)
  try {
    if (i % 2 === 0) {
      const trace = `trace-${round}-${i}`
      const res = await fetch(`${url}/portkey/v1/feedback`, {
        method: 'POST',
        headers: { 'x-portkey-api-key': PORTKEY_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ trace_id: trace, value: 1 }),
      })
      return res.status === 200 ? { kind: 'portkey', id: trace } : null
    }
    const id = uuid(round, i)
    const res = await fetch(`${url}/helicone/custom/v1/log`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HELICONE_KEY}`, 'content-type': 'application/json', 'helicone-request-id': id },
      body: JSON.stringify({
        providerRequest: { url: 'https://x', json: { model: 'm' } },
        providerResponse: { json: {}, status: 200 },
        timing: { startTime: { seconds: now, milliseconds: 0 }, endTime: { seconds: now, milliseconds: 5 } },
      }),
    })
    return res.status === 200 ? { kind: 'helicone', id } : null
  } catch {
    return null // the process was killed with the request in flight: not acknowledged
  }
}

async function stored(url: string): Promise<{ traces: Set<string>; requests: Set<string> }> {
  const portkey = (await (await fetch(`${url}/__emulator/state?apiKey=${PORTKEY_KEY}`)).json()) as {
    portkey?: { feedback: { trace_id: string }[] }[]
  }
  const helicone = (await (await fetch(`${url}/__emulator/state?apiKey=${HELICONE_KEY}`)).json()) as {
    helicone?: { requests: { request_id: string }[] }[]
  }
  return {
    traces: new Set((portkey.portkey?.[0]?.feedback ?? []).map((f) => f.trace_id)),
    requests: new Set((helicone.helicone?.[0]?.requests ?? []).map((r) => r.request_id)),
  }
}

test(`every acknowledged write survives ${KILLS} SIGKILLs mid-load, and the store loads each time`, async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-durable-'))
  const db = join(dir, 'db.json')
  const acknowledged: { kind: 'portkey' | 'helicone'; id: string }[] = []
  let sent = 0
  for (let round = 0; round < KILLS; round++) {
    const { child, url, finished } = await startCli(['--db', db, '--quiet'])
    // The previous round's acknowledged writes are all there after the restart.
    const before = await stored(url)
    for (const w of acknowledged) expect(w.kind === 'portkey' ? before.traces.has(w.id) : before.requests.has(w.id), w.id).toBe(true)
    const inFlight = Array.from({ length: WRITES_PER_ROUND }, (_, i) => write(url, round, i))
    sent += WRITES_PER_ROUND
    // Kill at a different point each round: 40..540 ms into the load, with writes acknowledged and in flight.
    await new Promise((resolve) => setTimeout(resolve, 40 + ((round * 97) % 500)))
    child.kill('SIGKILL')
    for (const w of await Promise.all(inFlight)) if (w !== null) acknowledged.push(w)
    await finished
  }
  const { child, url, finished } = await startCli(['--db', db, '--quiet'])
  const after = await stored(url)
  for (const w of acknowledged) expect(w.kind === 'portkey' ? after.traces.has(w.id) : after.requests.has(w.id), w.id).toBe(true)
  child.kill('SIGTERM')
  await finished
  console.log(`durability: ${KILLS} kills, ${sent} writes sent, ${acknowledged.length} acknowledged and all present after restart`)
  expect(sent).toBeGreaterThanOrEqual(2000)
}, 600_000)
