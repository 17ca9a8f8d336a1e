import { readFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { feedbackIds, feedbackOp, openStore, scratchFolder } from './store-helpers.ts'

let scratch: Awaited<ReturnType<typeof scratchFolder>>
beforeEach(async () => {
  scratch = await scratchFolder()
})
afterEach(async () => {
  await scratch.remove()
})

test('concurrent commits share appends, and each resolves only once its line is on disk and applied', async () => {
  const db = join(scratch.dir, 'db.json')
  const store = await openStore(db)
  const resolvedSeqs: number[] = []
  const commits: Promise<void>[] = []
  // 300 commits arriving over many ticks while appends are in flight.
  for (let i = 0; i < 300; i++) {
    const op = feedbackOp('k', 1, `f-${i}`)
    commits.push(
      store.commit(op).then(() => {
        // At resolution the line is in the log file and the record is in the document.
        const log = readFileSync(`${db}.log`, 'utf8')
        expect(log).toContain(`"id":"f-${i}"`)
        expect(feedbackIds(store, 'k')).toContain(`f-${i}`)
        resolvedSeqs.push(i)
      }),
    )
    expect(feedbackIds(store, 'k')).not.toContain(`f-${i}`) // not visible before it is durable
    if (i % 10 === 0) await new Promise((r) => setImmediate(r))
  }
  await Promise.all(commits)
  expect(resolvedSeqs).toEqual(Array.from({ length: 300 }, (_, i) => i)) // in commit order
  expect(store.stats.committed).toBe(300)
  expect(store.stats.appends).toBeLessThan(60)
  const lines = readFileSync(`${db}.log`, 'utf8').trim().split('\n')
  expect(lines).toHaveLength(301)
  expect(lines.slice(1).map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
  await store.close()
})

test('a commit whose write fails rejects and changes nothing; the next one succeeds', async () => {
  const folder = join(scratch.dir, 'store')
  const db = join(folder, 'db.json')
  const store = await openStore(db)
  await store.commit(feedbackOp('k', 1, 'kept'))
  await rm(folder, { recursive: true })
  await writeFile(folder, 'in the way')
  await expect(store.commit(feedbackOp('k', 2, 'lost'))).rejects.toThrow()
  expect(feedbackIds(store, 'k')).toEqual(['kept'])
  expect(store.seq).toBe(1)
  await rm(folder)
  await store.commit(feedbackOp('k', 3, 'later'))
  await store.close()
  const reopened = await openStore(db)
  expect(feedbackIds(reopened, 'k')).toEqual(['kept', 'later'])
  expect(reopened.seq).toBe(2)
  await reopened.close()
})

test('an operation that cannot be written as JSON is refused alone; the others of its batch go through', async () => {
  const db = join(scratch.dir, 'db.json')
  const store = await openStore(db)
  const bad = feedbackOp('k', 1, 'bad') as { feedback: Record<string, unknown>[] }
  bad.feedback[0]!['metadata'] = { n: 10n }
  const results = await Promise.allSettled([
    store.commit(feedbackOp('k', 1, 'a')),
    store.commit(bad as never),
    store.commit(feedbackOp('k', 1, 'b')),
  ])
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  expect(feedbackIds(store, 'k')).toEqual(['a', 'b'])
  await store.close()
})

test('the in-memory store goes through the same path: applied after the (empty) write, in order', async () => {
  const store = await openStore(':memory:')
  const pending = store.commit(feedbackOp('k', 1, 'a'))
  expect(feedbackIds(store, 'k')).toEqual([])
  await pending
  expect(feedbackIds(store, 'k')).toEqual(['a'])
  await store.close()
})
