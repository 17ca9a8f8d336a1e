// Pulze's completion routes over HTTP: errors in FastAPI's words, privacy levels against the logs API,
// search and rating of a call's log, scripted answers, tool calls, and a client that leaves mid-stream.
import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createApp } from '../../../src/app.ts'
import { createCompletionEngine } from '../../../src/completions/index.ts'
import type { Emulator } from '../../../src/emulator.ts'
import { createPulzeVendor } from '../../../src/vendors/pulze/index.ts'
import { createTestEmulator, freshKey, startTestEmulator } from '../../helpers/create-test-emulator.ts'
import { NOW } from './helpers.ts'

let emulator: Emulator & { url: string }

beforeAll(async () => {
  emulator = await startTestEmulator({ now: () => NOW })
})
afterAll(() => emulator.close())

const CHAT = '/pulze/v1/chat/completions'
const api = () => request(emulator.app)
const auth = (key: string) => ({ Authorization: `Bearer ${key}` })
const ask = (key: string, body: object, headers: Record<string, string> = {}) =>
  api()
    .post(CHAT)
    .set({ ...auth(key), ...headers })
    .send(body)
const search = (key: string, body: object) =>
  api()
    .post('/pulze/v1/logs')
    .set(auth(key))
    .send({ date_from: '2020-01-01T00:00:00Z', ...body })
const user = (content: string) => [{ role: 'user', content }]

test('errors in FastAPI words: no key 401, no body or no messages 422, a header that is not JSON 422 at its loc', async () => {
  const key = freshKey('pulze')
  const none = await api()
    .post(CHAT)
    .send({ messages: user('hi') })
  expect(none.status).toBe(401)
  expect(none.headers['www-authenticate']).toBe('Bearer')
  expect(none.body).toEqual({ detail: 'Not authenticated' })

  const noBody = await api().post(CHAT).set(auth(key))
  expect(noBody.status).toBe(422)
  expect(noBody.body).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] })

  const noMessages = await ask(key, { model: 'pulze' })
  expect(noMessages.status).toBe(422)
  expect(noMessages.body).toEqual({
    detail: [{ type: 'missing', loc: ['body', 'messages'], msg: 'Field required', input: { model: 'pulze' } }],
  })

  const badLabels = await ask(key, { messages: user('hi') }, { 'Pulze-Labels': 'support' })
  expect(badLabels.status).toBe(422)
  expect(badLabels.body).toEqual({
    detail: [
      {
        type: 'json_invalid',
        loc: ['header', 'pulze-labels'],
        msg: 'Invalid JSON: expected value at line 1 column 1',
        input: 'support',
        ctx: { error: 'expected value at line 1 column 1' },
      },
    ],
  })

  const malformed = await api().post(CHAT).set(auth(key)).set('Content-Type', 'application/json').send('{"messages": [')
  expect(malformed.status).toBe(422)
  expect(malformed.body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 14] })

  const tooWarm = await ask(key, { messages: user('hi'), temperature: 2 }, { 'Pulze-Policies': '{"privacy_level": 5}' })
  expect(tooWarm.status).toBe(422)
  expect(tooWarm.body.detail.map((e: { loc: unknown }) => e.loc)).toEqual([
    ['header', 'pulze-policies', 'privacy_level'],
    ['body', 'temperature'],
  ])
  // Nothing was logged by the refused calls.
  expect((await search(key, {})).body.total).toBe(0)
})

test("a call's log is found by its labels and its text, and rated with the answer's id", async () => {
  const key = freshKey('pulze')
  const answer = await ask(key, { model: 'gpt-4o', messages: user('Which plan includes SSO?') }, { 'Pulze-Labels': '{"team": "Support"}' })
  expect(answer.status).toBe(200)
  await ask(key, { messages: user('Unrelated question') }, { 'Pulze-Labels': '{"team": "search"}' })
  const id = answer.body.id as string

  const byLabel = await search(key, { labels: { team: 'SUPPORT' } })
  expect(byLabel.body).toMatchObject({ total: 1, items: [{ id, namespace: 'openai/gpt-4o' }] })
  const byText = await search(key, { query: 'plan includes sso' })
  expect(byText.body.items.map((l: { id: string }) => l.id)).toEqual([id])

  const rated = await api().post(`/pulze/v1/logs/${id}/rating`).set(auth(key)).send({ good_answer: false, feedback: 'wrong plan' })
  expect(rated.status).toBe(200)
  expect(rated.body).toMatchObject({
    id,
    good_answer: false,
    feedback: 'wrong plan',
    response_text: answer.body.choices[0].message.content,
  })
  const again = await search(key, { labels: { team: 'support' } })
  expect(again.body.items[0]).toMatchObject({ id, good_answer: false, feedback: 'wrong plan' })
  // Another app does not see it.
  expect(
    (
      await api()
        .get(`/pulze/v1/logs/${id}`)
        .set(auth(freshKey('pulze')))
    ).status,
  ).toBe(404)
})

test('privacy level 3: the caller gets its answer and an id, but the log is not retrievable, rateable or listed', async () => {
  const key = freshKey('pulze')
  const answer = await ask(
    key,
    { messages: user('stealth question') },
    { 'Pulze-Labels': '{"mode": "stealth"}', 'Pulze-Policies': '{"privacy_level": 3}' },
  )
  expect(answer.status).toBe(200)
  expect(answer.body.choices[0].message.content).toContain('stealth question')
  expect(answer.body.metadata.labels).toEqual({ mode: 'stealth' })
  const id = answer.body.id as string
  expect((await api().get(`/pulze/v1/logs/${id}`).set(auth(key))).body).toEqual({ detail: 'Log not found' })
  expect((await api().post(`/pulze/v1/logs/${id}/rating`).set(auth(key)).send({ good_answer: true })).status).toBe(404)
  expect((await search(key, {})).body.total).toBe(0)
  // What billing needs is kept, nothing else.
  const stored = emulator.store.data.pulze[key] as { logs: Record<string, unknown>[] }
  expect(stored.logs[0]).toMatchObject({
    id,
    privacy_level: 3,
    prompt: null,
    response_text: null,
    payload: null,
    total_tokens: answer.body.usage.total_tokens,
  })
  expect((stored.logs[0]!['response'] as { metadata: object }).metadata).not.toHaveProperty('labels')
})

test('privacy level 2: listed and found by label, never by its (unstored) text', async () => {
  const key = freshKey('pulze')
  const answer = await ask(
    key,
    { messages: user('masked question about Paris') },
    { 'Pulze-Labels': '{"team": "billing"}', 'Pulze-Policies': '{"privacy_level": 2}' },
  )
  expect((await search(key, { labels: { team: 'billing' } })).body.items.map((l: { id: string }) => l.id)).toEqual([answer.body.id])
  expect((await search(key, { query: 'Paris' })).body.total).toBe(0)
  const log = await api().get(`/pulze/v1/logs/${answer.body.id}`).set(auth(key))
  expect(log.body).toMatchObject({
    privacy_level: 2,
    prompt: null,
    response_text: null,
    payload: { messages: [{ role: 'user', content: null }] },
  })
})

test('scripted answers match the resolved namespace; tools get a tool call, logged as its JSON', async () => {
  const key = freshKey('pulze')
  emulator.completions.add({
    vendor: 'pulze',
    model: 'anthropic/claude-3-5-sonnet',
    match: 'pulze weather rule',
    content: 'Sunny, 24 °C.',
    times: 1,
  })
  const scripted = await ask(key, { model: 'anthropic/claude-3-5-sonnet', messages: user('pulze weather rule in Paris?') })
  expect(scripted.body.choices[0].message.content).toBe('Sunny, 24 °C.')
  expect(scripted.body.metadata.model).toEqual({
    model: 'claude-3-5-sonnet',
    provider: 'anthropic',
    namespace: 'anthropic/claude-3-5-sonnet',
  })

  const tools = [
    { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  ]
  const called = await ask(key, { model: 'gpt-4o', messages: user('What is the weather in Paris?'), tools })
  expect(called.status).toBe(200)
  const choice = called.body.choices[0]
  expect(choice.finish_reason).toBe('tool_calls')
  expect(choice.message.content).toBeNull()
  expect(choice.message.tool_calls[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } })
  const log = await api().get(`/pulze/v1/logs/${called.body.id}`).set(auth(key))
  expect(JSON.parse(log.body.response_text)).toEqual([{ name: 'get_weather', arguments: choice.message.tool_calls[0].function.arguments }])

  // An unknown model is answered under its own name, at no cost.
  const own = await ask(key, { model: 'my-fine-tune', messages: user('hi') })
  expect(own.body).toMatchObject({ model: 'my-fine-tune', metadata: { model: { namespace: 'my-fine-tune' }, costs: { total_tokens: 0 } } })
})

test('a client that leaves mid-stream leaves a log with status 499 and only what it was sent', async () => {
  const key = freshKey('pulze')
  // 64 long choices (6 MB of events) cannot all be sent before the client hangs up.
  const content = 'All work and no play makes a long story. '.repeat(2_400)
  emulator.completions.add({ vendor: 'pulze', match: 'pulze long story', content, times: 1 })
  const body = JSON.stringify({ model: 'anthropic/claude-3-5-haiku', n: 64, stream: true, messages: user('Tell me a pulze long story') })
  const id = await new Promise<string>((resolve, reject) => {
    const req = httpRequest(
      `${emulator.url}${CHAT}`,
      { method: 'POST', headers: { ...auth(key), 'content-type': 'application/json' } },
      (res) => {
        res.once('data', (first: Buffer) => {
          req.destroy() // hang up after the first bytes
          const match = /"id":"([0-9a-f-]{36})"/.exec(first.toString('utf8'))
          if (match?.[1] === undefined) reject(new Error(`no id in ${first.toString('utf8').slice(0, 200)}`))
          else resolve(match[1])
        })
      },
    )
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)))
    req.end(body)
  })
  let log: request.Response | undefined
  for (let attempt = 0; attempt < 100; attempt++) {
    log = await api().get(`/pulze/v1/logs/${id}`).set(auth(key))
    if (log.status === 200) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  expect(log!.status).toBe(200)
  const stored = log!.body
  expect(stored).toMatchObject({ status_code: 499, response: { metadata: { status_code: 499, error: 'client disconnected' } } })
  const fullTokens = 64 * Math.ceil(content.length / 4)
  expect(stored.completion_tokens).toBeLessThan(fullTokens)
  expect(content.startsWith(stored.response_text)).toBe(true)
  const unfinished = (stored.response.choices as { finish_reason: string | null }[]).filter((c) => c.finish_reason === null)
  expect(stored.response.choices.length < 64 || unfinished.length > 0).toBe(true)
})

test("Pulze's notebook null finish_reason, as an option of the vendor module", async () => {
  const app = createApp({
    db: emulator.store,
    keys: emulator.keys,
    vendors: [createPulzeVendor({ nullFinishReason: true })],
    strict: true,
    version: 'test',
    logger: { request: () => {}, error: () => {} },
    vendorOptions: { now: () => NOW, heliconeScoreDelayMs: 0 },
    faults: emulator.faults,
    state: { reset: () => emulator.reset(), seed: (doc) => emulator.seed(doc) },
    completions: createCompletionEngine(),
  })
  const answer = await request(app)
    .post(CHAT)
    .set(auth(freshKey('pulze')))
    .send({ messages: user('hi') })
  expect(answer.status).toBe(200)
  expect(answer.body.choices[0].finish_reason).toBeNull()
})

test('the logs of completions are on disk: a file store loads them back (its record checks pass), ratings included', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lfe-pulze-gw-'))
  try {
    const db = join(dir, 'db.json')
    const key = freshKey('pulze')
    const first = await createTestEmulator({ db, now: () => NOW })
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }]
    const asked = (body: object, headers: Record<string, string> = {}) =>
      request(first.app)
        .post(CHAT)
        .set({ ...auth(key), ...headers })
        .send(body)
    const plain = await asked({ messages: user('kept question'), tools }, { 'Pulze-Labels': '{"n": 1.0}' })
    const masked = await asked({ messages: user('masked'), stream: true }, { 'Pulze-Policies': '{"privacy_level": 2}' })
    const stealth = await asked({ messages: user('stealth') }, { 'Pulze-Policies': '{"privacy_level": 3}' })
    expect([plain.status, masked.status, stealth.status]).toEqual([200, 200, 200])
    const id = plain.body.id as string
    await request(first.app).post(`/pulze/v1/logs/${id}/rating`).set(auth(key)).send({ good_answer: true })
    const before = (await request(first.app).get(`/pulze/v1/logs/${id}`).set(auth(key))).body
    await first.close()

    const second = await createTestEmulator({ db, now: () => NOW })
    try {
      const after = await request(second.app).get(`/pulze/v1/logs/${id}`).set(auth(key))
      expect(after.body).toEqual(before)
      expect(after.body).toMatchObject({ good_answer: true, response: { metadata: { labels: { n: '1.0' } } } })
      const listed = await request(second.app).post('/pulze/v1/logs').set(auth(key)).send({ date_from: '2020-01-01T00:00:00Z' })
      expect(listed.body.total).toBe(2) // the level-3 log is kept for billing, never listed
    } finally {
      await second.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
