import { request } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { buildPulzeFixture } from '../../../scripts/fixtures/pulze.ts'
import type { Emulator } from '../../../src/emulator.ts'
import { startTestEmulator } from '../../helpers/create-test-emulator.ts'

let emulator: Emulator & { url: string }
const anchor = new Date('2026-01-01T00:00:00.000Z')

beforeAll(async () => {
  // As `npm start` loads fixtures/default.json: the demo app, its times moved so the anchor is now.
  emulator = await startTestEmulator({ fixtures: [{ timeAnchor: anchor.toISOString(), pulze: buildPulzeFixture(anchor) as never }] })
})
afterAll(() => emulator.close())

/** What curl sends: raw bytes on a socket, the headers exactly as in Pulze's docs. */
function curl(
  method: string,
  path: string,
  headers: Record<string, string>,
  data?: string,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${emulator.url}${path}`,
      { method, headers: { ...headers, ...(data === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(data)) }) } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
      },
    )
    req.on('error', reject)
    if (data !== undefined) req.write(data)
    req.end()
  })
}

test('curl as in Pulze docs: rate a seeded log, read it back from GET and from the list', async () => {
  const auth = { Authorization: 'Bearer sk-pulze-emulator-dev', 'Content-Type': 'application/json' }
  const since = new Date(Date.now() - 31 * 86_400_000).toISOString()
  const listed = await curl('POST', '/pulze/v1/logs?page=1&size=5', auth, JSON.stringify({ date_from: since }))
  expect(listed.status).toBe(200)
  expect(listed.headers['content-type']).toMatch(/^application\/json/)
  const page = JSON.parse(listed.text) as { items: { id: string }[]; total: number; pages: number }
  expect(page.total).toBeGreaterThanOrEqual(50)
  expect(page.pages).toBe(Math.ceil(page.total / 5))
  const logId = page.items[0]!.id

  const rated = await curl('POST', `/pulze/v1/logs/${logId}/rating`, auth, '{"good_answer": true, "feedback": "<string>"}')
  expect(rated.status).toBe(200)
  expect(JSON.parse(rated.text)).toMatchObject({ id: logId, good_answer: true, feedback: '<string>' })

  const got = await curl('GET', `/pulze/v1/logs/${logId}`, { Authorization: 'Bearer sk-pulze-emulator-dev' })
  expect(JSON.parse(got.text)).toMatchObject({ good_answer: true, feedback: '<string>' })
  const again = JSON.parse((await curl('POST', '/pulze/v1/logs?size=1', auth, JSON.stringify({ date_from: since }))).text) as {
    items: { id: string; good_answer: boolean }[]
  }
  expect(again.items[0]).toMatchObject({ id: logId, good_answer: true })

  const noKey = await curl('POST', `/pulze/v1/logs/${logId}/rating`, { 'Content-Type': 'application/json' }, '{}')
  expect(noKey.status).toBe(401)
  expect(noKey.text).toBe('{"detail":"Not authenticated"}')
})
