// A small loopback HTTP client for the measurements autocannon does not fit: single requests with their
// latency, and closed-loop writers that finish every request they started (autocannon drops the requests
// still in flight when its time is up, which at one write per second would lose most of them).
import { Agent, request } from 'node:http'

export type HttpRequest = { method: string; path: string; headers?: Record<string, string>; body?: string }
export type HttpReply = { status: number; body: string; ms: number }

export type HttpClient = {
  send(req: HttpRequest, timeoutMs?: number): Promise<HttpReply>
  close(): void
}

/** A keep-alive client for one server, with at most `connections` sockets. */
export function createClient(baseUrl: string, connections = 1): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const url = new URL(baseUrl)
  return {
    send({ method, path, headers = {}, body }, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const started = performance.now()
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method,
            path,
            headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (chunk: Buffer) => chunks.push(chunk))
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
            )
            res.on('error', reject)
          },
        )
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)))
        req.on('error', reject)
        req.end(body)
      })
    },
    close() {
      agent.destroy()
    },
  }
}

export type ClosedLoopResult = {
  /** 2xx answers, and everything else (other statuses and errors). */
  ok: number
  failed: number
  firstFailure: string | null
  /** From the first request to the last answer (including the requests still in flight at the deadline). */
  elapsedMs: number
  latenciesMs: number[]
}

/**
 * `connections` writers, each sending `req` again as soon as its previous answer is in, until `seconds` have
 * passed (or `maxRequests` were sent); then every request in flight is awaited (each bounded by `timeoutMs`).
 */
export async function closedLoop(
  baseUrl: string,
  req: HttpRequest,
  options: { connections: number; seconds: number; maxRequests?: number; timeoutMs?: number },
): Promise<ClosedLoopResult> {
  const client = createClient(baseUrl, options.connections)
  const result: ClosedLoopResult = { ok: 0, failed: 0, firstFailure: null, elapsedMs: 0, latenciesMs: [] }
  const started = performance.now()
  const deadline = started + options.seconds * 1000
  let sent = 0
  const writer = async () => {
    while (performance.now() < deadline && sent < (options.maxRequests ?? Infinity)) {
      sent++
      try {
        const reply = await client.send(req, options.timeoutMs)
        result.latenciesMs.push(reply.ms)
        if (reply.status >= 200 && reply.status < 300) result.ok++
        else {
          result.failed++
          result.firstFailure ??= `${reply.status} ${reply.body.slice(0, 200)}`
        }
      } catch (error) {
        result.failed++
        result.firstFailure ??= (error as Error).message
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: options.connections }, writer))
  } finally {
    client.close()
  }
  result.elapsedMs = performance.now() - started
  return result
}
