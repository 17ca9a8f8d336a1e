// Live updates: `GET /__emulator/events` (server-sent events), read with fetch rather than EventSource so that
// the admin token can go in the Authorization header. Reconnects after a drop; every (re)connection is
// announced as a `ready` event, on which pages refetch what they show (changes may have been missed).
import { controlHeaders, type ChangeEvent } from './api.ts'

export type LiveEvent = { type: 'ready' } | { type: 'change'; change: ChangeEvent }
export type LiveStatus = 'connecting' | 'live' | 'offline'

type Listener = (event: LiveEvent) => void

const listeners = new Set<Listener>()
const statusListeners = new Set<(status: LiveStatus) => void>()
let status: LiveStatus = 'connecting'
let controller: AbortController | null = null

export function onLiveEvent(listener: Listener): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

export function onLiveStatus(listener: (status: LiveStatus) => void): () => void {
  statusListeners.add(listener)
  listener(status)
  return () => void statusListeners.delete(listener)
}

function setStatus(next: LiveStatus): void {
  status = next
  for (const listener of statusListeners) listener(next)
}

/** Opens the stream (closing any previous one); retries every 2 s while the page is open. */
export function startLive(token: string | null, onUnauthorized: () => void): void {
  controller?.abort()
  const own = new AbortController()
  controller = own
  void (async () => {
    while (!own.signal.aborted) {
      setStatus('connecting')
      try {
        const response = await fetch('/__emulator/events', { headers: controlHeaders(token), signal: own.signal })
        if (response.status === 401) return onUnauthorized()
        if (!response.ok || response.body === null) throw new Error(`events: ${response.status}`)
        await readEvents(response.body, own.signal)
      } catch {
        // dropped, refused or aborted: retry below unless aborted
      }
      if (own.signal.aborted) return
      setStatus('offline')
      await new Promise((resolve) => setTimeout(resolve, 2000))
    }
  })()
}

export function stopLive(): void {
  controller?.abort()
  controller = null
}

/** Parses the event stream (`event:` and `data:` lines, a blank line ends an event; `:` lines are comments). */
async function readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  signal.addEventListener('abort', () => void reader.cancel(), { once: true })
  let buffer = ''
  let type = 'message'
  let data: string[] = []
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += decoder.decode(value, { stream: true })
    let newline: number
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '')
      buffer = buffer.slice(newline + 1)
      if (line === '') {
        dispatch(type, data.join('\n'))
        type = 'message'
        data = []
      } else if (line.startsWith('event:')) type = line.slice(6).trim()
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart())
    }
  }
}

function dispatch(type: string, data: string): void {
  let event: LiveEvent | null = null
  if (type === 'ready') {
    setStatus('live')
    event = { type: 'ready' }
  } else if (type === 'change') event = { type: 'change', change: JSON.parse(data) as ChangeEvent }
  if (event === null) return
  for (const listener of listeners) listener(event)
}

/** Whether a change concerns a vendor's tenant (a change without tenant: every tenant of its vendor). */
export function touches(change: ChangeEvent, vendor: VendorOf<ChangeEvent>, tenant?: string): boolean {
  return change.tenants.some((t) => t.vendor === vendor && (tenant === undefined || t.tenant === undefined || t.tenant === tenant))
}

type VendorOf<E extends ChangeEvent> = E['tenants'][number]['vendor']
