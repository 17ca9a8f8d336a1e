// Issue 13, case 11: the control API is not open to web pages (Host, Origin, JSON bodies) and takes an admin token.
import request from 'supertest'
import { expect, test } from 'vitest'
import { createTestEmulator } from '../helpers/create-test-emulator.ts'
import { spawnCli, collect } from '../cli/run-cli.ts'

const problemOf = (res: request.Response) => [res.status, String(res.headers['content-type']).split(';')[0], res.body.title]

test('without a token: a foreign Host (DNS rebinding) or a foreign Origin is a 403, loopback names are served', async () => {
  const emulator = await createTestEmulator()
  for (const host of ['evil.example', 'evil.example:4100', '192.168.1.5:4100', '[2001:db8::1]:4100']) {
    const res = await request(emulator.app).post('/__emulator/reset').set('Host', host)
    expect(problemOf(res)).toEqual([403, 'application/problem+json', 'Forbidden'])
  }
  for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
    const res = await request(emulator.app).post('/__emulator/reset').set('Origin', origin)
    expect(problemOf(res)).toEqual([403, 'application/problem+json', 'Forbidden'])
  }
  for (const [host, origin] of [
    ['localhost:4100', 'http://localhost:4100'],
    ['127.0.0.1:4100', 'http://127.0.0.1:3000'],
    ['[::1]:4100', 'http://[::1]:4100'],
    ['app.localhost', undefined],
  ] as const) {
    const req = request(emulator.app).get('/__emulator/health').set('Host', host)
    if (origin !== undefined) req.set('Origin', origin)
    await req.expect(200)
  }
  // The vendor routes are the vendors': no such check.
  await request(emulator.app)
    .post('/portkey/v1/feedback')
    .set('Host', 'evil.example')
    .set('x-portkey-api-key', 'k')
    .send({ trace_id: 't', value: 1 })
    .expect(200)
})

test('control POST bodies must be application/json: a text/plain /seed (a simple cross-origin POST) is a 415', async () => {
  const emulator = await createTestEmulator()
  const doc = JSON.stringify({ portkey: [{ apiKey: 'csrf', feedback: [] }] })
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const res = await request(emulator.app).post('/__emulator/seed').set('content-type', type).send(doc)
    expect(problemOf(res)).toEqual([415, 'application/problem+json', 'Unsupported Media Type'])
  }
  expect(Object.hasOwn(emulator.store.data.portkey, 'csrf')).toBe(false)
  await request(emulator.app).post('/__emulator/seed').set('content-type', 'application/json; charset=utf-8').send(doc).expect(200)
  // A POST without a body (reset) needs no content type.
  await request(emulator.app).post('/__emulator/reset').expect(200)
})

test('with an admin token: every control request needs Authorization: Bearer <token>, from any host', async () => {
  const emulator = await createTestEmulator({ adminToken: 's3cret-token' })
  for (const authorization of [undefined, 'Bearer wrong', 'Basic czNjcmV0LXRva2Vu', 'Bearer s3cret-token-longer']) {
    const req = request(emulator.app).get('/__emulator/health')
    if (authorization !== undefined) req.set('authorization', authorization)
    const res = await req
    expect(problemOf(res)).toEqual([401, 'application/problem+json', 'Unauthorized'])
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /)
  }
  await request(emulator.app).get('/__emulator/health').set('authorization', 'Bearer s3cret-token').expect(200)
  await request(emulator.app)
    .get('/__emulator/health')
    .set('Host', 'emulator.ci.internal')
    .set('authorization', 'Bearer s3cret-token')
    .expect(200)
})

test('the CLI takes --admin-token (or EMULATOR_ADMIN_TOKEN) and warns when it binds a non-loopback address without one', async () => {
  const child = spawnCli(['--port', '0', '--db', ':memory:', '--host', '0.0.0.0', '--quiet'])
  const finished = collect(child)
  let url = ''
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no banner')), 15_000)
    child.stdout?.on('data', (d: Buffer) => {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(d.toString())
      if (m !== null) {
        url = `http://127.0.0.1:${m[1]}`
        clearTimeout(timer)
        resolve()
      }
    })
  })
  await new Promise((resolve) => setTimeout(resolve, 200))
  child.kill('SIGTERM')
  await finished
  expect(url).not.toBe('')
  expect(stderr).toMatch(/warning: listening on 0\.0\.0\.0.*--admin-token/s)

  const withToken = spawnCli(['--port', '0', '--db', ':memory:', '--quiet'], { env: { EMULATOR_ADMIN_TOKEN: 'tok-123' } })
  const done = collect(withToken)
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no banner')), 15_000)
    withToken.stdout?.on('data', (d: Buffer) => {
      const m = /listening on (http:\/\/\S+)/.exec(d.toString())
      if (m?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
  })
  expect((await fetch(`${base}/__emulator/health`)).status).toBe(401)
  expect((await fetch(`${base}/__emulator/health`, { headers: { authorization: 'Bearer tok-123' } })).status).toBe(200)
  withToken.kill('SIGTERM')
  expect((await done).stderr).not.toMatch(/warning/)
})
