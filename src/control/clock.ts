// The test clock: what every part of the emulator takes as "now" (record timestamps, Helicone's scoring
// window and score delay, fixture anchoring). `GET/POST/DELETE /__emulator/clock` and `emulator.clock` are
// its two faces. It runs from a base clock (`createEmulator({ now })`, else the system time).
import type { components } from '../generated/emulator.ts'

export type ClockView = components['schemas']['Clock']
export type ClockChange = components['schemas']['ClockChange']

/** What the clock holds: frozen at an instant, or running `offsetMs` ahead of its base. */
export type ClockSnapshot = { frozenAtMs: number | null; offsetMs: number }

/** A change that would put "now" outside what a Date can hold (±8.64e15 ms). */
export class ClockError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ClockError'
  }
}

const MAX_DATE_MS = 8.64e15

export class TestClock {
  #base: () => Date
  #frozenAtMs: number | null = null
  #offsetMs = 0
  #listeners: ((snapshot: ClockSnapshot) => void)[] = []

  constructor(base: () => Date = () => new Date()) {
    this.#base = base
  }

  /** Now, as the emulator sees it. */
  now(): Date {
    return new Date(this.#frozenAtMs ?? this.#base().getTime() + this.#offsetMs)
  }

  /** `{ now, frozen, offsetMs }` (for a frozen clock, the offset from real time grows as real time passes). */
  get(): ClockView {
    const real = this.#base().getTime()
    const now = this.#frozenAtMs ?? real + this.#offsetMs
    return { now: new Date(now).toISOString(), frozen: this.#frozenAtMs !== null, offsetMs: now - real }
  }

  /** Stops the clock at `at`. */
  freeze(at: Date | string | number): ClockView {
    const ms = new Date(at).getTime()
    return this.#set(checked(ms, 'now'), 0)
  }

  /** Moves a frozen clock by `ms`; shifts a running one by `ms` more. */
  advance(ms: number): ClockView {
    if (this.#frozenAtMs !== null) return this.#set(checked(this.#frozenAtMs + ms, 'advanceMs'), 0)
    checked(this.#base().getTime() + this.#offsetMs + ms, 'advanceMs')
    return this.#set(null, this.#offsetMs + ms)
  }

  /** Lets the clock run `ms` ahead of real time (negative: behind), unfrozen. */
  offset(ms: number): ClockView {
    checked(this.#base().getTime() + ms, 'offsetMs')
    return this.#set(null, ms)
  }

  /** Back to real time. */
  reset(): ClockView {
    return this.#set(null, 0)
  }

  /** One `POST /__emulator/clock` body (exactly one of `now`, `advanceMs`, `offsetMs`). */
  apply(change: ClockChange): ClockView {
    if (change.now !== undefined) return this.freeze(change.now)
    if (change.advanceMs !== undefined) return this.advance(change.advanceMs)
    if (change.offsetMs !== undefined) return this.offset(change.offsetMs)
    throw new ClockError('give one of now, advanceMs and offsetMs')
  }

  /**
   * The persistence hook: what the clock holds, and a listener told after every change. The clock lives in
   * memory; a store that keeps it across restarts saves `snapshot()` on change and `restore()`s it at start.
   */
  snapshot(): ClockSnapshot {
    return { frozenAtMs: this.#frozenAtMs, offsetMs: this.#offsetMs }
  }

  restore(snapshot: ClockSnapshot): void {
    this.#frozenAtMs = snapshot.frozenAtMs
    this.#offsetMs = snapshot.offsetMs
  }

  onChange(listener: (snapshot: ClockSnapshot) => void): void {
    this.#listeners.push(listener)
  }

  #set(frozenAtMs: number | null, offsetMs: number): ClockView {
    this.#frozenAtMs = frozenAtMs
    this.#offsetMs = offsetMs
    for (const listener of this.#listeners) listener(this.snapshot())
    return this.get()
  }
}

function checked(ms: number, what: string): number {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) throw new ClockError(`${what} would put the clock outside the dates it can hold`)
  return ms
}
