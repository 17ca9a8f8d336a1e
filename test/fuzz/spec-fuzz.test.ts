// Fuzz suite (issue 13): requests derived from the specs, for every operation of every spec, valid and
// mutated. Invariants: no 5xx but the vendor 5xx the docs list (each asserted below); every answer matches
// the spec's response for its status (strict mode: a mismatch is a logged error, which fails the run); no
// stack trace; the server keeps answering; state changes only on 2xx. `npm test` runs FUZZ_RUNS (default
// 150) cases per operation; `npm run fuzz` runs more and prints a summary. A failure is shrunk by fast-check
// and reported as a curl command against `npm start`.
import fc from 'fast-check'
import request from 'supertest'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Emulator } from '../../src/emulator.ts'
import type { Operation } from '../../src/openapi/operations.ts'
import type { ServedSpec } from '../helpers/spec-requests.ts'
import { createTestEmulator, takeUnexpectedErrors } from '../helpers/create-test-emulator.ts'
import { allOperations, curlOf, requestsFor, type SpecRequest } from '../helpers/spec-requests.ts'

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 150)
const SEED = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED'])

let emulator: Emulator
const summary: { operation: string; cases: number; statuses: Record<string, number> }[] = []
beforeAll(async () => {
  emulator = await createTestEmulator({ fixtures: ['fixtures/default.json'] })
})
afterAll(() => {
  if (process.env['FUZZ_SUMMARY'] !== undefined || RUNS > 150) {
    const total = summary.reduce((n, s) => n + s.cases, 0)
    console.log(`fuzz: ${total} cases over ${summary.length} operations (${RUNS} each)`)
    for (const s of summary) console.log(`  ${s.operation.padEnd(40)} ${String(s.cases).padStart(7)}  ${JSON.stringify(s.statuses)}`)
  }
})

const INTERNAL = { message: 'Internal Server Error', details: 'Internal Server Error' }
const PORTKEY_GATEWAY_EXCEPTION = { status: 'failure', message: 'Something went wrong' }
const PORTKEY_GATEWAY_ROUTES = ['createChatCompletion', 'createCompletion', 'createEmbedding', 'createMessage']

/**
 * A refused call the vendor still logs (docs/vendors/helicone.md, "Errors of the LLM routes"): Helicone's
 * proxy stores the provider's 4xx as a request row and answers its `Helicone-Id` (the state after must hold
 * that id); the AI gateway's error forwarder logs its `request_failed` refusals, answered without one.
 * Portkey's gateway logs a provider's refusal (a 4xx naming its `provider`) under the answer's trace id
 * (docs/vendors/portkey.md, "Errors of the gateway routes").
 */
function loggedRefusal(spec: ServedSpec, operation: Operation, res: request.Response, after: string): boolean {
  if (res.status < 400 || res.status >= 500) return false
  if (spec === 'portkey') {
    const trace = res.headers['x-portkey-trace-id']
    const provider = (res.body as { provider?: unknown } | undefined)?.provider
    return (
      PORTKEY_GATEWAY_ROUTES.includes(operation.operationId) &&
      typeof provider === 'string' &&
      typeof trace === 'string' &&
      after.includes(trace)
    )
  }
  if (spec !== 'helicone') return false
  const id = res.headers['helicone-id']
  if (typeof id === 'string') return after.includes(id)
  const body = res.body as { success?: unknown; error?: { code?: unknown } } | undefined
  return operation.operationId.startsWith('aiGateway') && body?.success === false && body.error?.code === 'request_failed'
}

/**
 * The 5xx the vendors document, each recognised by its exact body. Helicone (jawn): body-parser's SyntaxError
 * reaches the global handler (500 INTERNAL); the query builder throws on an unknown column or operator (500
 * INTERNAL); a non-integer score is an uncaught error (500 INTERNAL); a non-UUID feedback id and a query
 * error are `{data: null, error}` results with status 500. Portkey's gateway: a body that is not JSON fails its
 * handlers' parsing, `{"status":"failure","message":"Something went wrong"}` (docs/vendors/portkey.md). Pulze
 * documents none.
 */
function documentedServerError(spec: ServedSpec, operation: Operation, status: number, body: unknown): string | null {
  if (spec === 'portkey' && status === 500 && JSON.stringify(body) === JSON.stringify(PORTKEY_GATEWAY_EXCEPTION))
    return PORTKEY_GATEWAY_ROUTES.includes(operation.operationId) ? 'portkey gateway exception' : null
  if (spec !== 'helicone' || status !== 500) return null
  if (JSON.stringify(body) === JSON.stringify(INTERNAL)) return 'helicone global handler'
  const result = body as { data?: unknown; error?: unknown }
  if (['getRequests', 'feedbackRequest'].includes(operation.operationId) && result.data === null && typeof result.error === 'string')
    return 'helicone result error'
  return null
}

/**
 * The part of the store a request can touch: the tenants its credentials name, and how many tenants its
 * vendor has (the whole store for the control API). Isolation between tenants is checked elsewhere
 * (test/server/concurrency-isolation.test.ts).
 */
function snapshot(spec: ServedSpec, r: SpecRequest): string {
  const data = emulator.store.data
  if (spec === 'emulator') return JSON.stringify(data)
  const tenants = data[spec]
  const named = Object.values(r.headers).flatMap((v) => [
    v,
    v.replace(/^bearer\s+/i, '').trim(),
    v.trim(),
    v.slice(v.indexOf(' ') + 1).trim(),
  ])
  return JSON.stringify([Object.keys(tenants).length, ...[...new Set(named)].map((k) => (Object.hasOwn(tenants, k) ? tenants[k] : null))])
}

async function send(r: SpecRequest): Promise<request.Response> {
  const method = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch'
  let req = request(emulator.app)[method](r.url)
  for (const [name, value] of Object.entries(r.headers)) req = req.set(name, value)
  if (r.body !== undefined) req = req.send(r.body)
  return req
}

const operations = allOperations()

test.each(operations.map(({ spec, operation }) => [`${spec} ${operation.operationId}`, spec, operation] as const))(
  'fuzz %s',
  async (name, spec, operation) => {
    const statuses: Record<string, number> = {}
    let cases = 0
    await fc.assert(
      fc.asyncProperty(requestsFor(spec, operation), async (r) => {
        cases++
        // Keep the tenants small: the state check compares them whole.
        if (cases % 100 === 0) await emulator.reset()
        const before = snapshot(spec, r)
        const res = await send(r)
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        const problems: string[] = []
        const crashes = takeUnexpectedErrors()
        if (crashes.length > 0)
          problems.push(`logged an unexpected error (a crash, or an answer its spec does not allow): ${crashes[0]!.slice(0, 800)}`)
        if (res.status >= 500 && documentedServerError(spec, operation, res.status, res.body) === null)
          problems.push(`answered ${res.status}, which the vendor does not document for this request`)
        if (/\n\s+at .+:\d+/.test(res.text ?? '')) problems.push('the answer holds a stack trace')
        const after = snapshot(spec, r)
        if ((res.status < 200 || res.status >= 300) && after !== before && !loggedRefusal(spec, operation, res, after))
          problems.push(`state changed on a ${res.status}`)
        if (cases % 50 === 0) {
          const health = await request(emulator.app).get('/__emulator/health')
          if (health.status !== 200) problems.push('the server stopped answering health checks')
        }
        if (problems.length > 0) {
          throw new Error(
            `${problems.join('; ')}\nstatus ${res.status}: ${(res.text ?? '').slice(0, 500)}\nreproduce against npm start:\n${curlOf(r)}`,
          )
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: false },
    )
    summary.push({ operation: name, cases, statuses })
    expect(cases).toBeGreaterThanOrEqual(RUNS)
  },
  600_000,
)
