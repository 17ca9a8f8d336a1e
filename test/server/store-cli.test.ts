// The CLI refuses a store it must not use (exit 2, naming the file), before serving anything.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runCli, startCli } from '../cli/run-cli.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-store-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const FIXTURE = new URL('../../fixtures/default.json', import.meta.url).pathname

test('--db pointing at a fixture document is refused with exit 2, and the file is left as it was', async () => {
  const file = join(dir, 'fixture-as-db.json')
  await copyFile(FIXTURE, file)
  const before = await readFile(file)
  const { code, stderr } = await runCli(['--db', file, '--port', '0'])
  expect(code).toBe(2)
  expect(stderr).toContain(`${file}: not a store written by llm-feedback-emulator`)
  expect(stderr).toContain('load this file with --fixtures')
  expect((await readFile(file)).equals(before)).toBe(true)
})

test('a store of the wrong shape is refused with exit 2, naming the file and the JSON path', async () => {
  const file = join(dir, 'wrong-shape.json')
  await writeFile(file, '{"version":1,"portkey":{"k":{"generations":"oops"}}}')
  const { code, stderr } = await runCli(['--db', file, '--port', '0'])
  expect(code).toBe(2)
  expect(stderr).toContain(`${file}: the store does not have the shape this version reads ($.portkey.k.generations: must be an array`)
})

test('a second process on the same store exits 2 naming the one that holds it; the first keeps serving', async () => {
  const db = join(dir, 'shared', 'db.json')
  const first = await startCli(['--db', db, '--quiet'])
  const second = await runCli(['--db', db, '--port', '0'])
  expect(second.code).toBe(2)
  expect(second.stderr).toMatch(new RegExp(`the store is in use by process ${first.child.pid} on .* \\(started `))
  expect((await fetch(`${first.url}/__emulator/health`)).status).toBe(200)
  first.child.kill('SIGTERM')
  expect((await first.finished).code).toBe(0)
  // Released on a clean stop: the next process takes it.
  const third = await startCli(['--db', db, '--quiet'])
  third.child.kill('SIGTERM')
  expect((await third.finished).code).toBe(0)
})
