// /__emulator/completions: the scripted answers of the LLM routes, from the control API and from fixtures.
import request from 'supertest'
import { expect, test } from 'vitest'
import { createTestEmulator } from '../helpers/create-test-emulator.ts'

const RULE = { match: 'refund', content: 'Refunds take 5 days.', times: 2 }

test('POST adds rules after the present ones, GET lists them, DELETE drops them', async () => {
  const emulator = await createTestEmulator()
  await request(emulator.app).get('/__emulator/completions').expect(200, { rules: [] })
  const added = await request(emulator.app).post('/__emulator/completions').send(RULE).expect(201)
  expect(added.body).toEqual({ rules: [RULE] })
  await request(emulator.app)
    .post('/__emulator/completions')
    .send([{ vendor: 'pulze', match: { regex: '^hi', flags: 'i' }, json: { ok: true } }])
    .expect(201)
  expect(emulator.completions.list()).toHaveLength(2)
  await request(emulator.app).delete('/__emulator/completions').expect(200, { removed: 2 })
  expect(emulator.completions.list()).toEqual([])
})

test('a rule that cannot be used is refused whole, naming its JSON path', async () => {
  const emulator = await createTestEmulator()
  const bad = await request(emulator.app)
    .post('/__emulator/completions')
    .send([RULE, { match: { regex: '(a)\\1' }, content: 'x' }])
    .expect(400)
  expect(bad.headers['content-type']).toMatch(/application\/problem\+json/)
  expect(JSON.parse(bad.text).errors).toEqual([{ path: expect.stringMatching(/^\$\[1\]\.match/), message: expect.any(String) }])
  const schema = await request(emulator.app).post('/__emulator/completions').send({ content: 'a', json: {} }).expect(400)
  expect(JSON.parse(schema.text).title).toBe('Invalid request')
  expect(emulator.completions.list()).toEqual([])
})

test('fixture rules load at startup, seed adds more, reset puts back the startup ones', async () => {
  const emulator = await createTestEmulator({ fixtures: [{ completions: [RULE] }] })
  expect(emulator.completions.list()).toEqual([RULE])
  await request(emulator.app)
    .post('/__emulator/seed')
    .send({ completions: [{ model: 'gpt-4o', content: 'seeded' }] })
    .expect(200)
  expect(emulator.completions.list()).toHaveLength(2)
  const refused = await request(emulator.app)
    .post('/__emulator/seed')
    .send({ completions: [{ match: { regex: '(?<=a)b' }, content: 'x' }] })
    .expect(400)
  expect(JSON.parse(refused.text).errors[0].path).toMatch(/^\$\.completions\[0\]\.match/)
  await request(emulator.app).post('/__emulator/reset').expect(200)
  expect(emulator.completions.list()).toEqual([RULE])
})
