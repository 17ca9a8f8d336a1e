import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type SeenRequest = { method: string; url: string; headers: IncomingMessage['headers']; body: string }

/**
 * A tiny stand-in for Portkey's control plane, started by the tests (no network): just enough of
 * `POST /v1/feedback`, `PUT /v1/feedback/{id}` and the score graph to record a session. Its answers
 * echo the caller's API key, so the tests can see that the recorder scrubs it.
 */
export async function startFakePortkey(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = []
  let feedbackCount = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const key = String(req.headers['x-portkey-api-key'] ?? '')
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-portkey-request-id': 'req-1',
          'x-powered-by': 'fake',
        })
        res.end(JSON.stringify(payload))
      }
      const url = new URL(req.url ?? '/', 'http://fake')
      if (key === '') return reply(401, { success: false, data: { message: 'Invalid API Key', errorCode: 'AB05' } })
      if (req.method === 'POST' && url.pathname === '/v1/feedback') {
        const parsed = JSON.parse(body) as { value?: unknown }
        if (typeof parsed.value !== 'number' || parsed.value > 10) {
          return reply(400, { success: false, data: { message: 'Request Validation Error: body.value must be <= 10', errorCode: 'AB01' } })
        }
        feedbackCount++
        return reply(200, { status: 'success', message: `Feedback saved for key ${key}`, feedback_ids: [randomUUID()] })
      }
      if (req.method === 'PUT' && url.pathname.startsWith('/v1/feedback/')) {
        return reply(404, { success: false, data: { message: 'Feedback not found', errorCode: 'AB08' } })
      }
      if (req.method === 'GET' && url.pathname === '/v1/analytics/graphs/feedbacks/scores') {
        return reply(200, {
          summary: { total: feedbackCount },
          data_points: feedbackCount === 0 ? [] : [{ score: 1, total: feedbackCount }],
          object: 'analytics-graph',
        })
      }
      return reply(404, { success: false, data: { message: 'Not found', errorCode: 'AB08' } })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
