import { readFile, writeFile } from 'node:fs/promises'
import { crc32 } from 'node:zlib'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { ConfigError } from '../../src/config/config-error.ts'
import { SnapshotFile } from '../../src/store/snapshot-file.ts'
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

const FIXTURE = new URL('../../fixtures/default.json', import.meta.url).pathname

test('a store that parses but has the wrong shape refuses to start, naming the file and the JSON path', async () => {
  await writeFile(db, '{"version":1,"portkey":{"k":{"generations":"oops"}}}')
  const opening = openStore(db)
  await expect(opening).rejects.toBeInstanceOf(ConfigError)
  await expect(opening).rejects.toThrow(
    `${db}: the store does not have the shape this version reads ($.portkey.k.generations: must be an array`,
  )
})

test('a record of the wrong shape is named by its JSON path in its tenant', async () => {
  const feedback = { id: 'f', trace_id: 't', value: 11, weight: 1, metadata: {}, created_at: '2026-01-10T10:00:00.000Z' }
  await writeFile(
    db,
    JSON.stringify({ version: 1, portkey: { 'team a': { generations: [], feedback: [feedback] } }, helicone: {}, pulze: {} }),
  )
  await expect(openStore(db)).rejects.toThrow('$.portkey["team a"].feedback[0].value: must be <= 10')
})

test('a fixture document given as the store is refused and left untouched', async () => {
  const before = await readFile(FIXTURE)
  const copy = join(scratch.dir, 'fixture.json')
  await writeFile(copy, before)
  await expect(openStore(copy)).rejects.toThrow(
    `${copy}: not a store written by llm-feedback-emulator (no "store" marker and no "version": 1). It is left untouched; point --db at a new file (or an existing store), and load this file with --fixtures.`,
  )
  expect((await readFile(copy)).equals(before)).toBe(true)
})

test('other JSON is refused too: an array, a foreign marker, extra fields in an old-style store', async () => {
  for (const [text, why] of [
    ['[1,2]', 'it is not a JSON object'],
    ['{"store":"someone-else","version":1,"seq":0}', 'its "store" field is "someone-else"'],
    ['{"version":1,"portkey":{},"users":[]}', 'unexpected field $.users'],
  ] as const) {
    await writeFile(db, text)
    await expect(openStore(db)).rejects.toThrow(`not a store written by llm-feedback-emulator (${why})`)
  }
})

test('a store written by the previous version (one JSON line, no marker) loads, and is rewritten in the new format on close', async () => {
  const feedback = { id: 'old', trace_id: 't', value: 1, weight: 1, metadata: {}, created_at: '2026-01-10T10:00:00.000Z' }
  await writeFile(db, JSON.stringify({ version: 1, portkey: { k: { generations: [], feedback: [feedback] } }, helicone: {}, pulze: {} }))
  const store = await openStore(db)
  expect(feedbackIds(store, 'k')).toEqual(['old'])
  await store.commit(feedbackOp('k', 1, 'new'))
  await store.close()
  const text = await readFile(db, 'utf8')
  expect(JSON.parse(text)).toMatchObject({ store: 'llm-feedback-emulator', version: 1, seq: 1 })
  expect(text.split('\n').length).toBeGreaterThan(5) // one record per line
  const reopened = await openStore(db)
  expect(feedbackIds(reopened, 'k')).toEqual(['old', 'new'])
  await reopened.close()
})

test('a store as the emulator writes it round-trips: every vendor, the bundled fixtures, tenants with odd names', async () => {
  const { createEmulator } = await import('../../src/emulator.ts')
  const first = await createEmulator({ db, quiet: true, fixtures: [FIXTURE] })
  await first.seed({ portkey: [{ apiKey: '__proto__', feedback: [] }, { apiKey: 'a "quoted"\nkey' }] })
  const before = structuredClone(first.store.data)
  await first.close()
  const second = await createEmulator({ db, quiet: true })
  expect(second.store.data).toEqual(before)
  expect(Object.keys(second.store.data.portkey)).toContain('__proto__')
  await second.close()
})

test('a snapshot ends with the CRC-32 of what precedes it: as written it loads unchecked, edited by hand it is checked in full', async () => {
  const feedback = (id: string, value: number) => ({
    id,
    trace_id: 't',
    value,
    weight: 1,
    metadata: {},
    created_at: '2026-01-10T10:00:00.000Z',
  })
  const store = await openStore(db)
  await store.commit(feedbackOp('k', 1, 'a'))
  await store.close()
  const written = await readFile(db, 'utf8')
  const lines = written.trimEnd().split('\n')
  expect(lines.at(-1)).toBe('}')
  expect(lines.at(-2)).toMatch(/^"checksum":"crc32:[0-9a-f]{8}"$/)
  expect(lines.at(-2)).toBe(
    `"checksum":"crc32:${crc32(written.slice(0, written.lastIndexOf('"checksum"')))
      .toString(16)
      .padStart(8, '0')}"`,
  )
  // Any JSON reader still reads it (the checksum is one more member).
  expect(JSON.parse(written)).toMatchObject({ store: 'llm-feedback-emulator', seq: 1 })

  const snapshot = new SnapshotFile(db, () => 0)
  await snapshot.read()
  expect(snapshot.verified).toBe(true)

  // A record edited into a shape the schema refuses: the checksum no longer matches, so the check runs.
  const recordLine = lines.findIndex((l) => l.includes('"id":"a"'))
  const edited = [...lines]
  edited[recordLine] = `${JSON.stringify(feedback('a', 11))}${lines[recordLine]!.endsWith(',') ? ',' : ''}`
  await writeFile(db, `${edited.join('\n')}\n`)
  await snapshot.read()
  expect(snapshot.verified).toBe(false)
  await expect(openStore(db)).rejects.toThrow('$.portkey.k.feedback[0].value: must be <= 10')

  // Edited into another valid record: checked, and accepted.
  edited[recordLine] = `${JSON.stringify(feedback('b', 3))}${lines[recordLine]!.endsWith(',') ? ',' : ''}`
  await writeFile(db, `${edited.join('\n')}\n`)
  const reopened = await openStore(db)
  expect(feedbackIds(reopened, 'k')).toEqual(['b'])
  await reopened.close()
})
