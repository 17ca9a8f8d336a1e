import { expect, test } from 'vitest'
import { operationTable } from '../../src/openapi/operations.ts'

test('a response check never writes into the body it checks (no defaults, no coercion)', () => {
  const operation = operationTable('pulze').byId.get('Logs_getById')!
  const log = { id: 'x', response: { model: 'm', object: 'chat.completion', metadata: { costs: {} } }, latency: '1' }
  const before = JSON.stringify(log)
  expect(operation.validateResponse(200, log).length).toBeGreaterThan(0)
  expect(JSON.stringify(log)).toBe(before)
})

test('a non-JSON answer is checked for its media type, not against the JSON schema of its status', () => {
  // Helicone's AI gateway answers 400 as JSON (a logged refusal) or as plain text (no model): both declared.
  const operation = operationTable('helicone').byId.get('aiGatewayChatCompletions')!
  const text = 'Invalid body or missing model. See supported models at https://helicone.ai/models'
  expect(operation.validateResponse(400, text, 'text/plain; charset=utf-8')).toEqual([])
  // A media type the status does not declare is a violation; without a media type the JSON schema applies.
  expect(operation.validateResponse(400, text, 'text/html')).toMatchObject([{ location: ['response', 'content-type'] }])
  expect(operation.validateResponse(400, text).length).toBeGreaterThan(0)
  expect(operation.validateResponse(400, { success: false }, 'application/json').length).toBeGreaterThan(0)
})
