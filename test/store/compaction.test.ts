import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { feedbackIds, feedbackOp, openStore, scratchFolder } from './store-helpers.ts'

let scratch: Awaited<ReturnType<typeof scratchFolder>>
let db: string
beforeEach(async () => {
  scratch = await scratchFolder()
  db = join(scratch.dir, 'db.json')
})
afterEach(async () => {
  await scratch.remove()
})

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `f-${from + i}`)

test('past the threshold the log is compacted into a snapshot and restarts small; a reload gives the same document', async () => {
  const store = await openStore(db, { compactLogBytes: 4096 })
  for (let i = 1; i <= 200; i++) await store.commit(feedbackOp('k', i % 10, `f-${i}`))
  await store.compact() // waits for any compaction in flight
  expect(store.stats.compactions).toBeGreaterThan(3)
  expect((await stat(`${db}.log`)).size).toBeLessThan(4096 + 1024)
  const snapshot = JSON.parse(await readFile(db, 'utf8')) as { seq: number }
  expect(snapshot.seq).toBe(200)
  const before = structuredClone(store.data)
  // A crash now (no close): the snapshot and the log together hold everything.
  const copy = join(scratch.dir, 'copy')
  await mkdir(copy)
  await copyFile(db, join(copy, 'db.json'))
  await copyFile(`${db}.log`, join(copy, 'db.json.log'))
  const reloaded = await openStore(join(copy, 'db.json'))
  expect(reloaded.data).toEqual(before)
  expect(reloaded.seq).toBe(200)
  await reloaded.close()
  await store.close()
})

test('writes committed while a snapshot is being written land in the new log, none lost, none twice', async () => {
  const store = await openStore(db)
  for (let i = 1; i <= 50; i++) await store.commit(feedbackOp('k', 1, `f-${i}`))
  const compaction = store.compact()
  const during = Array.from({ length: 50 }, (_, i) => store.commit(feedbackOp('k', 1, `f-${51 + i}`)))
  await Promise.all([compaction, ...during])
  await store.compact()
  const log = (await readFile(`${db}.log`, 'utf8')).trim().split('\n')
  expect(JSON.parse(log[0]!)).toMatchObject({ after: 100 })
  await store.close()
  const reopened = await openStore(db)
  expect(feedbackIds(reopened, 'k')).toEqual(ids(1, 100))
  await reopened.close()
})

test('a crash between the new snapshot and the new log (the old log still starts before it) replays each operation once', async () => {
  const store = await openStore(db)
  for (let i = 1; i <= 5; i++) await store.commit(feedbackOp('k', 1, `f-${i}`))
  const oldLog = await readFile(`${db}.log`, 'utf8') // header after 0, operations 1–5
  await store.compact() // snapshot at 5, log restarted after 5
  for (let i = 6; i <= 8; i++) await store.commit(feedbackOp('k', 1, `f-${i}`))
  const newLines = (await readFile(`${db}.log`, 'utf8')).split('\n').slice(1).join('\n') // operations 6–8
  const crashed = join(scratch.dir, 'crashed')
  await mkdir(crashed)
  await copyFile(db, join(crashed, 'db.json'))
  // The old log, with every operation since, as if the rename of the new log never happened.
  await writeFile(join(crashed, 'db.json.log'), oldLog + newLines)
  await writeFile(join(crashed, 'db.json.0123456789abcdef.tmp'), '{"half a snap')
  await writeFile(join(crashed, 'db.json.log.fedcba9876543210.tmp'), '{"store":')
  const reloaded = await openStore(join(crashed, 'db.json'))
  expect(feedbackIds(reloaded, 'k')).toEqual(ids(1, 8))
  expect(reloaded.seq).toBe(8)
  // Leftover temporary files of the interrupted compaction are gone.
  expect((await readdir(crashed)).sort()).toEqual(['db.json', 'db.json.lock', 'db.json.log'])
  await reloaded.close()
  await store.close()
})

test('close writes a final snapshot and removes the log; a store with nothing written leaves no files', async () => {
  const idle = await openStore(db)
  await idle.close()
  expect(await readdir(scratch.dir)).toEqual([])
  const store = await openStore(db)
  await store.commit(feedbackOp('k', 1, 'f-1'))
  await store.close()
  expect(await readdir(scratch.dir)).toEqual(['db.json'])
})

test('a crash at any moment under concurrent writes and back-to-back compactions loses no committed operation', async () => {
  const store = await openStore(db, { compactLogBytes: 2048 })
  let committed = 0
  for (let wave = 0; wave < 25; wave++) {
    await Promise.all(Array.from({ length: 20 }, () => store.commit(feedbackOp('k', 1, `f-${++committed}`))))
    // "Crash" (copy the files as they are, no close) every few waves and load the copy.
    if (wave % 6 === 5) {
      const copy = join(scratch.dir, `crash-${wave}`)
      await mkdir(copy)
      for (const name of await readdir(scratch.dir))
        if (name.startsWith('db.json')) await copyFile(join(scratch.dir, name), join(copy, name)).catch(() => {})
      await rm(join(copy, 'db.json.lock'), { force: true })
      const reloaded = await openStore(join(copy, 'db.json'))
      expect(feedbackIds(reloaded, 'k')).toEqual(ids(1, committed))
      await reloaded.close()
    }
  }
  expect(store.stats.compactions).toBeGreaterThan(5)
  await store.close()
})

test('compact() resolves while writes keep coming; close() refuses commits that arrive after it', async () => {
  const store = await openStore(db)
  let stop = false
  let n = 0
  const writer = (async () => {
    while (!stop) await store.commit(feedbackOp('k', 1, `f-${++n}`))
  })()
  await new Promise((resolve) => setTimeout(resolve, 50))
  await store.compact()
  stop = true
  await writer
  const closing = store.close()
  await expect(store.commit(feedbackOp('k'))).rejects.toThrow(/the store is closed/)
  await closing
  const reopened = await openStore(db)
  expect(feedbackIds(reopened, 'k')).toEqual(ids(1, n))
  await reopened.close()
})
