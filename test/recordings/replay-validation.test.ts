import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ConfigError } from '../../src/emulator.ts'
import { checkRecordingDocument } from '../../src/recordings/recording-document.ts'
import { createTestEmulator } from '../helpers/create-test-emulator.ts'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-replay-validation-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const GOOD = {
  vendor: 'portkey',
  method: 'POST',
  path: '/v1/feedback',
  requestBody: { trace_id: 't', value: 1 },
  status: 200,
  responseHeaders: { 'content-type': 'application/json' },
  responseBody: { status: 'success', message: 'Feedback saved', feedback_ids: ['8c1a4fbf-26d9-49df-82ca-ab772ba397d2'] },
}

test('a recording the spec rejects stops startup, naming the file, the index and the violation', async () => {
  const file = join(dir, 'bad.json')
  await writeFile(
    file,
    JSON.stringify({
      recordings: [
        GOOD,
        { ...GOOD, responseBody: { status: 'success', message: 'saved' } },
        { ...GOOD, requestBody: { trace_id: 't', value: 11 } },
        { ...GOOD, path: '/v1/nothing-here' },
        { ...GOOD, status: 418 },
      ],
    }),
  )
  const failure = await createTestEmulator({ replay: { files: [file] } }).then(
    () => null,
    (error: unknown) => error,
  )
  expect(failure).toBeInstanceOf(ConfigError)
  const message = (failure as Error).message
  expect(message).toContain(`${file}: $.recordings[1].responseBody.feedback_ids: is required (createFeedback: POST /v1/feedback → 200)`)
  expect(message).toContain(`${file}: $.recordings[2].requestBody.value: must be <= 10`)
  expect(message).toContain(`${file}: $.recordings[3].path: no operation of specs/portkey.yaml has the path /v1/nothing-here`)
  expect(message).toContain(`${file}: $.recordings[4].status: status 418 is not declared for createFeedback`)
  expect(message).not.toContain('$.recordings[0]')
})

test('a recording that is not even a recording document is reported by its JSON path', () => {
  expect(checkRecordingDocument({ recordings: [{ vendor: 'nobody', method: 'GET', path: 'x', status: 200 }] })).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: '$.recordings[0].vendor' }),
      expect.objectContaining({ path: '$.recordings[0].path', message: 'must match pattern "^/"' }),
    ]),
  )
})

test('a request the spec rejects is fine in a recording when the vendor rejected it too', () => {
  const rejected = {
    ...GOOD,
    requestBody: { trace_id: 't', value: 11 },
    status: 400,
    responseBody: { success: false, data: { message: 'Request Validation Error', errorCode: 'AB01' } },
  }
  expect(checkRecordingDocument({ recordings: [rejected] })).toEqual([])
})

test('a missing recording file stops startup', async () => {
  await expect(createTestEmulator({ replay: { files: [join(dir, 'nope.json')] } })).rejects.toThrow(
    /nope\.json: \$: no such file or folder/,
  )
})

test('a recorded path refuses JSON nested deeper than the limit as the vendor would, instead of overflowing the stack', async () => {
  const file = join(dir, 'deep.json')
  await writeFile(file, JSON.stringify({ recordings: [GOOD] }))
  const emulator = await createTestEmulator({ replay: { files: [file] } })
  const { url } = await emulator.listen(0)
  const res = await fetch(`${url}/portkey/v1/feedback`, {
    method: 'POST',
    headers: { 'x-portkey-api-key': 'k', 'content-type': 'application/json' },
    body: '['.repeat(10_000) + ']'.repeat(10_000),
  })
  expect(res.status).toBe(400)
  expect(await res.json()).toMatchObject({ success: false, data: { errorCode: 'AB01' } })
  await emulator.close()
})
