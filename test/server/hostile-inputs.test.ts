// Issue 13: small hostile requests that froze the server, lost writes or answered 500. Each case is answered
// as the vendor would, and no request blocks the event loop past the budget (test/helpers/event-loop-budget.ts).
import request from 'supertest'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../src/emulator.ts'
import { freshKey, startTestEmulator } from '../helpers/create-test-emulator.ts'
import { LOOP_BUDGET_MS, measureWithinBudget } from '../helpers/event-loop-budget.ts'

let emulator: Emulator & { url: string }
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())

const post = (path: string, headers: Record<string, string>, body: unknown) => () =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

const helicone = (key: string) => ({ authorization: `Bearer ${key}` })

async function logHeliconeRequest(key: string, model: string): Promise<void> {
  await request(emulator.app)
    .post('/helicone/custom/v1/log')
    .set(helicone(key))
    .send({
      providerRequest: { url: 'https://x', json: { model } },
      providerResponse: { json: {}, status: 200 },
      timing: { startTime: { seconds: 1_700_000_000, milliseconds: 0 }, endTime: { seconds: 1_700_000_001, milliseconds: 0 } },
    })
    .expect(200)
}

test('case 1: a backtracking-prone LIKE against a 5 000-character model is answered within the loop budget', async () => {
  const key = freshKey()
  await logHeliconeRequest(key, 'a'.repeat(5000))
  const filter = { request_response_rmt: { model: { like: '%a%a%a%a%a%a%a%a%a%b' } } }
  const measure = await measureWithinBudget(emulator.url, post('/helicone/v1/request/query', helicone(key), { filter }))
  expect(measure.status).toBe(201)
  expect(JSON.parse(measure.text)).toEqual({ data: [], error: null })
  expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
  const hit = await request(emulator.app)
    .post('/helicone/v1/request/query')
    .set(helicone(key))
    .send({ filter: { request_response_rmt: { model: { ilike: '%A%A%A%' } } } })
    .expect(201)
  expect(hit.body.data).toHaveLength(1)
})

test('case 2: a filter tree nested deep around an invalid leaf gets a bounded 422, fast', async () => {
  for (const depth of [20, 22, 400]) {
    let node: unknown = { request_response_rmt: { model: { nope: 'x' } } }
    for (let i = 0; i < depth; i++) node = { left: node, operator: 'and', right: 'all' }
    for (const body of [
      { filter: node },
      { userFilter: node, timeFilter: { start: 'a', end: 'b' }, dbIncrement: 'day', timeZoneDifference: 0 },
    ]) {
      const path = 'filter' in body ? '/helicone/v1/request/query' : '/helicone/v1/dashboard/scores/query'
      const measure = await measureWithinBudget(emulator.url, post(path, helicone(freshKey()), body))
      expect(measure.status).toBe(422)
      const answer = JSON.parse(measure.text) as { message: string; details: Record<string, { message: string }> }
      expect(answer.message).toBe('Validation Failed')
      const field = Object.keys(answer.details)[0]!
      expect(answer.details[field]!.message).toMatch(/^Could not match the union against any of the items\. Issues: \[/)
      expect(measure.text.length).toBeLessThan(100_000 + JSON.stringify(body).length * 2)
      expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
    }
  }
})

test('case 4: thousands of excess keys on a Helicone body: the first 100 field errors, fast', async () => {
  const body: Record<string, unknown> = { filter: 'all' }
  for (let i = 0; i < 8000; i++) body[`k${i}`] = 1
  const measure = await measureWithinBudget(emulator.url, post('/helicone/v1/request/query', helicone(freshKey()), body))
  expect(measure.status).toBe(422)
  const details = (JSON.parse(measure.text) as { details: Record<string, unknown> }).details
  expect(Object.keys(details)).toHaveLength(100)
  expect(details['requestBody.k0']).toEqual({ message: '"k0" is an excess property and therefore is not allowed', value: 'k0' })
  expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
})

test('case 6: a tsoa-checked field given {"toString": 1} is a 422 field error, not a 500', async () => {
  const id = '2315fc76-3479-4565-a120-4254aebe89e6'
  const rating = await request(emulator.app)
    .post(`/helicone/v1/request/${id}/feedback`)
    .set(helicone(freshKey()))
    .send({ rating: { toString: 1 } })
    .expect(422)
  expect(rating.body).toEqual({
    message: 'Validation Failed',
    details: { 'requestBody.rating': { message: 'invalid boolean value', value: { toString: 1 } } },
  })
  const score = await request(emulator.app)
    .post(`/helicone/v1/request/${id}/score`)
    .set(helicone(freshKey()))
    .send({ scores: { a: { valueOf: 1 } } })
  expect(score.status).toBe(422)
  const offset = await request(emulator.app)
    .post('/helicone/v1/dashboard/scores/query')
    .set(helicone(freshKey()))
    .send({ userFilter: 'all', timeFilter: { start: 'a', end: 'b' }, dbIncrement: 'day', timeZoneDifference: { toString: 1 } })
    .expect(422)
  expect(offset.body.details['requestBody.timeZoneDifference']).toEqual({ message: 'invalid float number', value: { toString: 1 } })
})

test('case 3: Portkey array bodies of 40 000 and 123 000 invalid items: one AB01 line naming the first 20, fast', async () => {
  for (const n of [40_000, 123_000]) {
    const measure = await measureWithinBudget(
      emulator.url,
      post('/portkey/v1/feedback', { 'x-portkey-api-key': freshKey() }, Array(n).fill(1)),
    )
    expect(measure.status).toBe(400)
    const message = (JSON.parse(measure.text) as { data: { message: string; errorCode: string } }).data.message
    expect(message).toMatch(
      /^Request Validation Error: body\[0\] must be object; body\[1\] must be object; .*; body\[19\] must be object; …$/,
    )
    expect(measure.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
  }
})

test('case 4: /seed with 80 000 invalid tenants and Pulze search with 40 000 invalid params: capped errors, fast', async () => {
  const seed = await measureWithinBudget(emulator.url, post('/__emulator/seed', {}, { portkey: Array(80_000).fill(1) }))
  expect(seed.status).toBe(400)
  const problem = JSON.parse(seed.text) as { errors: { path: string; message: string }[] }
  expect(problem.errors).toHaveLength(100)
  expect(problem.errors[0]).toEqual({ path: '$.portkey[0]', message: 'must be object' })
  expect(seed.blockedMs).toBeLessThan(LOOP_BUDGET_MS)

  const search = await measureWithinBudget(
    emulator.url,
    post('/pulze/v1/logs?page=1&size=10', { authorization: `Bearer ${freshKey()}` }, { params: Array(40_000).fill(1) }),
  )
  expect(search.status).toBe(422)
  const detail = (JSON.parse(search.text) as { detail: { type: string; loc: unknown[] }[] }).detail
  expect(detail).toHaveLength(500)
  expect(detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'date_from'] })
  expect(detail[1]).toMatchObject({ type: 'model_attributes_type', loc: ['body', 'params', 0] })
  expect(search.blockedMs).toBeLessThan(LOOP_BUDGET_MS)
})
