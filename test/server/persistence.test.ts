import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-persist-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const FIXTURE = new URL('../../fixtures/default.json', import.meta.url).pathname

test('an acknowledged write is on disk before the response, and survives a restart', async () => {
  const db = join(dir, 'store', 'db.json')
  const key = freshKey()
  const first = await createTestEmulator({ db })
  await expect(readdir(dir)).resolves.toEqual([]) // created on the first write, not at startup
  const res = await request(first.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', key)
    .send({ trace_id: 't', value: 7 })
    .expect(200)
  const id = res.body.feedback_ids[0] as string
  // No close(), no flush: the 200 means the file already holds it.
  const onDisk = JSON.parse(await readFile(db, 'utf8')) as { portkey: Record<string, { feedback: { id: string }[] }> }
  expect(onDisk.portkey[key]!.feedback.map((f) => f.id)).toEqual([id])
  await first.close()

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
  await request(first.app)
    .post('/portkey/v1/feedback')
    .set('x-portkey-api-key', 'pk-emulator-dev')
    .send({ trace_id: 'x', value: 1 })
    .expect(200)
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
})

test('a store file that is not JSON is refused at startup with a clear message', async () => {
  const db = join(dir, 'db.json')
  await writeFile(db, '{"portkey": {')
  await expect(createTestEmulator({ db })).rejects.toThrow(/db\.json: the store file is not valid JSON/)
})

test('writes under load are coalesced: 200 concurrent feedback posts, every one on disk, far fewer file writes', async () => {
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
  const onDisk = JSON.parse(await readFile(db, 'utf8')) as { portkey: Record<string, { feedback: unknown[] }> }
  expect(onDisk.portkey[key]!.feedback).toHaveLength(200)
  const adapter = (emulator.store as unknown as { adapter: { fileWrites: number } }).adapter
  expect(adapter.fileWrites).toBeLessThan(100)
  await emulator.close()
})
