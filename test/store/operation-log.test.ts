import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { ConfigError } from '../../src/config/config-error.ts'
import { logHeader, operationLine } from '../../src/store/operation-log.ts'
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

/** A log as a crash leaves it: a header, whole lines, and whatever `tail` was being written. */
async function writeLog(count: number, tail = '', after = 0): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => `${operationLine(after + i + 1, feedbackOp('k', 1, `f-${after + i + 1}`))}\n`)
  await writeFile(`${db}.log`, logHeader(after) + lines.join('') + tail)
}

test('a torn last line (a crash mid-append) is dropped with a warning, cut off the file, and later writes follow cleanly', async () => {
  const torn = operationLine(4, feedbackOp('k', 1, 'f-4')).slice(0, 40)
  await writeLog(3, torn)
  const warnings: string[] = []
  const store = await openStore(db, { warn: (m) => warnings.push(m) })
  expect(feedbackIds(store, 'k')).toEqual(['f-1', 'f-2', 'f-3'])
  expect(warnings).toHaveLength(1)
  expect(warnings[0]).toMatch(/db\.json\.log: line 5 is cut off: a write was cut off by a crash before it was acknowledged; dropping it/)
  expect(await readFile(`${db}.log`, 'utf8')).not.toContain(torn)
  await store.commit(feedbackOp('k', 1, 'f-next'))
  expect(
    (await readFile(`${db}.log`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { seq?: number }).seq),
  ).toEqual([undefined, 1, 2, 3, 4])
  await store.close()
  const reopened = await openStore(db)
  expect(feedbackIds(reopened, 'k')).toEqual(['f-1', 'f-2', 'f-3', 'f-next'])
  await reopened.close()
})

test('a last line that is complete but garbled (zeros from a crash) is dropped too', async () => {
  await writeLog(2, '\u0000\u0000\u0000\u0000\n')
  const warnings: string[] = []
  const store = await openStore(db, { warn: (m) => warnings.push(m) })
  expect(feedbackIds(store, 'k')).toEqual(['f-1', 'f-2'])
  expect(warnings[0]).toMatch(/line 4 is not JSON/)
  await store.close()
})

test('a corrupt line before the last refuses to start, naming the file, the line and what to do', async () => {
  await writeLog(2, `{"seq":3,"type":"portkey.feedback.cr\n${operationLine(4, feedbackOp('k'))}\n`)
  const opening = openStore(db)
  await expect(opening).rejects.toBeInstanceOf(ConfigError)
  await expect(opening).rejects.toThrow(/db\.json\.log: line 4 is not JSON .*Restore both files from a backup, or move them aside/)
  // Nothing was changed, and the lock is released.
  expect(await readFile(`${db}.log`, 'utf8')).toContain('portkey.feedback.cr\n')
  await expect(openStore(db)).rejects.toThrow(/line 4/)
})

test('a missing operation (a gap in the sequence) refuses to start', async () => {
  await writeFile(
    `${db}.log`,
    logHeader(0) + `${operationLine(1, feedbackOp('k'))}\n${operationLine(3, feedbackOp('k'))}\n${operationLine(4, feedbackOp('k'))}\n`,
  )
  await expect(openStore(db)).rejects.toThrow(/db\.json\.log: line 3 is operation 3, expected 2/)
})

test('a line that is JSON but no operation refuses to start', async () => {
  await writeFile(`${db}.log`, logHeader(0) + '{"seq":1,"type":"portkey.nothing"}\n' + `${operationLine(2, feedbackOp('k'))}\n`)
  await expect(openStore(db)).rejects.toThrow(/db\.json\.log: line 2 is not an operation/)
})

test('a log that starts after operations the snapshot does not hold refuses to start', async () => {
  await writeLog(2, '', 5)
  await expect(openStore(db)).rejects.toThrow(
    /line 1 says the log starts after operation 5, but the snapshot holds operations up to 0 only/,
  )
})

test('a file beside the store that is not our log refuses to start', async () => {
  await writeFile(`${db}.log`, '{"hello":"world"}\n')
  await expect(openStore(db)).rejects.toThrow(/db\.json\.log: not an operation log written by llm-feedback-emulator/)
})

test('a log with only a torn header (a crash before the first write was on disk) loads as empty', async () => {
  await writeFile(`${db}.log`, logHeader(0).slice(0, 20))
  const warnings: string[] = []
  const store = await openStore(db, { warn: (m) => warnings.push(m) })
  expect(store.seq).toBe(0)
  expect(warnings[0]).toMatch(/line 1 is cut off/)
  await store.commit(feedbackOp('k', 1, 'first'))
  await store.close()
  const reopened = await openStore(db)
  expect(feedbackIds(reopened, 'k')).toEqual(['first'])
  await reopened.close()
})

test('an operation that cannot be applied (a hand-edited line) refuses to start, naming its line', async () => {
  await writeFile(`${db}.log`, logHeader(0) + '{"seq":1,"type":"seed","tenants":null}\n' + `${operationLine(2, feedbackOp('k'))}\n`)
  await expect(openStore(db)).rejects.toThrow(/db\.json\.log: line 2 could not be applied/)
})
