import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { ConfigError } from '../../src/config/config-error.ts'
import { feedbackIds, feedbackOp, openStore, scratchFolder } from './store-helpers.ts'

const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href
const HOLDER = new URL('./hold-store.ts', import.meta.url).pathname

let scratch: Awaited<ReturnType<typeof scratchFolder>>
let db: string
const children: ChildProcess[] = []
beforeEach(async () => {
  scratch = await scratchFolder()
  db = join(scratch.dir, 'db.json')
})
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await scratch.remove()
})

/** A second process that opens the store and holds it. */
async function holdInAnotherProcess(path: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, HOLDER, path], { stdio: ['pipe', 'pipe', 'pipe'] })
  children.push(child)
  await new Promise<void>((resolve, reject) => {
    let seen = ''
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString()
      if (seen.includes('ready')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`holder exited (${code})`)))
  })
  return child
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))
}

test('a store held by another process is refused, naming the holder; once that process is killed, the lock is taken over', async () => {
  const holder = await holdInAnotherProcess(db)
  const opening = openStore(db)
  await expect(opening).rejects.toBeInstanceOf(ConfigError)
  await expect(opening).rejects.toThrow(`${db}: the store is in use by process ${holder.pid} on ${hostname()} (started `)
  await expect(openStore(db)).rejects.toThrow(`Stop that process, use another --db, or, if it is gone, delete ${db}.lock.`)
  holder.kill('SIGKILL')
  await exited(holder)
  const store = await openStore(db)
  expect(JSON.parse(await readFile(`${db}.lock`, 'utf8'))).toMatchObject({
    program: 'llm-feedback-emulator',
    pid: process.pid,
    host: hostname(),
  })
  await store.close()
})

test('the lock is released on close: another process opens the store after it', async () => {
  const store = await openStore(db)
  await store.commit(feedbackOp('k', 1, 'mine'))
  await store.close()
  await expect(readFile(`${db}.lock`)).rejects.toMatchObject({ code: 'ENOENT' })
  const holder = await holdInAnotherProcess(db)
  holder.stdin!.end()
  await exited(holder)
  expect(holder.exitCode).toBe(0)
  const reopened = await openStore(db)
  expect(feedbackIds(reopened, 'k')).toEqual(['mine'])
  await reopened.close()
})

test('a lock left by an earlier process with our own pid (PID 1 in a restarted container) is taken over', async () => {
  await writeFile(
    `${db}.lock`,
    JSON.stringify({ program: 'llm-feedback-emulator', pid: process.pid, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z' }),
  )
  const store = await openStore(db)
  await store.close()
})

test('a lock from another host is never taken over', async () => {
  await writeFile(
    `${db}.lock`,
    JSON.stringify({ program: 'llm-feedback-emulator', pid: 1, host: 'elsewhere', startedAt: '2020-01-01T00:00:00.000Z' }),
  )
  await expect(openStore(db)).rejects.toThrow(`the store is in use by process 1 on elsewhere (started 2020-01-01T00:00:00.000Z)`)
})
