import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest'
import { run } from '../../src/commands/validate.ts'

const exec = promisify(execFile)
const CLI = new URL('../../src/cli.ts', import.meta.url).pathname
const TSX = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname

let dir: string
let good: string
let broken: string

const feedback = (id: string, value: number) => ({
  id,
  trace_id: 'trace-1',
  value,
  weight: 1,
  metadata: {},
  created_at: '2026-01-01T00:00:00.000Z',
})

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-validate-'))
  good = join(dir, 'good.json')
  broken = join(dir, 'broken.json')
  await writeFile(
    good,
    JSON.stringify({
      portkey: [{ apiKey: 'pk-dev', feedback: [feedback('f1', 1), feedback('f2', -1)] }],
      recordings: [
        {
          vendor: 'portkey',
          method: 'POST',
          path: '/v1/feedback',
          requestBody: { trace_id: 'trace-1', value: 1 },
          status: 200,
          responseBody: { status: 'success', message: 'ok', feedback_ids: ['f3'] },
        },
      ],
    }),
  )
  await writeFile(
    broken,
    JSON.stringify({
      portkey: [{ apiKey: 'pk-dev', feedback: [feedback('f1', 1), feedback('f2', 2), feedback('f3', 3), feedback('f4', 11)] }],
    }),
  )
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

afterEach(() => {
  vi.restoreAllMocks()
})

function captureOutput(): { stdout: () => string; stderr: () => string } {
  let out = ''
  let err = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk)
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk)
    return true
  })
  return { stdout: () => out, stderr: () => err }
}

test('validate: a good document is one OK line and exit code 0', async () => {
  const output = captureOutput()
  expect(await run([good])).toBe(0)
  expect(output.stdout()).toBe(`${good}: OK (1 portkey tenant, 1 recording)\n`)
  expect(output.stderr()).toBe('')
})

test('validate: a broken fixture is exit code 1 with the JSON path of the fault', async () => {
  const output = captureOutput()
  expect(await run([good, broken])).toBe(1)
  expect(output.stdout()).toContain(`${good}: OK`)
  expect(output.stderr()).toBe(`${broken}: $.portkey[0].feedback[3].value: must be <= 10\n`)
})

test('validate: a folder is checked file by file; unreadable JSON is a fault, a missing path a usage error', async () => {
  const folder = join(dir, 'folder')
  await mkdir(folder)
  await writeFile(join(folder, 'a.json'), '{"portkey": [')
  let output = captureOutput()
  expect(await run([folder])).toBe(1)
  expect(output.stderr()).toMatch(/a\.json: \$: not valid JSON/)
  vi.restoreAllMocks()
  output = captureOutput()
  expect(await run([join(dir, 'missing.json')])).toBe(2)
  expect(output.stderr()).toContain('missing.json: $: no such file or folder')
  vi.restoreAllMocks()
  output = captureOutput()
  expect(await run([])).toBe(2)
  expect(output.stderr()).toContain('Usage: llm-feedback-emulator validate PATH...')
})

test('validate through the CLI binary: exit code and message', async () => {
  const ok = await exec(TSX, [CLI, 'validate', good])
  expect(ok.stdout).toContain(`${good}: OK`)
  const failure = await exec(TSX, [CLI, 'validate', broken]).then(
    () => null,
    (error: unknown) => error as { code: number; stderr: string },
  )
  expect(failure?.code).toBe(1)
  expect(failure?.stderr).toContain(`${broken}: $.portkey[0].feedback[3].value: must be <= 10`)
})
