import request from 'supertest'
import { expect, test } from 'vitest'
import { createTestEmulator } from '../../helpers/create-test-emulator.ts'
import { FILTER_FEEDBACK, FILTER_GENERATIONS, FILTER_WINDOW } from './records.ts'

// One organisation ('acme') reached by several keys of different kinds and scopes.
const emulator = await createTestEmulator({
  now: () => new Date('2026-01-11T00:00:00.000Z'),
  keys: {
    portkey: [
      { key: 'org-key', tenant: 'acme', type: 'organisation', workspace_slug: 'ws-b' },
      { key: 'org-all', tenant: 'acme', type: 'organisation' },
      { key: 'ws-a-key', tenant: 'acme', type: 'workspace', workspace_slug: 'ws-a', id: 'key-ws-a' },
      { key: 'ws-any', tenant: 'acme' },
      { key: 'writer', tenant: 'acme', scopes: ['logs.write'] },
      { key: 'reader', tenant: 'acme', scopes: ['analytics.view'] },
      { key: 'other-org', tenant: 'globex' },
    ],
  },
  fixtures: [{ portkey: [{ apiKey: 'org-key', generations: FILTER_GENERATIONS, feedback: FILTER_FEEDBACK }] }],
})
const app = emulator.app
const scores = async (key: string, extra: Record<string, string> = {}) => {
  const res = await request(app)
    .get('/portkey/v1/analytics/graphs/feedbacks/scores')
    .query({ ...FILTER_WINDOW, ...extra })
    .set('x-portkey-api-key', key)
  expect(res.status).toBe(200)
  return res.body.data_points.map((p: { score: number }) => p.score)
}
const FORBIDDEN = { success: false, data: { message: 'You do not have enough permissions to execute this request', errorCode: 'AB03' } }

test('a key not in the keys file is 401 AB05', async () => {
  const res = await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'pk-unknown').send({ trace_id: 't', value: 1 })
  expect(res.status).toBe(401)
  expect(res.body).toEqual({ success: false, data: { message: 'Invalid API Key', errorCode: 'AB05' } })
})

test('a key without analytics.view gets 403 AB03 on analytics but may write feedback', async () => {
  const res = await request(app).get('/portkey/v1/analytics/graphs/feedbacks').query(FILTER_WINDOW).set('x-portkey-api-key', 'writer')
  expect(res.status).toBe(403)
  expect(res.body).toEqual(FORBIDDEN)
  await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'writer').send({ trace_id: 'w', value: 1 }).expect(200)
})

test('a key without logs.write gets 403 AB03 on feedback create, update and logs', async () => {
  for (const call of [
    request(app).post('/portkey/v1/feedback').send({ trace_id: 't', value: 1 }),
    request(app).put('/portkey/v1/feedback/f1').send({ value: 1 }),
    request(app)
      .post('/portkey/v1/logs')
      .send({ request: { url: 'https://api.openai.com/v1/x', body: {} }, response: { body: {} } }),
  ]) {
    const res = await call.set('x-portkey-api-key', 'reader')
    expect(res.status).toBe(403)
    expect(res.body).toEqual(FORBIDDEN)
  }
  expect(await scores('reader')).toEqual([-1, 1, 10])
})

test('an organisation key reads the workspace named by workspace_slug, else its default workspace', async () => {
  expect(await scores('org-key', { workspace_slug: 'ws-a' })).toEqual([1])
  expect(await scores('org-key')).toEqual([-1])
  expect(await scores('org-all')).toEqual([-1, 1, 10])
  expect(await scores('org-all', { workspace_slug: 'ws-b' })).toEqual([-1])
})

test('a workspace key ignores workspace_slug and sees only its own workspace', async () => {
  expect(await scores('ws-a-key')).toEqual([1])
  expect(await scores('ws-a-key', { workspace_slug: 'ws-b' })).toEqual([1])
  expect(await scores('ws-any', { workspace_slug: 'ws-b' })).toEqual([-1, 1, 10])
})

test('keys of one tenant share its records; another tenant sees none', async () => {
  const fb = await request(app).post('/portkey/v1/feedback').set('x-portkey-api-key', 'ws-any').send({ trace_id: 't3', value: -10 })
  expect(fb.status).toBe(200)
  expect(await scores('org-all')).toEqual([-10, -1, 1, 10])
  await request(app)
    .put(`/portkey/v1/feedback/${fb.body.feedback_ids[0]}`)
    .set('x-portkey-api-key', 'org-all')
    .send({ value: -9 })
    .expect(200)
  expect(await scores('ws-any')).toEqual([-9, -1, 1, 10])
  expect(await scores('other-org')).toEqual([])
  const res = await request(app)
    .put(`/portkey/v1/feedback/${fb.body.feedback_ids[0]}`)
    .set('x-portkey-api-key', 'other-org')
    .send({ value: 1 })
  expect(res.status).toBe(404)
})

test('a workspace key stamps its workspace and id on the generations it logs', async () => {
  const res = await request(app)
    .post('/portkey/v1/logs')
    .set('x-portkey-api-key', 'ws-a-key')
    .send({
      request: { url: 'https://api.openai.com/v1/x', body: { model: 'gpt-4o' } },
      response: { body: {} },
      metadata: { trace_id: 'from-ws-a' },
    })
  expect(res.status).toBe(200)
  const state = emulator.store.data.portkey['acme'] as { generations: { trace_id: string; workspace_slug?: string; api_key_id?: string }[] }
  expect(state.generations.find((g) => g.trace_id === 'from-ws-a')).toMatchObject({ workspace_slug: 'ws-a', api_key_id: 'key-ws-a' })
})
