// The README's "Run your app against it" snippet, read from README.md and run as written against a listening
// emulator (only the host:port and the package imports change): each vendor's LLM call, then feedback on the
// id it gave, must show up in that vendor's stored state and analytics.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { startTestEmulator } from '../helpers/create-test-emulator.ts'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const section = README.split(/^## /m).find((s) => s.startsWith('Run your app against it')) ?? ''
const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? ''

const emulator = await startTestEmulator({ fixtures: ['fixtures/default.json'], strict: true })
const folder = fileURLToPath(new URL('./.generated/', import.meta.url))
mkdirSync(folder, { recursive: true })
const file = `${folder}run-your-app-${process.pid}.ts`
afterAll(async () => {
  rmSync(file, { force: true })
  await emulator.close()
})

test('README "Run your app against it": an LLM call through each vendor, then feedback on its id, is stored and counted', async () => {
  expect(snippet).toContain("baseURL: 'http://127.0.0.1:4100/portkey/v1'")
  writeFileSync(file, `${snippet.replaceAll('http://127.0.0.1:4100', emulator.url)}\nexport { traceId, heliconeId, completion }\n`)
  const scoreOne = async (): Promise<number> => {
    const graph = await fetch(
      `${emulator.url}/portkey/v1/analytics/graphs/feedbacks/scores?time_of_generation_min=2000-01-01T00:00:00Z&time_of_generation_max=2100-01-01T00:00:00Z`,
      { headers: { 'x-portkey-api-key': 'pk-emulator-dev' } },
    ).then((r) => r.json() as Promise<{ data_points: { score: number; total: number }[] }>)
    return graph.data_points.find((p) => p.score === 1)?.total ?? 0
  }
  const before = await scoreOne()
  const ran = (await import(file)) as { traceId: string; heliconeId: string; completion: { id: string } }

  const portkeyTenant = emulator.store.data.portkey['pk-emulator-dev']!
  expect(portkeyTenant.generations.filter((g) => g.trace_id === ran.traceId)).toHaveLength(1)
  expect(portkeyTenant.feedback.filter((f) => f.trace_id === ran.traceId)).toMatchObject([{ value: 1 }])
  expect(await scoreOne()).toBe(before + 1)

  const rows = await fetch(`${emulator.url}/helicone/v1/request/query`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-helicone-emulator-dev', 'content-type': 'application/json' },
    body: JSON.stringify({ filter: 'all', limit: 1000 }),
  }).then((r) => r.json() as Promise<{ data: { request_id: string; request_user_id: string | null; feedback_rating: boolean | null }[] }>)
  const row = rows.data.find((r) => r.request_id === ran.heliconeId)
  expect(row).toMatchObject({ request_user_id: 'alice', feedback_rating: true })

  const log = await fetch(`${emulator.url}/pulze/v1/logs/${ran.completion.id}`, {
    headers: { authorization: 'Bearer sk-pulze-emulator-dev' },
  }).then((r) => r.json() as Promise<{ good_answer: boolean | null }>)
  expect(log.good_answer).toBe(true)
})
