// The CLI with a file store, SIGKILLed while concurrent writes of every vendor (and compactions, with a
// small threshold) are in flight, restarted: every write that got a 2xx is there, exactly once.
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runCli, startCli } from '../cli/run-cli.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-crash-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const PORTKEY = 'crash-portkey'
const HELICONE = 'crash-helicone'
const PULZE = 'crash-pulze'
const PULZE_LOGS = Array.from({ length: 8 }, () => randomUUID())
const KILL_POINTS = [5, 90, 30, 150, 60, 15] // acknowledged writes before the SIGKILL, per round

type Acked = {
  feedback: Set<string>
  generations: Set<string>
  requests: Set<string>
  /** Per Pulze log: every feedback text sent, in order, and how many of them were acknowledged. */
  ratings: Map<string, { sent: string[]; acked: number }>
}

async function json(url: string, init: RequestInit & { headers: Record<string, string> }): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } })
  return { status: res.status, body: await res.json() }
}

/** Writers of every vendor in parallel until `stop()`; each records what was acknowledged. */
function startWriters(url: string, acked: Acked, round: number) {
  let stopped = false
  let count = 0
  const loop = async (write: () => Promise<void>) => {
    while (!stopped) {
      try {
        await write()
        count++
      } catch {
        return // the server is gone
      }
    }
  }
  const portkeyFeedback = async () => {
    const r = await json(`${url}/portkey/v1/feedback`, {
      method: 'POST',
      headers: { 'x-portkey-api-key': PORTKEY },
      body: JSON.stringify([
        { trace_id: `t-${round}`, value: 1 },
        { trace_id: `t-${round}`, value: -1, weight: 0.5 },
      ]),
    })
    if (r.status === 200) for (const id of r.body.feedback_ids as string[]) acked.feedback.add(id)
  }
  const portkeyLogs = async () => {
    const r = await json(`${url}/portkey/v1/logs`, {
      method: 'POST',
      headers: { 'x-portkey-api-key': PORTKEY },
      body: JSON.stringify({
        request: { url: 'https://api.openai.com/v1/chat/completions', method: 'POST', headers: {}, body: { model: 'gpt-4o' } },
        response: { status: 200, headers: {}, body: { usage: { prompt_tokens: 3, completion_tokens: 2 } }, response_time: 10 },
        metadata: { _user: 'u' },
      }),
    })
    if (r.status === 200) for (const id of r.body.log_ids as string[]) acked.generations.add(id)
  }
  const heliconeLog = async () => {
    const id = randomUUID()
    const r = await json(`${url}/helicone/custom/v1/log`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HELICONE}`, 'helicone-request-id': id },
      body: JSON.stringify({
        providerRequest: { url: 'https://api.openai.com/v1/chat/completions', json: { model: 'gpt-4o', messages: [] }, meta: {} },
        providerResponse: { json: {}, status: 200, headers: {} },
        timing: { startTime: { seconds: 1704448800, milliseconds: 0 }, endTime: { seconds: 1704448801, milliseconds: 0 } },
      }),
    })
    if (r.status === 200) acked.requests.add(id)
  }
  let next = 0
  const pulzeRating = async () => {
    const log = PULZE_LOGS[next++ % PULZE_LOGS.length]!
    const rating = acked.ratings.get(log) ?? { sent: [], acked: 0 }
    acked.ratings.set(log, rating)
    const text = `round ${round} #${rating.sent.length}`
    rating.sent.push(text)
    const r = await json(`${url}/pulze/v1/logs/${log}/rating`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PULZE}` },
      body: JSON.stringify({ good_answer: true, feedback: text }),
    })
    if (r.status === 200) rating.acked = rating.sent.length
  }
  const done = Promise.all([
    loop(portkeyFeedback),
    loop(portkeyFeedback),
    loop(portkeyLogs),
    loop(heliconeLog),
    loop(heliconeLog),
    loop(pulzeRating),
  ])
  return {
    get count() {
      return count
    },
    stop() {
      stopped = true
      return done
    },
  }
}

async function expectEverythingAcknowledged(url: string, acked: Acked): Promise<void> {
  type State = {
    portkey?: { feedback: { id: string }[]; generations: { id: string }[] }[]
    helicone?: { requests: { request_id: string }[] }[]
    pulze?: { logs: { id: string; feedback: string }[] }[]
  }
  const state = async (apiKey: string) =>
    (await (await fetch(`${url}/__emulator/state?apiKey=${encodeURIComponent(apiKey)}`)).json()) as State
  const portkey = (await state(PORTKEY)).portkey?.[0] ?? { feedback: [], generations: [] }
  const feedbackIds = portkey.feedback.map((f) => f.id)
  const generationIds = portkey.generations.map((g) => g.id)
  expect(new Set(feedbackIds).size).toBe(feedbackIds.length) // none twice
  expect(feedbackIds).toEqual(expect.arrayContaining([...acked.feedback]))
  expect(generationIds).toEqual(expect.arrayContaining([...acked.generations]))
  const requests = (await state(HELICONE)).helicone?.[0]?.requests ?? []
  expect(requests.map((r) => r.request_id)).toEqual(expect.arrayContaining([...acked.requests]))
  const logs = (await state(PULZE)).pulze?.[0]?.logs ?? []
  for (const [id, rating] of acked.ratings) {
    if (rating.acked === 0) continue
    // The last acknowledged rating, or one sent after it that reached the disk without its answer.
    const stored = logs.find((l) => l.id === id)!.feedback
    expect(rating.sent.indexOf(stored)).toBeGreaterThanOrEqual(rating.acked - 1)
  }
}

test(
  'SIGKILL at 6 points during concurrent writes of every vendor and compactions: every acknowledged write survives',
  { timeout: 180_000 },
  async () => {
    const db = join(dir, 'db.json')
    const env = { EMULATOR_COMPACT_LOG_BYTES: '8192' }
    const acked: Acked = { feedback: new Set(), generations: new Set(), requests: new Set(), ratings: new Map() }
    const interruptedCompactions: number[] = []
    for (const [round, killAfter] of KILL_POINTS.entries()) {
      const { child, url, finished } = await startCli(['--db', db, '--quiet'], { env }).catch(async (error: Error) => {
        // Say why it did not start (a store it refuses names the file and line on stderr).
        const { stderr } = await runCli(['--db', db, '--quiet', '--port', '0'], { env })
        throw new Error(`${error.message}\n${stderr}`)
      })
      if (round === 0) {
        const logs = PULZE_LOGS.map((id, i) => ({
          id,
          timestamp: 1_700_000_000_000 + i,
          response: { model: 'm', object: 'chat.completion' },
        }))
        const seeded = await fetch(`${url}/__emulator/seed`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pulze: [{ apiKey: PULZE, logs }] }),
        })
        expect(seeded.status).toBe(200)
      }
      await expectEverythingAcknowledged(url, acked)
      const writers = startWriters(url, acked, round)
      for (let waited = 0; writers.count < killAfter && waited < 20_000; waited += 2) await new Promise((r) => setTimeout(r, 2))
      child.kill('SIGKILL')
      await writers.stop()
      expect((await finished).signal).toBe('SIGKILL')
      if ((await readdir(dir)).some((name) => name.endsWith('.tmp'))) interruptedCompactions.push(round)
    }
    const { child, url, finished } = await startCli(['--db', db, '--quiet'], { env })
    await expectEverythingAcknowledged(url, acked)
    child.kill('SIGTERM')
    expect((await finished).code).toBe(0)
    expect(acked.feedback.size + acked.generations.size + acked.requests.size).toBeGreaterThan(KILL_POINTS.reduce((a, b) => a + b, 0) / 2)
    console.log(
      `crash test: ${acked.feedback.size} feedback, ${acked.generations.size} generations, ${acked.requests.size} Helicone requests ` +
        `acknowledged and found after ${KILL_POINTS.length} kills (${interruptedCompactions.length} of them mid-snapshot)`,
    )
  },
)
