import { expect, test } from 'vitest'
import { operationTable } from '../../src/openapi/operations.ts'

test('a response check never writes into the body it checks (no defaults, no coercion)', () => {
  const operation = operationTable('pulze').byId.get('Logs_getById')!
  const log = { id: 'x', response: { model: 'm', object: 'chat.completion', metadata: { costs: {} } }, latency: '1' }
  const before = JSON.stringify(log)
  expect(operation.validateResponse(200, log).length).toBeGreaterThan(0)
  expect(JSON.stringify(log)).toBe(before)
})
