import Anthropic from '@anthropic-ai/sdk'
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterEach, expect, test } from 'vitest'
import {
  createCompletionEngine,
  writeSse,
  type CompletionApi,
  type SseWriteOptions,
  type SseWriteResult,
} from '../../src/completions/index.ts'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

/** A real loopback server that answers every POST with the engine's completion, streamed by writeSse. */
async function serve(api: CompletionApi, options: SseWriteOptions = {}): Promise<{ url: string; results: Promise<SseWriteResult>[] }> {
  const engine = createCompletionEngine()
  const results: Promise<SseWriteResult>[] = []
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
      const result = engine.complete({ api, body }).then((completion) => {
        if (!completion.stream) {
          res.setHeader('content-type', 'application/json')
          res.end(JSON.stringify(completion.body))
          return { completed: true, disconnected: false, eventsWritten: 0, timeToFirstByteMs: null, durationMs: 0 }
        }
        return writeSse(res, completion.streamEvents(), options)
      })
      results.push(result)
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, results }
}

test('the openai SDK reads the chat stream whole: the same text and usage as the non-streamed answer', async () => {
  const { url, results } = await serve('chat', { headers: { 'x-portkey-trace-id': 'trace-1' } })
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 })
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Stream a short answer' }] }
  const whole = await client.chat.completions.create(body)
  const { data: stream, response } = await client.chat.completions
    .create({ ...body, stream: true, stream_options: { include_usage: true } })
    .withResponse()
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
  expect(response.headers.get('x-portkey-trace-id')).toBe('trace-1')
  let text = ''
  let usage: unknown
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? ''
    if (chunk.usage) usage = chunk.usage
  }
  expect(text).toBe(whole.choices[0]!.message.content)
  expect(usage).toEqual(whole.usage)
  const result = await results[1]!
  expect(result).toMatchObject({ completed: true, disconnected: false })
  expect(result.eventsWritten).toBeGreaterThan(3)
  expect(result.timeToFirstByteMs).not.toBeNull()
})

test("the Anthropic SDK's message stream accumulates to the non-streamed Message", async () => {
  const { url } = await serve('messages')
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 })
  const params = {
    model: 'claude-sonnet-4-6',
    max_tokens: 256,
    messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
    tools: [
      {
        name: 'get_weather',
        description: 'Weather of a city',
        input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
  }
  const whole = await client.messages.create(params)
  const streamed = await client.messages.stream(params).finalMessage()
  // Each call mints its own tool_use id; everything else is the same answer.
  const withoutIds = (blocks: typeof whole.content) => blocks.map((b) => ({ ...b, id: b.type === 'tool_use' ? 'toolu' : undefined }))
  expect(withoutIds(streamed.content)).toEqual(withoutIds(whole.content))
  expect(streamed.content[0]).toMatchObject({
    type: 'tool_use',
    id: expect.stringMatching(/^toolu_01/),
    name: 'get_weather',
    input: { city: 'example city' },
  })
  expect(streamed.stop_reason).toBe('tool_use')
  expect(streamed.usage.output_tokens).toBe(whole.usage.output_tokens)
  expect(streamed.usage.input_tokens).toBe(whole.usage.input_tokens)
})

test('a client that disconnects mid-stream is noticed: the writer stops and reports how far it got', async () => {
  const { url, results } = await serve('chat', { delayMs: 40 })
  const body = JSON.stringify({ model: 'gpt-4o-mini', n: 8, messages: [{ role: 'user', content: 'A long answer please' }], stream: true })
  await new Promise<void>((resolve, reject) => {
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.once('data', () => {
        req.destroy() // hang up after the first event
        resolve()
      })
    })
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve() : reject(error)))
    req.end(body)
  })
  const result = await results[0]!
  expect(result.completed).toBe(false)
  expect(result.disconnected).toBe(true)
  expect(result.eventsWritten).toBeGreaterThanOrEqual(1)
  expect(result.eventsWritten).toBeLessThan(8 * 6) // 8 choices × (role + pieces + finish) + [DONE] were due
})

test('time to first byte counts from the request start, and status and headers go out with the head', async () => {
  const startedAt = Date.now() - 150
  const { url, results } = await serve('messages', {
    startedAt,
    status: 200,
    headers: { 'helicone-id': '0b9c0f49-2a2b-4f7d-9a4e-2d1b3c4d5e6f' },
  })
  const res = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(res.headers.get('helicone-id')).toBe('0b9c0f49-2a2b-4f7d-9a4e-2d1b3c4d5e6f')
  const text = await res.text()
  expect(text.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true)
  expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true)
  const result = await results[0]!
  expect(result.timeToFirstByteMs).toBeGreaterThanOrEqual(150)
  expect(result.durationMs).toBeGreaterThanOrEqual(result.timeToFirstByteMs!)
})
