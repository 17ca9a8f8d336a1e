// Concurrency and isolation (issue 13): 10 000 concurrent feedback writes for one tenant are all stored and
// counted; randomized cross-tenant reads, updates, scores and analytics never see or touch another key's data.
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../src/emulator.ts'
import { createRandom } from '../../src/util/random.ts'
import { freshKey, startTestEmulator } from '../helpers/create-test-emulator.ts'

let emulator: Emulator & { url: string }
beforeAll(async () => {
  emulator = await startTestEmulator({ strict: false })
})
afterAll(() => emulator.close())

const WINDOW = 'time_of_generation_min=2000-01-01T00:00:00Z&time_of_generation_max=2100-01-01T00:00:00Z'
const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' })

async function logGeneration(key: string, trace: string): Promise<void> {
  const res = await fetch(`${emulator.url}/portkey/v1/logs`, {
    method: 'POST',
    headers: json({ 'x-portkey-api-key': key }),
    body: JSON.stringify({
      request: { url: 'https://api.openai.com/v1/chat/completions', body: { model: 'gpt-4o' } },
      response: { status: 200, body: {} },
      metadata: { trace_id: trace },
    }),
  })
  expect(res.status).toBe(200)
}

async function scoresTotal(key: string): Promise<number> {
  const res = await fetch(`${emulator.url}/portkey/v1/analytics/graphs/feedbacks/scores?${WINDOW}`, {
    headers: { 'x-portkey-api-key': key },
  })
  return ((await res.json()) as { summary: { total: number } }).summary.total
}

test('10 000 concurrent feedback writes for one tenant: exactly 10 000 stored and counted', async () => {
  const key = freshKey('busy')
  await logGeneration(key, 'busy-trace')
  const IN_FLIGHT = 1000
  let statuses: number[] = []
  for (let batch = 0; batch < 10; batch++) {
    const results = await Promise.all(
      Array.from({ length: IN_FLIGHT }, (_, i) =>
        fetch(`${emulator.url}/portkey/v1/feedback`, {
          method: 'POST',
          headers: json({ 'x-portkey-api-key': key }),
          body: JSON.stringify({ trace_id: 'busy-trace', value: ((batch * IN_FLIGHT + i) % 11) - 5 }),
        }).then(async (r) => {
          await r.arrayBuffer()
          return r.status
        }),
      ),
    )
    statuses = statuses.concat(results)
  }
  expect(statuses.filter((s) => s === 200)).toHaveLength(10_000)
  const state = emulator.store.data.portkey[key] as { feedback: { id: string }[] }
  expect(state.feedback).toHaveLength(10_000)
  expect(new Set(state.feedback.map((f) => f.id)).size).toBe(10_000)
  expect(await scoresTotal(key)).toBe(10_000)
}, 180_000)

test("1 000 randomized cross-tenant probes never see or touch another key's data", async () => {
  const random = createRandom(13)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const keys = Array.from({ length: 12 }, () => freshKey('tenant'))
  // What each tenant wrote, as the test knows it.
  const model = new Map(keys.map((k) => [k, { feedback: [] as string[], helicone: [] as string[] }]))
  for (const key of keys) await logGeneration(key, `trace-${key}`)
  const now = Math.floor(Date.now() / 1000)
  let probes = 0
  for (let i = 0; probes < 1000; i++) {
    const owner = pick(keys)
    const other = pick(keys.filter((k) => k !== owner))
    const mine = model.get(owner)!
    switch (Math.floor(random() * 5)) {
      case 0: {
        const res = await fetch(`${emulator.url}/portkey/v1/feedback`, {
          method: 'POST',
          headers: json({ 'x-portkey-api-key': owner }),
          body: JSON.stringify({ trace_id: `trace-${owner}`, value: 2 }),
        })
        const body = (await res.json()) as { feedback_ids: string[] }
        mine.feedback.push(body.feedback_ids[0]!)
        break
      }
      case 1: {
        // Another key updates one of this tenant's feedback ids: 404, and nothing changes.
        if (mine.feedback.length === 0) continue
        const res = await fetch(`${emulator.url}/portkey/v1/feedback/${pick(mine.feedback)}`, {
          method: 'PUT',
          headers: json({ 'x-portkey-api-key': other }),
          body: JSON.stringify({ value: -10, weight: 0 }),
        })
        expect(res.status).toBe(404)
        await res.arrayBuffer()
        break
      }
      case 2: {
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
        const res = await fetch(`${emulator.url}/helicone/custom/v1/log`, {
          method: 'POST',
          headers: json({ authorization: `Bearer ${owner}`, 'helicone-request-id': id }),
          body: JSON.stringify({
            providerRequest: { url: 'https://x', json: { model: 'm' } },
            providerResponse: { json: {}, status: 200 },
            timing: { startTime: { seconds: now, milliseconds: 0 }, endTime: { seconds: now, milliseconds: 1 } },
          }),
        })
        expect(res.status).toBe(200)
        await res.arrayBuffer()
        mine.helicone.push(id)
        break
      }
      case 3: {
        // Another key scores one of this tenant's requests: accepted (as the real server), reaches nothing.
        if (mine.helicone.length === 0) continue
        const res = await fetch(`${emulator.url}/helicone/v1/request/${pick(mine.helicone)}/score`, {
          method: 'POST',
          headers: json({ authorization: `Bearer ${other}` }),
          body: JSON.stringify({ scores: { leak: 1 } }),
        })
        expect(res.status).toBe(201)
        await res.arrayBuffer()
        break
      }
      default: {
        // Reads: each key sees exactly its own records.
        expect(await scoresTotal(owner)).toBe(mine.feedback.length)
        const res = await fetch(`${emulator.url}/helicone/v1/request/query`, {
          method: 'POST',
          headers: json({ authorization: `Bearer ${owner}` }),
          body: JSON.stringify({ filter: 'all', limit: 10_000 }),
        })
        const rows = ((await res.json()) as { data: { request_id: string; scores: object }[] }).data
        expect(rows.map((r) => r.request_id).sort()).toEqual([...mine.helicone].sort())
        for (const row of rows) expect(row.scores).toEqual({})
      }
    }
    probes++
  }
  for (const key of keys) {
    const mine = model.get(key)!
    expect(await scoresTotal(key)).toBe(mine.feedback.length)
    const stored = emulator.store.data.portkey[key] as { feedback: { id: string; value: number }[] }
    expect(stored.feedback.map((f) => f.id).sort()).toEqual([...mine.feedback].sort())
    expect(stored.feedback.every((f) => f.value === 2)).toBe(true)
  }
  console.log(`isolation: ${probes} cross-tenant probes over ${keys.length} tenants`)
  expect(probes).toBeGreaterThanOrEqual(1000)
}, 180_000)
