import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createTestEmulator, freshKey, takeUnexpectedErrors } from '../helpers/create-test-emulator.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-persist-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const FIXTURE = new URL('../../fixtures/default.json', import.meta.url).pathname
const WINDOW = { time_of_generation_min: '2000-01-01T00:00:00Z', time_of_generation_max: '2100-01-01T00:00:00Z' }

type Feedback = { id: string; trace_id: string; value: number }

function postFeedback(app: Parameters<typeof request>[0], key: string, body: object) {
  return request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send(body)
}

test('an acknowledged write is in the operation log before the response, and survives a restart', async () => {
  const db = join(dir, 'store', 'db.json')
  const key = freshKey()
  const first = await createTestEmulator({ db })
  const res = await postFeedback(first.app, key, { trace_id: 't', value: 7 }).expect(200)
  const id = res.body.feedback_ids[0] as string
  // No close(), no flush: the 200 means the log on disk already holds the operation.
  const lines = (await readFile(`${db}.log`, 'utf8')).trim().split('\n')
  expect(JSON.parse(lines[0]!)).toEqual({ store: 'llm-feedback-emulator', log: 1, after: 0 })
  expect(JSON.parse(lines[1]!)).toMatchObject({ seq: 1, type: 'portkey.feedback.create', tenant: key, feedback: [{ id, value: 7 }] })
  await first.close()
  // A clean close compacts: one snapshot, no log, no lock.
  expect(await readdir(join(dir, 'store'))).toEqual(['db.json'])
  expect(JSON.parse(await readFile(db, 'utf8'))).toMatchObject({ store: 'llm-feedback-emulator', version: 1, seq: 1 })

  const second = await createTestEmulator({ db })
  await request(second.app).put(`/portkey/v1/feedback/${id}`).set('x-portkey-api-key', key).send({ value: 8 }).expect(200)
  const state = await request(second.app).get('/__emulator/state').query({ apiKey: key }).expect(200)
  expect(state.body.portkey[0].feedback[0]).toMatchObject({ id, value: 8 })
  await second.close()
})

test('startup fixtures fill only tenants the store does not have yet, so writes to the demo tenant survive restarts', async () => {
  const db = join(dir, 'db.json')
  const first = await createTestEmulator({ db, fixtures: [FIXTURE] })
  const before = (first.store.data.portkey['pk-emulator-dev'] as { feedback: unknown[] }).feedback.length
  await postFeedback(first.app, 'pk-emulator-dev', { trace_id: 'x', value: 1 }).expect(200)
  await first.close()
  const second = await createTestEmulator({ db, fixtures: [FIXTURE] })
  expect((second.store.data.portkey['pk-emulator-dev'] as { feedback: unknown[] }).feedback).toHaveLength(before + 1)
  await second.close()
})

test('a bad fixture leaves nothing half-loaded and nothing written', async () => {
  const db = join(dir, 'db.json')
  const good = JSON.parse(await readFile(FIXTURE, 'utf8')) as { pulze: { logs: { privacy_level?: unknown }[] }[] }
  good.pulze[0]!.logs[5]!.privacy_level = 9
  const bad = join(dir, 'bad.json')
  await writeFile(bad, JSON.stringify(good))
  await expect(createTestEmulator({ db, fixtures: [FIXTURE, bad] })).rejects.toThrow(/bad\.json: \$\.pulze\[0\]\.logs\[5\]\.privacy_level/)
  await expect(readdir(dir)).resolves.toEqual(['bad.json'])
  // …and the lock was released: the store opens again.
  await (await createTestEmulator({ db })).close()
})

test('a store file that is not JSON is refused at startup with a clear message', async () => {
  const db = join(dir, 'db.json')
  await writeFile(db, '{"portkey": {')
  await expect(createTestEmulator({ db })).rejects.toThrow(/db\.json: the store file is not valid JSON/)
})

test('a failed write answers 500, is never visible, and is not persisted by a later write', async () => {
  const folder = join(dir, 'store')
  const db = join(folder, 'db.json')
  const key = freshKey()
  const warnings: string[] = []
  const emulator = await createTestEmulator({ db, store: { warn: (m) => warnings.push(m) } })
  await emulator.seed({ portkey: [{ apiKey: key, generations: [generation('t')] }] })
  const kept = await postFeedback(emulator.app, key, { trace_id: 't', value: 1 }).expect(200)

  // Block the store: its folder is replaced by a plain file, so no write can reach the disk.
  await rm(folder, { recursive: true })
  await writeFile(folder, 'not a folder')
  const failed = await postFeedback(emulator.app, key, { trace_id: 't', value: 5 })
  expect(failed.status).toBe(500)
  expect(failed.body).toMatchObject({ success: false, data: { errorCode: 'AB04' } })
  // Deliberate: the failed write is logged as the unexpected error it is.
  expect(takeUnexpectedErrors()).toEqual([expect.stringContaining('EEXIST')])
  const scores = await request(emulator.app)
    .get('/portkey/v1/analytics/graphs/feedbacks/scores')
    .query(WINDOW)
    .set('x-portkey-api-key', key)
  expect(scores.body.data_points).toEqual([{ score: 1, total: 1 }])

  // Unblocked: the next write re-creates the store, with what was acknowledged and nothing else.
  await rm(folder)
  const later = await postFeedback(emulator.app, key, { trace_id: 't', value: 3 }).expect(200)
  expect(warnings.some((w) => w.includes('removed while the emulator ran'))).toBe(true)
  await emulator.close()
  const restarted = await createTestEmulator({ db })
  const feedback = (restarted.store.data.portkey[key] as { feedback: Feedback[] }).feedback
  expect(feedback.map((f) => [f.id, f.value])).toEqual([
    [kept.body.feedback_ids[0], 1],
    [later.body.feedback_ids[0], 3],
  ])
  await restarted.close()
})

test("the store's folder deleted while the server runs is re-created on the next write, with every acknowledged write", async () => {
  const folder = join(dir, 'store')
  const db = join(folder, 'db.json')
  const key = freshKey()
  const emulator = await createTestEmulator({ db, store: { warn: () => {} } })
  const ids: string[] = []
  for (let i = 0; i < 3; i++)
    ids.push((await postFeedback(emulator.app, key, { trace_id: `a${i}`, value: i }).expect(200)).body.feedback_ids[0])
  await rm(folder, { recursive: true })
  for (let i = 0; i < 3; i++)
    ids.push((await postFeedback(emulator.app, key, { trace_id: `b${i}`, value: i }).expect(200)).body.feedback_ids[0])
  // Every 200 was on disk when it was sent: a process killed now (no close) loses none of them.
  expect((await readdir(folder)).sort()).toEqual(['db.json', 'db.json.lock', 'db.json.log'])
  const copy = join(dir, 'copy')
  await rm(copy, { recursive: true, force: true })
  await cp(folder, copy, { recursive: true })
  await rm(join(copy, 'db.json.lock'))
  const fromDisk = await createTestEmulator({ db: join(copy, 'db.json') })
  expect((fromDisk.store.data.portkey[key] as { feedback: Feedback[] }).feedback.map((f) => f.id)).toEqual(ids)
  await fromDisk.close()
  await emulator.close()
})

test('writes under load share log appends: 200 concurrent feedback posts, every one on disk, far fewer appends', async () => {
  const db = join(dir, 'db.json')
  const emulator = await createTestEmulator({ db })
  const { url } = await emulator.listen(0)
  const key = freshKey()
  const responses = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      fetch(`${url}/portkey/v1/feedback`, {
        method: 'POST',
        headers: { 'x-portkey-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ trace_id: `t-${i}`, value: 1 }),
      }),
    ),
  )
  expect(responses.every((r) => r.status === 200)).toBe(true)
  const logged = (await readFile(`${db}.log`, 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l) as { feedback: unknown[] })
  expect(logged.flatMap((op) => op.feedback)).toHaveLength(200)
  expect(emulator.store.stats.appends).toBeLessThan(100)
  await emulator.close()
})

test('two emulators on one store in one process: the second is refused, and may open it once the first closes', async () => {
  const db = join(dir, 'db.json')
  const first = await createTestEmulator({ db })
  await expect(createTestEmulator({ db })).rejects.toThrow(/db\.json: the store is already open in this process/)
  await first.close()
  await (await createTestEmulator({ db })).close()
})

function generation(traceId: string) {
  return {
    id: `g-${traceId}`,
    trace_id: traceId,
    created_at: '2026-01-10T10:00:00.000Z',
    provider: 'openai',
    model: 'gpt-4o',
    status_code: 200,
    prompt_tokens: 1,
    completion_tokens: 1,
    total_tokens: 2,
    cost: 0,
    metadata: {},
  }
}
