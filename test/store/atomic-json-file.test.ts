import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { AtomicJsonFile } from '../../src/store/atomic-json-file.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-store-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

test('read gives null while the file does not exist, and nothing is created by reading', async () => {
  const file = join(dir, 'nested', 'db.json')
  const adapter = new AtomicJsonFile<{ n: number }>(file)
  expect(await adapter.read()).toBeNull()
  await expect(readdir(dir)).resolves.toEqual([])
})

test('the first write creates the folder and the file, and leaves no temporary file behind', async () => {
  const file = join(dir, 'nested', 'db.json')
  const adapter = new AtomicJsonFile<{ n: number }>(file)
  await adapter.write({ n: 1 })
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 1 })
  expect(await readdir(join(dir, 'nested'))).toEqual(['db.json'])
  expect(await adapter.read()).toEqual({ n: 1 })
})

test('concurrent writes are coalesced: 100 writes cost at most two file writes, and each resolves with its data on disk', async () => {
  const file = join(dir, 'db.json')
  const adapter = new AtomicJsonFile<{ n: number }>(file)
  const data = { n: 0 }
  const seenOnDisk: number[] = []
  const writes: Promise<void>[] = []
  for (let i = 1; i <= 100; i++) {
    data.n = i
    const asked = i
    writes.push(
      adapter.write(data).then(async () => {
        const onDisk = JSON.parse(await readFile(file, 'utf8')) as { n: number }
        expect(onDisk.n).toBeGreaterThanOrEqual(asked)
        seenOnDisk.push(onDisk.n)
      }),
    )
  }
  await Promise.all(writes)
  expect(adapter.fileWrites).toBeLessThanOrEqual(2)
  expect(seenOnDisk).toHaveLength(100)
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 100 })
})

test('each write that resolves is on disk: a later write after the first settles is written again', async () => {
  const file = join(dir, 'db.json')
  const adapter = new AtomicJsonFile<{ n: number }>(file)
  await adapter.write({ n: 1 })
  await adapter.write({ n: 2 })
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 2 })
})

test('flush waits for the write in flight without writing anything itself', async () => {
  const file = join(dir, 'db.json')
  const adapter = new AtomicJsonFile<{ n: number }>(file)
  await adapter.flush()
  await expect(readdir(dir)).resolves.toEqual([])
  const pending = adapter.write({ n: 7 })
  await adapter.flush()
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 7 })
  await pending
})

test('a reader during a replacement sees the old file or the new one, never a torn one (and did read mid-write)', async () => {
  const file = join(dir, 'db.json')
  const adapter = new AtomicJsonFile<{ version: number; items: string[] }>(file)
  const items = Array.from({ length: 100_000 }, (_, i) => `item-${i}`)
  await adapter.write({ version: 0, items })
  // Reads are counted as "mid-write" only when the temporary file was there: the write was really under way.
  let readsMidWrite = 0
  for (let version = 1; version <= 20 && readsMidWrite === 0; version++) {
    let done = false
    const writing = adapter.write({ version, items }).finally(() => (done = true))
    while (!done) {
      const names = await readdir(dir)
      const text = await readFile(file, 'utf8')
      const seen = JSON.parse(text) as { version: number; items: string[] }
      expect([version - 1, version]).toContain(seen.version)
      expect(seen.items).toHaveLength(100_000)
      if (names.some((n) => n !== 'db.json')) readsMidWrite++
    }
    await writing
  }
  expect(readsMidWrite).toBeGreaterThan(0)
})

test('two writers of one file in one process never share a temporary file', async () => {
  const file = join(dir, 'db.json')
  const a = new AtomicJsonFile<{ writer: string; items: number[] }>(file)
  const b = new AtomicJsonFile<{ writer: string; items: number[] }>(file)
  const items = Array.from({ length: 5_000 }, (_, i) => i)
  for (let round = 0; round < 20; round++) {
    await Promise.all([a.write({ writer: 'a', items }), b.write({ writer: 'b', items })])
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as { writer: string; items: number[] }
    expect(onDisk.items).toHaveLength(5_000)
  }
  expect(await readdir(dir)).toEqual(['db.json'])
})

test('a write after the folder was deleted re-creates the folder', async () => {
  const file = join(dir, 'nested', 'db.json')
  const adapter = new AtomicJsonFile<{ n: number }>(file)
  await adapter.write({ n: 1 })
  await rm(join(dir, 'nested'), { recursive: true })
  await adapter.write({ n: 2 })
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 2 })
})
