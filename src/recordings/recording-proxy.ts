import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { problem } from '../http/problem.ts'
import { operationTable } from '../openapi/operations.ts'
import { checkInteraction, type RecordedInteraction, type RecordedMethod } from './recording-document.ts'
import type { VendorName } from '../vendors/vendor-name.ts'
import { RecordingFile } from './recording-file.ts'
import { AUTH_HEADERS, createScrubber, secretsOf } from './scrub.ts'

export type RecordingProxyOptions = {
  vendor: VendorName
  /**
   * The vendor's API root, the URL that stands where the emulator's `/<vendor>` mount does:
   * `https://api.portkey.ai`, `https://api.helicone.ai`, `https://api.pulze.ai`, or an emulator's
   * `http://127.0.0.1:4100/portkey`. A request for `/v1/feedback` goes to `<target>/v1/feedback`.
   */
  target: string
  /** The recording file (created, or extended when it exists). */
  out: string
  port?: number
  host?: string
  /** Largest request body forwarded (bytes). Default 10 MB. */
  maxBodyBytes?: number
  now?: () => Date
  /** One line per interaction. */
  log?: (line: string) => void
  /** How requests reach the upstream (tests may wrap it). Default: the global fetch. */
  fetch?: typeof fetch
}

export type RecordingProxy = {
  url: string
  port: number
  /** How many interactions the file holds. */
  readonly count: number
  close(): Promise<void>
}

/** Hop-by-hop and transfer headers: never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
])

/** Response headers worth keeping in a recording, beyond these prefixes. */
const KEPT_RESPONSE_HEADERS = new Set(['content-type', 'location', 'retry-after', 'x-request-id', 'request-id', 'x-trace-id'])
const KEPT_RESPONSE_PREFIXES = ['x-ratelimit-', 'ratelimit-', 'x-portkey-', 'helicone-', 'x-helicone-', 'x-pulze-']

/** The response headers a recording keeps (lower-case name): those that carry meaning, not transfer details. */
export function isKeptResponseHeader(name: string): boolean {
  return !AUTH_HEADERS.includes(name) && (KEPT_RESPONSE_HEADERS.has(name) || KEPT_RESPONSE_PREFIXES.some((p) => name.startsWith(p)))
}

const METHODS: readonly RecordedMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']

/**
 * An HTTP server that forwards every request to the upstream, answers the client with the upstream's
 * answer, and appends the interaction to a recording file, scrubbed of credentials, before answering.
 * A request path may carry the emulator's `/<vendor>` prefix (so a client configured for the emulator
 * only changes the port); it is dropped.
 */
export async function createRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const target = new URL(options.target)
  const targetBase = target.href.replace(/\/+$/, '').replace(/[?#].*$/, '')
  const file = await RecordingFile.open(
    options.out,
    `Recorded from ${target.origin} by llm-feedback-emulator record --vendor ${options.vendor}`,
  )
  const upstreamFetch = options.fetch ?? fetch
  const now = options.now ?? (() => new Date())
  const log = options.log ?? (() => {})
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024
  const prefix = `/${options.vendor}`

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now()
    const incoming = new URL(req.url ?? '/', 'http://recorder.local')
    let path = incoming.pathname
    if (path === prefix || path.startsWith(`${prefix}/`)) path = path.slice(prefix.length) || '/'
    const method = (req.method ?? 'GET').toUpperCase()

    const raw = await readBody(req, maxBody)
    if (raw === null) return sendProblem(res, 413, 'Payload Too Large', `The recorder forwards bodies up to ${maxBody} bytes.`)

    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || name === 'accept-encoding') continue
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
    }
    const url = `${targetBase}${path}${incoming.search}`
    let upstream: Response
    let responseBytes: Buffer
    try {
      const hasBody = raw.length > 0 && method !== 'GET' && method !== 'HEAD'
      upstream = await upstreamFetch(url, { method, headers, redirect: 'manual', ...(hasBody ? { body: raw } : {}) })
      responseBytes = Buffer.from(await upstream.arrayBuffer())
    } catch (error) {
      const scrub = createScrubber(secretsOf(req.headers))
      log(`${method} ${scrub.url(path)} → upstream failed: ${scrub.text((error as Error).message)} (not recorded)`)
      return sendProblem(res, 502, 'Bad Gateway', `The upstream ${target.origin} could not be reached: ${(error as Error).message}`)
    }

    const scrubber = createScrubber(secretsOf(req.headers))
    const query: Record<string, string | string[]> = {}
    for (const name of new Set(incoming.searchParams.keys())) {
      const values = incoming.searchParams.getAll(name)
      query[name] = values.length === 1 ? values[0]! : values
    }
    const responseHeaders: Record<string, string> = {}
    upstream.headers.forEach((value, name) => {
      if (isKeptResponseHeader(name)) responseHeaders[name] = scrubber.text(value)
    })
    const requestBody = decodeBody(raw)
    const responseBody = decodeBody(responseBytes)
    const interaction: RecordedInteraction = {
      vendor: options.vendor,
      method: METHODS.includes(method as RecordedMethod) ? (method as RecordedMethod) : 'GET',
      path: scrubber.url(path),
      ...(Object.keys(query).length === 0 ? {} : { query: scrubber.value(query) }),
      ...(requestBody === undefined ? {} : { requestBody: scrubber.value(requestBody) }),
      status: upstream.status,
      ...(Object.keys(responseHeaders).length === 0 ? {} : { responseHeaders }),
      ...(responseBody === undefined ? {} : { responseBody: scrubber.value(responseBody) }),
      recordedAt: now().toISOString(),
    }
    // Only calls of an operation of the vendor's spec are recorded: anything else could not be replayed.
    const operation = METHODS.includes(method as RecordedMethod) ? operationTable(options.vendor).match(method, path).operation : null
    if (operation !== null) await file.append(interaction)
    const note =
      operation === null
        ? ` (not recorded: not an operation of specs/${options.vendor}.yaml)`
        : ` (#${file.count - 1} ${operation.operationId})`
    log(`${method} ${scrubber.url(`${path}${incoming.search}`)} → ${upstream.status} ${Date.now() - started}ms${note}`)
    if (operation !== null) {
      // Recorded anyway (it is what the vendor said), but replay will refuse it until the spec agrees.
      for (const p of checkInteraction(interaction, file.count - 1))
        log(`  ! does not match specs/${options.vendor}.yaml: ${p.path}: ${p.message}`)
    }

    res.statusCode = upstream.status
    upstream.headers.forEach((value, name) => {
      if (HOP_BY_HOP.has(name) || name === 'content-encoding') return
      // fetch has already decoded the body, so the length is the decoded one.
      res.appendHeader(name, value)
    })
    res.setHeader('content-length', responseBytes.length)
    res.end(responseBytes)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const scrub = createScrubber(secretsOf(req.headers))
      log(`${req.method} ${scrub.url(req.url ?? '')} → recorder error: ${scrub.text((error as Error).message)}`)
      if (!res.headersSent) sendProblem(res, 500, 'Recorder error', scrub.text((error as Error).message))
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get count() {
      return file.count
    },
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
      await file.flush()
    },
  }
}

/** The body as the recording keeps it: parsed JSON, else text, else nothing. */
function decodeBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined
  const text = bytes.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) tooLarge = true
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** The recorder's own failures, as the emulator's problem documents (a plain node server: no Express). */
function sendProblem(res: ServerResponse, status: number, title: string, detail: string): void {
  const error = problem(status, title, { detail })
  res.statusCode = error.status
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value)
  res.end(JSON.stringify(error.body))
}
