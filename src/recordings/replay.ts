// Replay: recorded interactions served before the stateful emulator (`--replay FILE`, `replay FILE…`).
import type { Request, RequestHandler, Response } from 'express'
import { ConfigError } from '../config/config-error.ts'
import { snapshotText, type BodySnapshot, type ExchangeObserver } from '../control/exchange.ts'
import { harToRecordings, isHar } from '../control/har.ts'
import { readFixtureFiles, FixtureError } from '../fixtures/fixture-document.ts'
import { problem } from '../http/problem.ts'
import { BODY_LIMIT, BodyReadError, readBody } from '../http/read-body.ts'
import { serializeReply, writeReply, type SerializedReply } from '../http/reply.ts'
import { operationTable } from '../openapi/operations.ts'
import type { VendorModule } from '../vendors/vendor.ts'
import type { VendorName } from '../vendors/vendor-name.ts'
import { checkRecordingDocument, type RecordedInteraction, type RecordingDocument } from './recording-document.ts'
import { canonicalJson, countDifferences, firstDifference, normalizePath, normalizeQuery } from './replay-matching.ts'
import { createScrubber, secretsOf } from './scrub.ts'

export type ReplayOptions = {
  /**
   * Recording files (fixture documents with recorded interactions), or folders of them (their `*.json`), or
   * HAR files (a browser's or the journal's export: each entry becomes a recorded interaction, scrubbed).
   */
  files: string[]
  /** Unmatched requests get a clear 404 instead of falling back to the stateful emulator. */
  strict?: boolean
}

/** One loaded interaction, with the keys it is matched on. */
type Entry = {
  interaction: RecordedInteraction
  source: string
  index: number
  queryKey: string
  bodyKey: string
}

/** Interactions with the same vendor, method and path; `served` counts answers per exact request. */
type Candidates = { entries: Entry[]; served: Map<string, number> }

export const REPLAY_HEADER = 'x-emulator-replay'

/** Response headers that describe the recorded transfer, not the answer: never replayed. */
const TRANSFER_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'date'])

/**
 * Loads recordings (each checked against the specs; any problem fails startup with its file, index and
 * violation) and serves them before the stateful emulator: a request whose vendor mount, method, path,
 * query and body (deep-equal, after the same scrubbing the recorder applies) match a recording gets the
 * recorded status, headers and body. Identical requests recorded several times are answered in their
 * recorded order, the last one repeating. Anything else falls through to the emulator, or gets a JSON
 * 404 with `strict`.
 */
export type Replay = {
  /** Serves matching requests; passes the others on (or answers 404 with `strict`). */
  handler: RequestHandler
  /** Starts every recording's answer sequence over (identical requests are served in recorded order). */
  reset(): void
}

/** Writes one replay answer (and tells the journal and coverage about it). */
type Answer = (reply: SerializedReply) => void

export async function createReplay(
  options: ReplayOptions,
  vendors: readonly VendorModule[],
  /** The vendor served at the root (`--vendor`), if any. */
  rootVendor?: VendorModule,
  /** Told about every answer replay gives to a vendor route (the journal, coverage), as the pipeline does. */
  observe?: ExchangeObserver,
): Promise<Replay> {
  const index = await loadIndex(
    options.files,
    vendors.map((v) => v.name),
    rootVendor?.name,
  )
  const handler: RequestHandler = async (req: Request, res: Response, next) => {
    const located = locate(req.path, vendors, rootVendor)
    if (located === null) {
      if (options.strict === true) return notFound((r) => writeReply(res, r), req, null, 'the path is not under an emulated vendor')
      return next()
    }
    const { vendor, path } = located
    const method = req.method.toUpperCase()
    const operation = operationTable(vendor.name).match(method, path).operation
    const startedAt = Date.now()
    const started = performance.now()
    let requestBody: BodySnapshot | undefined
    const reply: Answer = (serialized) => {
      if (observe !== undefined) {
        observe({
          startedAt,
          durationMs: performance.now() - started,
          vendor: vendor.name,
          operation,
          method: req.method,
          path: req.originalUrl.split('?')[0] ?? '',
          query: req.query as Record<string, unknown>,
          requestHeaders: req.headers,
          apiKey: vendor.apiKeyOf(req),
          requestBody,
          requestViolations: [],
          status: serialized.status,
          responseHeaders: serialized.headers,
          responseText: serialized.text,
          responseViolations: null,
        })
      }
      writeReply(res, serialized)
    }
    const candidates = index.get(candidateKey(vendor.name, method, path))
    if (candidates === undefined) {
      if (options.strict === true) return notFound(reply, req, null, `nothing was recorded for ${vendor.name} ${method} ${path}`)
      return next()
    }
    let body
    try {
      // Read once: the vendor pipeline gets the same body if nothing matches.
      body = await readBody(req, res)
    } catch (error) {
      if (!(error instanceof BodyReadError)) throw error
      // Answer as the vendor would.
      const answer =
        error.reason === 'tooLarge' ? vendor.errors.payloadTooLarge(BODY_LIMIT) : vendor.errors.malformedJson(error.cause, operation)
      return reply(serializeReply(answer.status, answer.body, answer.headers))
    }
    if (body.kind !== 'absent') requestBody = snapshotText(body.kind, body.text)
    // Vendors read only JSON bodies; a body of another type is matched as its text.
    const value = body.kind === 'absent' ? undefined : body.kind === 'json' ? body.value : body.text
    return answer(req, reply, next, options, candidates, vendor.name, path, value)
  }
  return {
    handler,
    reset() {
      for (const candidates of index.values()) candidates.served.clear()
    },
  }
}

function answer(
  req: Request,
  reply: Answer,
  next: (error?: unknown) => void,
  options: ReplayOptions,
  candidates: Candidates,
  vendor: VendorName,
  path: string,
  body: unknown,
): void {
  // Recordings hold scrubbed values: scrub the live request the same way before comparing.
  const scrubber = createScrubber(secretsOf(req.headers))
  const query = normalizeQuery(scrubber.value(req.query as Record<string, unknown>))
  const scrubbedBody = body === undefined ? undefined : scrubber.value(body)
  const queryKey = canonicalJson(query)
  const bodyKey = canonicalJson(scrubbedBody)
  const matches = candidates.entries.filter((e) => e.queryKey === queryKey && e.bodyKey === bodyKey)
  if (matches.length === 0) {
    if (options.strict !== true) return next()
    const distance = (e: Entry) =>
      countDifferences(normalizeQuery(e.interaction.query), query) * 1000 + countDifferences(e.interaction.requestBody, scrubbedBody)
    const closest = candidates.entries.reduce((best, e) => (distance(e) < distance(best) ? e : best))
    const queryDiff = firstDifference(normalizeQuery(closest.interaction.query), query)
    const bodyDiff = firstDifference(closest.interaction.requestBody, scrubbedBody)
    const what =
      queryDiff !== null ? describeDifference('query', queryDiff) : bodyDiff !== null ? describeDifference('body', bodyDiff) : 'it differs'
    return notFound(
      reply,
      req,
      { vendor, path, query, body: scrubbedBody },
      `${candidates.entries.length} recorded interaction(s) have ${req.method.toUpperCase()} ${path}, but none has this query and body; the closest (${closest.source} $.recordings[${closest.index}]): ${what}`,
    )
  }
  const served = candidates.served.get(queryKey + bodyKey) ?? 0
  candidates.served.set(queryKey + bodyKey, served + 1)
  send(reply, matches[Math.min(served, matches.length - 1)]!)
}

function describeDifference(part: string, d: { path: string; recorded: unknown; actual: unknown }): string {
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v))
  return `${part} ${d.path} was recorded as ${show(d.recorded)}, the request has ${show(d.actual)}`
}

function send(reply: Answer, entry: Entry): void {
  const { interaction } = entry
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(interaction.responseHeaders ?? {})) {
    if (!TRANSFER_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value
  }
  headers[REPLAY_HEADER] = `${entry.source}#${entry.index}`
  const body = interaction.responseBody
  // A recorded text answer without a content type was plain text.
  if (typeof body === 'string' && headers['content-type'] === undefined) headers['content-type'] = 'text/plain; charset=utf-8'
  reply(serializeReply(interaction.status, body, headers))
}

function notFound(reply: Answer, req: Request, request: unknown, detail: string): void {
  const error = problem(404, 'No recorded interaction matches this request (--replay-strict)', {
    type: 'no-recorded-interaction',
    detail: `${req.method.toUpperCase()} ${req.path}: ${detail}`,
    request: request === null ? undefined : request,
  })
  reply(serializeReply(error.status, error.body, error.headers))
}

function locate(
  requestPath: string,
  vendors: readonly VendorModule[],
  rootVendor: VendorModule | undefined,
): { vendor: VendorModule; path: string } | null {
  if (rootVendor !== undefined) return { vendor: rootVendor, path: normalizePath(requestPath) }
  for (const vendor of vendors) {
    const prefix = `/${vendor.name}`
    if (requestPath === prefix || requestPath.startsWith(`${prefix}/`)) {
      return { vendor, path: normalizePath(requestPath.slice(prefix.length) || '/') }
    }
  }
  return null
}

function candidateKey(vendor: string, method: string, path: string): string {
  return `${vendor} ${method} ${path}`
}

/** Reads and checks every recording (or HAR) file; all problems of all files are reported together. */
async function loadIndex(
  files: readonly string[],
  vendors: readonly VendorName[],
  rootVendor?: VendorName,
): Promise<Map<string, Candidates>> {
  let docs: { source: string; doc: unknown }[]
  try {
    docs = await readFixtureFiles(files)
  } catch (error) {
    if (error instanceof FixtureError) throw new ConfigError(`--replay ${error.message}`)
    throw error
  }
  const failures: string[] = []
  const index = new Map<string, Candidates>()
  for (const { source, doc: raw } of docs) {
    let doc = raw
    // Problems of a HAR's converted entries are reported at the HAR entry they came from.
    let where = (path: string) => path
    if (isHar(raw)) {
      const imported = harToRecordings(raw, vendors, rootVendor)
      if (imported.doc.recordings.length === 0) {
        failures.push(`${source}: none of its ${raw.log.entries.length} HAR entries is an answered call of a served vendor's operation`)
        continue
      }
      doc = imported.doc
      where = (path) =>
        path.replace(/^\$\.recordings\[(\d+)\]/, (_, i: string) => `$.log.entries[${imported.entryOf[Number(i)] ?? '?'}] (as a recording)`)
    }
    const problems = checkRecordingDocument(doc)
    if (problems.length > 0) {
      failures.push(...problems.map((p) => `${source}: ${where(p.path)}: ${p.message}`))
      continue
    }
    const recordings = (doc as RecordingDocument).recordings ?? []
    recordings.forEach((interaction, i) => {
      const key = candidateKey(interaction.vendor, interaction.method, normalizePath(interaction.path))
      let candidates = index.get(key)
      if (candidates === undefined) {
        candidates = { entries: [], served: new Map() }
        index.set(key, candidates)
      }
      candidates.entries.push({
        interaction,
        source,
        index: i,
        queryKey: canonicalJson(normalizeQuery(interaction.query)),
        bodyKey: canonicalJson(interaction.requestBody),
      })
    })
  }
  if (failures.length > 0) {
    throw new ConfigError(`invalid recording${failures.length > 1 ? 's' : ''} (checked against specs/):\n  ${failures.join('\n  ')}`)
  }
  return index
}
