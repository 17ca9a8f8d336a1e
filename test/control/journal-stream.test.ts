// A streamed answer (server-sent events, as the gateway routes will send) is journaled as the text written.
import express from 'express'
import request from 'supertest'
import { expect, test } from 'vitest'
import { Journal } from '../../src/control/journal.ts'
import { MAX_EXCHANGE_BODY_CHARS } from '../../src/control/exchange.ts'
import { createOperationRouter } from '../../src/http/operation-router.ts'
import { operationTable } from '../../src/openapi/operations.ts'
import { portkeyErrors } from '../../src/vendors/portkey/errors.ts'
import type { ApiModule, OperationHandler } from '../../src/vendors/vendor.ts'

function streamingApp(chunks: string[]) {
  const operations = operationTable('portkey')
  const stream: OperationHandler = () => ({
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    async write(res) {
      for (const chunk of chunks.slice(0, -1)) res.write(chunk)
      res.end(chunks.at(-1))
    },
  })
  const module: ApiModule<{ operations: typeof operations }> = {
    name: 'portkey',
    errors: portkeyErrors,
    apiKeyOf: () => 'k',
    authenticate: () => ({ apiKey: 'k', tenant: 'k', info: {} }),
    // The gateway operations name the `provider` framework (x-emulator-validated-by); here it checks nothing.
    frameworkValidator: { name: 'provider', compile: () => (parts) => parts },
    createHandlers: () => Object.fromEntries(operations.operations.map((o) => [o.operationId, stream])),
  }
  const journal = new Journal()
  const app = express()
  app.use(
    '/portkey',
    createOperationRouter(module, { operations }, { strict: false, logError: () => {}, observe: (x) => journal.record(x) }),
  )
  return { app, journal }
}

test('a streamed answer is journaled as the events written', async () => {
  const { app, journal } = streamingApp(['data: {"a":1}\n\n', 'data: {"a":2}\n\n', 'data: [DONE]\n\n'])
  const res = await request(app).post('/portkey/v1/feedback').send({ trace_id: 't', value: 1 }).expect(200)
  expect(res.text).toBe('data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n')
  const [entry] = journal.list()
  expect(entry).toMatchObject({ status: 200, responseHeaders: { 'content-type': 'text/event-stream' }, responseBody: res.text })
})

test('a streamed answer over the journal limit is noted by its size only', async () => {
  const big = 'x'.repeat(MAX_EXCHANGE_BODY_CHARS)
  const { app, journal } = streamingApp([big, 'data: tail\n\n'])
  await request(app).post('/portkey/v1/feedback').send({ trace_id: 't', value: 1 }).expect(200)
  expect(journal.list()[0]!.responseBody).toBe(`[not journaled: ${MAX_EXCHANGE_BODY_CHARS + 12} bytes]`)
  expect(journal.list()[0]!.violations.response).toEqual([])
})
