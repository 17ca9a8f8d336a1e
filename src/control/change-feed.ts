// What changed, for the dashboard: the store tells it about every operation applied, the pipeline about every
// request journaled. It keeps each tenant's last write time (for `/tenants`) and streams coalesced
// `change` events to the clients of `GET /__emulator/events` (server-sent events).
import type { Response } from 'express'
import type { components } from '../generated/emulator.ts'
import type { Operation } from '../store/operations.ts'
import { isVendorName, type VendorName } from '../vendors/vendor-name.ts'

export type ChangeEvent = components['schemas']['ChangeEvent']
type TenantChange = ChangeEvent['tenants'][number]

/** Events are sent at most this often (a burst of writes becomes one event). */
export const CHANGE_EVENT_INTERVAL_MS = 250
/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
export const KEEP_ALIVE_MS = 15_000
/** Streams open at once; more are refused (503). */
export const MAX_EVENT_STREAMS = 100
/** Tenants named in one event; past that, one entry per vendor. */
export const MAX_TENANTS_PER_EVENT = 100
/** A client with this much unsent is not reading: it is dropped. */
const MAX_UNSENT_BYTES = 1024 * 1024

type Client = { res: Response; end: () => void }

/** The (vendor, tenant) pairs an operation wrote: a missing tenant means every tenant of the vendor. */
export function tenantsWrittenBy(op: Operation): TenantChange[] {
  switch (op.type) {
    case 'seed':
      return op.tenants.map(({ vendor, tenant }) => ({ vendor, tenant }))
    case 'reset':
      return [
        ...op.targets.map(({ vendor, tenant }) => (tenant === undefined ? { vendor } : { vendor, tenant })),
        ...(op.restore ?? []).map(({ vendor, tenant }) => ({ vendor, tenant })),
      ]
    default: {
      const vendor = op.type.slice(0, op.type.indexOf('.'))
      return isVendorName(vendor) ? [{ vendor, tenant: op.tenant }] : []
    }
  }
}

export class ChangeFeed {
  readonly #now: () => Date
  /** Per vendor, the last write time (emulator clock, epoch ms) of each tenant written since startup. */
  readonly #lastWrite = new Map<VendorName, Map<string, number>>()
  readonly #clients = new Set<Client>()
  /** What the next event will carry. */
  #pending: { tenants: Map<string, TenantChange>; requests: number } = { tenants: new Map(), requests: 0 }
  #timer: NodeJS.Timeout | null = null

  constructor(now: () => Date) {
    this.#now = now
  }

  /** The store's listener. */
  operationApplied(op: Operation): void {
    const at = this.#now().getTime()
    for (const change of tenantsWrittenBy(op)) {
      let tenants = this.#lastWrite.get(change.vendor)
      if (tenants === undefined) this.#lastWrite.set(change.vendor, (tenants = new Map()))
      if (change.tenant === undefined)
        tenants.clear() // every tenant dropped (those loaded back follow)
      else if (op.type === 'reset' && !(op.restore ?? []).some((r) => r.vendor === change.vendor && r.tenant === change.tenant))
        tenants.delete(change.tenant)
      else tenants.set(change.tenant, at)
      this.#queue(change)
    }
  }

  /** The journal's listener: one request recorded. */
  requestRecorded(): void {
    if (this.#clients.size === 0) return
    this.#pending.requests++
    this.#schedule()
  }

  /** When the tenant was last written since startup (epoch ms, emulator clock), if it was. */
  lastWriteOf(vendor: VendorName, tenant: string): number | undefined {
    return this.#lastWrite.get(vendor)?.get(tenant)
  }

  /** Whether another stream may open. */
  get full(): boolean {
    return this.#clients.size >= MAX_EVENT_STREAMS
  }

  /** Serves one event stream on `res` (status and headers already set); resolves when it ends. */
  stream(res: Response): Promise<void> {
    return new Promise((resolve) => {
      const keepAlive = setInterval(() => this.#send(client, ': keep-alive\n\n'), KEEP_ALIVE_MS)
      keepAlive.unref()
      const client: Client = {
        res,
        end: () => {
          if (!this.#clients.delete(client)) return
          clearInterval(keepAlive)
          res.off('close', client.end)
          if (!res.writableEnded) res.end()
          resolve()
        },
      }
      this.#clients.add(client)
      res.on('close', client.end)
      res.flushHeaders()
      this.#send(client, 'retry: 2000\nevent: ready\ndata: {}\n\n')
    })
  }

  /** Ends every stream (the emulator is closing). */
  close(): void {
    for (const client of [...this.#clients]) client.end()
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  #queue(change: TenantChange): void {
    if (this.#clients.size === 0) return
    const tenants = this.#pending.tenants
    const vendorWide = tenants.get(change.vendor)
    if (vendorWide !== undefined) return // the vendor as a whole is already named
    if (change.tenant === undefined || tenants.size >= MAX_TENANTS_PER_EVENT) {
      for (const [key, c] of tenants) if (c.vendor === change.vendor) tenants.delete(key)
      tenants.set(change.vendor, { vendor: change.vendor })
    } else {
      tenants.set(`${change.vendor}\u0000${change.tenant}`, change)
    }
    this.#schedule()
  }

  #schedule(): void {
    if (this.#timer !== null) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      const event: ChangeEvent = { tenants: [...this.#pending.tenants.values()], requests: this.#pending.requests }
      this.#pending = { tenants: new Map(), requests: 0 }
      const text = `event: change\ndata: ${JSON.stringify(event)}\n\n`
      for (const client of [...this.#clients]) this.#send(client, text)
    }, CHANGE_EVENT_INTERVAL_MS)
    this.#timer.unref()
  }

  #send(client: Client, text: string): void {
    if (client.res.writableLength > MAX_UNSENT_BYTES) return client.end()
    client.res.write(text)
  }
}
