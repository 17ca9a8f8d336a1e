// The whole loop against a CLI-started emulator (a file store, the bundled fixtures, strict mode), with the
// client Pulze's examples use: completion → `id` from the body → rating → the logs API shows it with the
// right numbers.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai-v5'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { costBreakdownUsd } from '../../../src/pricing/prices.ts'
import { PULZE_DEV_KEY } from '../../../scripts/fixtures/pulze.ts'
import { startCli } from '../../cli/run-cli.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-pulze-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

type Log = Record<string, unknown> & { response: { metadata: { costs: Record<string, number>; labels: Record<string, string> } } }

test('openai → log id → rating → get and search show it with its numbers', async () => {
  const server = await startCli(['--db', join(dir, 'db.json'), '--fixtures', 'fixtures/default.json', '--strict', '--quiet'])
  try {
    const headers = { Authorization: `Bearer ${PULZE_DEV_KEY}`, 'Content-Type': 'application/json' }
    const client = new OpenAI({
      apiKey: PULZE_DEV_KEY,
      baseURL: `${server.url}/pulze/v1`,
      maxRetries: 0,
      defaultHeaders: { 'Pulze-Labels': JSON.stringify({ feature: 'loop-test', user: 'u-42' }) },
    })
    const answer = await client.chat.completions.create({
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'What is the capital of Australia, loop test?' }],
    })
    const logId = answer.id
    const usage = answer.usage!
    const usd = costBreakdownUsd('gpt-4o', usage.prompt_tokens, usage.completion_tokens)

    const rated = await fetch(`${server.url}/pulze/v1/logs/${logId}/rating`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ good_answer: true, feedback: 'correct' }),
    })
    expect(rated.status).toBe(200)

    // A streamed call, read to its end, is a log at once (the file store commits before `[DONE]`).
    const plain = new OpenAI({ apiKey: PULZE_DEV_KEY, baseURL: `${server.url}/pulze/v1`, maxRetries: 0 })
    const stream = await plain.chat.completions.create({
      model: 'pulze',
      stream: true,
      messages: [{ role: 'user', content: 'Streamed loop test' }],
    })
    let streamId = ''
    for await (const chunk of stream) streamId = chunk.id
    expect((await fetch(`${server.url}/pulze/v1/logs/${streamId}`, { headers })).status).toBe(200)

    {
      const got = await fetch(`${server.url}/pulze/v1/logs/${logId}`, { headers })
      expect(got.status).toBe(200)
      const log = (await got.json()) as Log
      expect(log).toMatchObject({
        id: logId,
        good_answer: true,
        feedback: 'correct',
        namespace: 'openai/gpt-4o',
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: usage.total_tokens,
        prompt_tokens_cost: usd.prompt,
        completion_tokens_cost: usd.completion,
        total_tokens_cost: usd.total,
        response_text: answer.choices[0]!.message.content,
      })
      expect(log.response.metadata.labels).toEqual({ feature: 'loop-test', user: 'u-42' })

      const byLabel = await fetch(`${server.url}/pulze/v1/logs?size=10`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ date_from: '2020-01-01T00:00:00Z', labels: { feature: 'LOOP-TEST' } }),
      })
      const page = (await byLabel.json()) as { total: number; items: Log[] }
      expect(page.total).toBe(1)
      expect(page.items[0]).toMatchObject({ id: logId, good_answer: true, total_tokens_cost: usd.total })

      const byQuery = await fetch(`${server.url}/pulze/v1/logs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ date_from: '2020-01-01T00:00:00Z', query: 'capital of australia, loop test' }),
      })
      expect(((await byQuery.json()) as { items: Log[] }).items.map((l) => l['id'])).toEqual([logId])
    }
  } finally {
    server.child.kill('SIGTERM')
    await server.finished
  }
})
