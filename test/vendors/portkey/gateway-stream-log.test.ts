// When a streamed call is logged: before the stream's last event (so the record exists once the client has
// seen the end), and also when the client goes away in the middle, with the status the gateway had already
// sent (200) and the completion tokens of what reached the client.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { freshKey, startTestEmulator } from '../../helpers/create-test-emulator.ts'
import { generationsOf } from './gateway-helpers.ts'

// 400 ms of provider latency: the events are 100 ms apart, time enough to leave after the first words.
const emulator = await startTestEmulator({ completionLatencyMs: 400 })
afterAll(() => emulator.close())

const BODY = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me a long story about the sea' }] }

test('a stream cut short after its first words is logged with status 200 and the tokens it delivered', async () => {
  const key = freshKey('gw-cut')
  const headers = { 'content-type': 'application/json', 'x-portkey-api-key': key, 'x-portkey-provider': 'openai' }
  const url = `${emulator.url}/portkey/v1/chat/completions`
  const full = (await (await fetch(url, { method: 'POST', headers, body: JSON.stringify(BODY) })).json()) as {
    usage: { prompt_tokens: number; completion_tokens: number }
  }

  const controller = new AbortController()
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'x-portkey-trace-id': 'cut-1' },
    body: JSON.stringify({ ...BODY, stream: true }),
    signal: controller.signal,
  })
  expect(res.status).toBe(200)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let seen = ''
  // Read until the first content delta has arrived, then hang up.
  while (!/"content":"[^"]+"/.test(seen)) {
    const { value, done } = await reader.read()
    if (done) throw new Error('the stream ended before any content')
    seen += decoder.decode(value, { stream: true })
  }
  controller.abort()

  let cut = generationsOf(emulator, key).find((g) => g.trace_id === 'cut-1')
  for (let waited = 0; cut === undefined && waited < 3000; waited += 25) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    cut = generationsOf(emulator, key).find((g) => g.trace_id === 'cut-1')
  }
  expect(cut).toMatchObject({ status_code: 200, prompt_tokens: full.usage.prompt_tokens })
  expect(cut!.completion_tokens).toBeGreaterThan(0)
  expect(cut!.completion_tokens).toBeLessThan(full.usage.completion_tokens)
  expect(cut!.time_to_first_token_ms).toBeGreaterThanOrEqual(399)
})

test('the record of a stream is on disk before the client sees [DONE] (file store, fsync per commit)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lfe-portkey-stream-'))
  const fileBacked = await startTestEmulator({ db: join(dir, 'db.json') })
  try {
    const key = freshKey('gw-done')
    const res = await fetch(`${fileBacked.url}/portkey/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': key,
        'x-portkey-provider': 'openai',
        'x-portkey-trace-id': 'done-1',
      },
      body: JSON.stringify({ ...BODY, stream: true }),
    })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let seen = ''
    while (!seen.includes('data: [DONE]')) {
      const { value, done } = await reader.read()
      if (done) break
      seen += decoder.decode(value, { stream: true })
    }
    expect(seen).toContain('data: [DONE]')
    // Checked at once, with no wait: the stream's end already means the call is logged.
    expect(generationsOf(fileBacked, key).map((g) => g.trace_id)).toEqual(['done-1'])
    await reader.cancel()
  } finally {
    await fileBacked.close()
    await rm(dir, { recursive: true, force: true })
  }
})
