// The test controls through the CLI-started server, driven with the typed control client; the coverage
// subcommand; a HAR export served back by the replay command.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Portkey } from 'portkey-ai'
import { afterAll, expect, test } from 'vitest'
import { ControlApiError, createControlClient } from '../../src/index.ts'
import { runCli, startCli } from '../cli/run-cli.ts'

const server = await startCli(['--db', ':memory:', '--quiet', '--journal-size', '50'])
const control = createControlClient(server.url)
afterAll(async () => {
  server.child.kill('SIGTERM')
  await server.finished
})

const feedback = (key: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/portkey/v1/feedback`, {
    method: 'POST',
    headers: { 'x-portkey-api-key': key, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

test('CLI server: a 429 fault the portkey-ai SDK surfaces as RateLimitError, seen in the journal; faults listed and cleared', async () => {
  const rule = await control.faults.add({ operationId: 'createFeedback', status: 429, times: 1 })
  expect(rule).toMatchObject({ id: expect.any(String), remaining: 1, fired: 0 })
  const portkey = new Portkey({ apiKey: 'pk-cli-429', baseURL: `${server.url}/portkey/v1` })
  const error = await portkey.feedback.create({ traceID: 'cli-429', value: 1 }).catch((e: unknown) => e)
  expect((error as object).constructor.name).toBe('RateLimitError')
  expect(await control.count({ apiKey: 'pk-cli-429', body: { trace_id: 'cli-429' } })).toBe(1)
  const [entry] = await control.requests({ apiKey: 'pk-cli-429' })
  expect(entry).toMatchObject({ status: 429, fault: { id: rule.id, kind: 'status' } })
  expect(await control.request(entry!.id)).toEqual(entry)
  expect(await control.faults.list()).toEqual([])
  await control.faults.add({ path: '/pulze/*', delayMs: 1 })
  expect(await control.faults.clear()).toBe(1)
  await expect(control.faults.remove('fault-nope')).rejects.toBeInstanceOf(ControlApiError)
})

test('CLI server: a reset fault is a network error; the journal records it', async () => {
  await control.faults.add({ apiKey: 'pk-cli-reset', kind: 'reset', times: 1 })
  await expect(feedback('pk-cli-reset', { trace_id: 'r', value: 1 })).rejects.toThrow(/fetch failed/)
  const [entry] = await control.requests({ apiKey: 'pk-cli-reset' })
  expect(entry).toMatchObject({ status: null, fault: { kind: 'reset' }, error: expect.stringMatching(/reset/) })
})

test('CLI server: the clock stamps feedback; clearRequests and --journal-size bound the journal', async () => {
  await control.clock.freeze('2031-01-01T00:00:00.000Z')
  expect((await feedback('pk-cli-clock', { trace_id: 'c', value: 2 })).status).toBe(200)
  const state = await control.state({ apiKey: 'pk-cli-clock' })
  expect(state.portkey?.[0]?.['feedback']).toMatchObject([{ created_at: '2031-01-01T00:00:00.000Z' }])
  expect(await control.clock.advance(1000)).toMatchObject({ now: '2031-01-01T00:00:01.000Z', frozen: true })
  expect(await control.clock.reset()).toMatchObject({ frozen: false, offsetMs: 0 })
  for (let i = 0; i < 55; i++) await feedback('pk-cli-bound', { trace_id: `b-${i}`, value: 1 })
  expect(await control.count({ apiKey: 'pk-cli-bound' })).toBe(50)
  expect(await control.clearRequests({ apiKey: 'pk-cli-bound' })).toBe(50)
  expect(await control.count({ apiKey: 'pk-cli-bound' })).toBe(0)
  await expect(control.clock.freeze('not a date')).rejects.toMatchObject({ status: 400 })
})

test('coverage subcommand: prints the table and the summary, exits 1 below --min, 0 at or above, 2 when unreachable', async () => {
  await control.coverage.reset()
  await feedback('pk-cli-cov', { trace_id: 'c', value: 1 })
  const report = await control.coverage.get()
  expect(report.exercised).toBe(1)
  const below = await runCli(['coverage', '--url', server.url, '--min', '50'])
  expect(below.code).toBe(1)
  expect(below.stdout).toMatch(/createFeedback\s+POST\s+\/v1\/feedback\s+200×1 400×- /)
  expect(below.stdout).toContain(report.summary)
  expect(below.stderr).toMatch(/below the minimum/)
  const above = await runCli(['coverage', '--url', `${server.url}/__emulator`, '--min', String(report.percent), '--missing'])
  expect(above.code).toBe(0)
  expect(above.stdout).not.toMatch(/200×1/)
  const json = await runCli(['coverage', '--url', server.url, '--json'])
  expect(JSON.parse(json.stdout)).toMatchObject({ exercised: 1, total: report.total })
  expect((await runCli(['coverage', '--url', 'http://127.0.0.1:1'])).code).toBe(2)
  expect((await runCli(['coverage', '--url', server.url, '--min', 'lots'])).code).toBe(2)
})

test('a HAR export of the journal is served back by the replay command', async () => {
  const key = 'pk-cli-har'
  expect((await feedback(key, { trace_id: 'har-trace', value: 3 })).status).toBe(200)
  const window = '?time_of_generation_min=2000-01-01T00%3A00%3A00Z&time_of_generation_max=2100-01-01T00%3A00%3A00Z'
  const scores = await fetch(`${server.url}/portkey/v1/analytics/graphs/feedbacks/scores${window}`, {
    headers: { 'x-portkey-api-key': key },
  })
  const scoresBody = await scores.json()
  const dir = await mkdtemp(join(tmpdir(), 'har-replay-'))
  const file = join(dir, 'journal.har')
  await writeFile(file, JSON.stringify(await control.har({ apiKey: key })))

  const replay = await startCli(['replay', file, '--replay-strict', '--quiet'])
  try {
    const again = await fetch(`${replay.url}/portkey/v1/analytics/graphs/feedbacks/scores${window}`, {
      headers: { 'x-portkey-api-key': key },
    })
    expect(again.status).toBe(200)
    expect(again.headers.get('x-emulator-replay')).toBe(`${file}#1`)
    expect(await again.json()).toEqual(scoresBody)
    const posted = await fetch(`${replay.url}/portkey/v1/feedback`, {
      method: 'POST',
      headers: { 'x-portkey-api-key': 'any-other-key', 'content-type': 'application/json' },
      body: JSON.stringify({ trace_id: 'har-trace', value: 3 }),
    })
    expect(posted.status).toBe(200)
    expect(posted.headers.get('x-emulator-replay')).toBe(`${file}#0`)
    expect((await fetch(`${replay.url}/portkey/v1/feedback`, { method: 'POST', body: '{"trace_id":"other","value":1}' })).status).toBe(404)
  } finally {
    replay.child.kill('SIGTERM')
    await replay.finished
  }
})
