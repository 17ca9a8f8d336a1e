// Issue 14, the server side of the dashboard: the static shell under /__emulator/ui/ (who gets it, with what
// headers), GET / → the dashboard, GET /__emulator/tenants, the /__emulator/events stream, and the dashboard's
// own requests staying out of the journal. The browser side is test/ui/dashboard.test.ts.
import request from 'supertest'
import { expect, test } from 'vitest'
import { keyHash } from '../../src/control/journal.ts'
import { createTestEmulator, freshKey, startTestEmulator } from '../helpers/create-test-emulator.ts'

const FIXTURES = ['fixtures/default.json']

test('the shell: index.html, app.js and app.css with a same-origin-only CSP; /__emulator/ui redirects to the slash', async () => {
  const emulator = await createTestEmulator()
  const page = await request(emulator.app).get('/__emulator/ui/').expect(200)
  expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
  expect(page.text).toContain('<script type="module" src="app.js"></script>')
  expect(page.text).not.toContain('data-admin-token')
  const csp = String(page.headers['content-security-policy'])
  for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "style-src 'self'", "font-src 'self'"]) {
    expect(csp).toContain(directive)
  }
  const script = await request(emulator.app).get('/__emulator/ui/app.js').expect(200)
  expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8')
  // Bundled, not fetched: no import of anything but itself, no http(s) URL to load from.
  expect(script.text).not.toMatch(/\bimport\s*[("']|from\s*["']https?:/)
  await request(emulator.app).get('/__emulator/ui/app.css').expect(200).expect('content-type', 'text/css; charset=utf-8')
  await request(emulator.app).get('/__emulator/ui').expect(301).expect('location', '/__emulator/ui/')
  const missing = await request(emulator.app).get('/__emulator/ui/../../package.json').expect(404)
  expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/)
  await request(emulator.app).get('/__emulator/ui/secrets.json').expect(404)
  await request(emulator.app).post('/__emulator/ui/').expect(405)
})

test('GET / redirects to the dashboard when every vendor is served, not when one vendor is at the root', async () => {
  const all = await createTestEmulator()
  await request(all.app).get('/').expect(302).expect('location', '/__emulator/ui/')
  const portkeyOnly = await createTestEmulator({ vendor: 'portkey' })
  const res = await request(portkeyOnly.app).get('/')
  expect(res.status).not.toBe(302)
})

test('without a token the shell follows the control API rule (loopback Host, no foreign Origin); with one, any host gets it and is told to ask', async () => {
  const open = await createTestEmulator()
  await request(open.app).get('/__emulator/ui/').set('Host', 'evil.example:4100').expect(403)
  await request(open.app).get('/__emulator/ui/app.js').set('Origin', 'https://evil.example').expect(403)
  await request(open.app).get('/__emulator/ui/').set('Host', 'localhost:4100').expect(200)

  const guarded = await createTestEmulator({ adminToken: 'dash-token' })
  const page = await request(guarded.app).get('/__emulator/ui/').set('Host', 'emulator.internal:4100').expect(200)
  expect(page.text).toContain('<html lang="en" data-admin-token="required">')
  // The data is not: every control operation the dashboard reads needs the token.
  for (const path of ['/__emulator/tenants', '/__emulator/state', '/__emulator/requests', '/__emulator/events']) {
    await request(guarded.app).get(path).expect(401)
  }
  await request(guarded.app).get('/__emulator/tenants').set('authorization', 'Bearer dash-token').expect(200)
})

test('/tenants: per vendor the base path and keys the banner prints; per tenant the counts of /state and a last write', async () => {
  const emulator = await createTestEmulator({ fixtures: FIXTURES })
  const key = freshKey('tenants')
  await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send({ trace_id: 't-1', value: 1 }).expect(200)
  const { body } = await request(emulator.app).get('/__emulator/tenants').expect(200)
  expect(body.vendors.map((v: { vendor: string; basePath: string }) => [v.vendor, v.basePath])).toEqual([
    ['portkey', '/portkey/v1'],
    ['helicone', '/helicone'],
    ['pulze', '/pulze/v1'],
  ])
  expect(body.vendors[0].keys).toEqual([{ key: 'pk-emulator-dev', demo: true }])
  const portkey = body.vendors[0].tenants as { tenant: string; ref: string; demo: boolean; counts: object; lastWriteAt: string }[]
  const state = (await request(emulator.app).get('/__emulator/state')).body
  const demo = portkey.find((t) => t.tenant === 'pk-emulator-dev')!
  expect(demo).toMatchObject({ demo: true, ref: keyHash('pk-emulator-dev') })
  expect(demo.counts).toEqual({ generations: state.portkey[0].generations.length, feedback: state.portkey[0].feedback.length })
  const fresh = portkey.find((t) => t.tenant === key)!
  expect(fresh).toMatchObject({ demo: false, apiKey: key, tenantIsKey: true, counts: { generations: 0, feedback: 1 } })
  expect(Math.abs(Date.parse(fresh.lastWriteAt) - Date.now())).toBeLessThan(60_000)
  const helicone = body.vendors[1].tenants[0]
  const requests = state.helicone[0].requests as { scores: Record<string, number> }[]
  expect(helicone.counts).toEqual({
    requests: requests.length,
    scored: requests.filter((r) => Object.keys(r.scores).some((k) => k !== 'helicone-score-feedback')).length,
    feedback: requests.filter((r) => 'helicone-score-feedback' in r.scores).length,
  })
})

/** Reads server-sent events from a fetch answer until `until` says stop. */
async function readEvents(res: Response, until: (events: { event: string; data: string }[]) => boolean) {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const events: { event: string; data: string }[] = []
  let text = ''
  while (!until(events)) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
    let end: number
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end)
      text = text.slice(end + 2)
      const event = /^event: (.*)$/m.exec(block)?.[1]
      if (event !== undefined) events.push({ event, data: /^data: (.*)$/m.exec(block)?.[1] ?? '' })
    }
  }
  await reader.cancel()
  return events
}

test('/events: ready, then a change naming the tenant written and the requests journaled; the dashboard is not journaled', async () => {
  const emulator = await startTestEmulator({ adminToken: 'events-token' })
  try {
    const denied = await fetch(`${emulator.url}/__emulator/events`)
    expect(denied.status).toBe(401)
    const res = await fetch(`${emulator.url}/__emulator/events`, { headers: { authorization: 'Bearer events-token' } })
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8'])
    const key = freshKey('events')
    const reading = readEvents(res, (events) => events.some((e) => e.event === 'change'))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const feedback = (headers: Record<string, string>) =>
      fetch(`${emulator.url}/portkey/v1/feedback`, {
        method: 'POST',
        headers: { 'x-portkey-api-key': key, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ trace_id: 'e-1', value: 1 }),
      })
    expect((await feedback({})).status).toBe(200)
    const events = await reading
    expect(events[0]).toEqual({ event: 'ready', data: '{}' })
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ tenants: [{ vendor: 'portkey', tenant: key }], requests: 1 })

    // The dashboard's own requests (X-Emulator-Dashboard) are served but not journaled.
    const window = new URLSearchParams({
      time_of_generation_min: new Date(Date.now() - 3_600_000).toISOString(),
      time_of_generation_max: new Date(Date.now() + 3_600_000).toISOString(),
    })
    const journaled = emulator.requests().length
    const read = await fetch(`${emulator.url}/portkey/v1/analytics/graphs/feedbacks/scores?${window}`, {
      headers: { 'x-portkey-api-key': key, 'x-emulator-dashboard': '1' },
    })
    expect(read.status).toBe(200)
    expect(emulator.requests()).toHaveLength(journaled)
  } finally {
    await emulator.close()
  }
})

test('close() ends open event streams (the server can stop)', async () => {
  const emulator = await startTestEmulator()
  const res = await fetch(`${emulator.url}/__emulator/events`)
  const reading = readEvents(res, () => false)
  await emulator.close()
  expect(await reading).toEqual([{ event: 'ready', data: '{}' }])
})

test('/tenants with --keys: the tenant is named, not a key, and apiKey is a listed key that may read its analytics', async () => {
  const emulator = await createTestEmulator({
    keys: {
      portkey: [
        { key: 'acme-writer', tenant: 'acme', scopes: ['logs.write'] },
        { key: 'acme-reader', tenant: 'acme', scopes: ['analytics.view'] },
        { key: 'globex-writer', tenant: 'globex', scopes: ['logs.write'] },
      ],
      helicone: [{ key: 'hc-read-only', permissions: 'r' }],
    },
  })
  for (const key of ['acme-writer', 'globex-writer']) {
    await request(emulator.app).post('/portkey/v1/feedback').set('x-portkey-api-key', key).send({ trace_id: 't', value: 1 }).expect(200)
  }
  const { body } = await request(emulator.app).get('/__emulator/tenants').expect(200)
  const portkey = body.vendors[0]
  expect(portkey.anyKey).toBe(false)
  expect(portkey.tenants.map((t: object) => ({ ...t, lastWriteAt: undefined }))).toEqual([
    {
      tenant: 'acme',
      ref: keyHash('acme'),
      apiKey: 'acme-reader',
      readable: true,
      tenantIsKey: false,
      demo: false,
      counts: { generations: 0, feedback: 1 },
      lastWriteAt: undefined,
    },
    {
      tenant: 'globex',
      ref: keyHash('globex'),
      apiKey: 'globex-writer',
      readable: false,
      tenantIsKey: false,
      demo: false,
      counts: { generations: 0, feedback: 1 },
      lastWriteAt: undefined,
    },
  ])
  expect(body.vendors[1]).toMatchObject({ anyKey: false, keys: [{ key: 'hc-read-only', demo: false }], tenants: [] })
})
