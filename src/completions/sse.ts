// Writing a completion's stream events as server-sent events over a Node response, noticing when the client
// goes away in the middle (the vendors log such calls with their own status).
import type { ServerResponse } from 'node:http'
import type { SseEvent } from './openai.ts'

/** `event: <name>` (when named) and `data: <JSON or raw string>`, ended by a blank line. */
export function formatSseEvent(event: SseEvent): string {
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data)
  return `${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${data}\n\n`
}

export type SseWriteOptions = {
  /** Pause before every event after the first (a slow provider's inter-token time); default 0. */
  delayMs?: number
  /** `Date.now()` when the request arrived: the times below count from it. Default: when writing starts. */
  startedAt?: number
  /** Status and extra headers (vendor ids…), sent with the stream's head when it is not sent yet. */
  status?: number
  headers?: Readonly<Record<string, string | number | readonly string[]>>
  /**
   * Runs once every event is written and before the response ends, while the client is still connected:
   * a vendor stores the call's record here, so a client that saw the stream end also finds it stored. A
   * rejection ends the write without ending the response (the caller's error).
   */
  beforeEnd?: (progress: Omit<SseWriteResult, 'completed' | 'disconnected'>) => Promise<void>
}

export type SseWriteResult = {
  /** Every event was written and the response ended. */
  completed: boolean
  /** The client closed the connection before the end. */
  disconnected: boolean
  /** Events handed to the connection before the end or the disconnect. */
  eventsWritten: number
  /** From `startedAt` to the write of the first event; null when none was written. */
  timeToFirstByteMs: number | null
  /** From `startedAt` to the end of the response or the disconnect. */
  durationMs: number
}

/**
 * Streams `events` as `text/event-stream` and ends the response. Resolves (never rejects, unless `beforeEnd` does) once the stream is
 * over: completed, or cut short by the client (then `eventsWritten` says how far it got). Honours
 * backpressure (waits for `drain`), and a disconnect during a pause or a wait ends it at once.
 */
export async function writeSse(res: ServerResponse, events: readonly SseEvent[], options: SseWriteOptions = {}): Promise<SseWriteResult> {
  const startedAt = options.startedAt ?? Date.now()
  let closed = res.destroyed || res.writableEnded
  let onClose!: () => void
  const closedPromise = new Promise<void>((resolve) => {
    onClose = () => {
      closed = true
      resolve()
    }
  })
  res.once('close', onClose)
  if (closed) onClose()

  let eventsWritten = 0
  let timeToFirstByteMs: number | null = null
  const result = (completed: boolean): SseWriteResult => ({
    completed,
    disconnected: !completed,
    eventsWritten,
    timeToFirstByteMs,
    durationMs: Date.now() - startedAt,
  })

  if (!closed && !res.headersSent) {
    res.statusCode = options.status ?? 200
    res.setHeader('content-type', 'text/event-stream; charset=utf-8')
    res.setHeader('cache-control', 'no-cache')
    res.setHeader('connection', 'keep-alive')
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value)
    res.flushHeaders()
  }
  for (const event of events) {
    if (closed) return result(false)
    if (eventsWritten > 0 && (options.delayMs ?? 0) > 0) {
      await Promise.race([sleep(options.delayMs!), closedPromise])
      if (closed) return result(false)
    }
    const flushed = res.write(formatSseEvent(event))
    eventsWritten++
    timeToFirstByteMs ??= Date.now() - startedAt
    if (!flushed) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), closedPromise])
  }
  if (closed) return result(false)
  if (options.beforeEnd !== undefined) {
    await options.beforeEnd({ eventsWritten, timeToFirstByteMs, durationMs: Date.now() - startedAt })
    if (closed) return result(false)
  }
  await Promise.race([new Promise<void>((resolve) => res.end(() => resolve())), closedPromise])
  res.off('close', onClose)
  return result(res.writableFinished)
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted === true) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
