// Fault rules: the control API's `/__emulator/faults` and the in-process `emulator.use(…)` are two faces of
// this one mechanism. Pure bookkeeping (matching, counting down, seeded draws); the pipeline acts them out.
import type { components } from '../generated/emulator.ts'
import { createRandom } from '../util/random.ts'

export type FaultRule = components['schemas']['FaultRule']
export type FaultRuleState = components['schemas']['FaultRuleState']

/** What a request offers to the rules: its vendor, operation (null on an unknown route), method, full path and key. */
export type FaultTarget = {
  vendor: string
  operationId: string | null
  method: string
  path: string
  apiKey: string | null
}

/** A rule the emulator cannot act on (the schema cannot say it): answered 400 by the control API. */
export class FaultRuleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FaultRuleError'
  }
}

/** Longest a `timeout` fault holds a request (then the connection is closed). */
export const MAX_HOLD_MS = 5 * 60_000

type HeldRule = { state: FaultRuleState; matchPath: (path: string) => boolean }

/**
 * The active rules, newest first: a rule added later wins over an older one that matches the same request
 * (MSW's `use()` prepends its handlers; WireMock prefers the newest stub).
 */
export class FaultRules {
  #rules: HeldRule[] = []
  #random: () => number
  #nextId = 1

  constructor(seed = 1) {
    this.#random = createRandom(seed)
  }

  /** Adds a rule (already checked against the `FaultRule` schema) and returns it as held. */
  add(rule: FaultRule): FaultRuleState {
    if (rule.status === undefined && rule.kind === undefined && rule.delayMs === undefined) {
      throw new FaultRuleError('a fault rule needs status, kind or delayMs: this one would change nothing')
    }
    if (rule.kind === 'status' && rule.status === undefined) throw new FaultRuleError('kind "status" needs a status')
    if (rule.kind !== undefined && rule.kind !== 'status' && rule.status !== undefined) {
      throw new FaultRuleError(`kind "${rule.kind}" answers nothing: leave status out`)
    }
    const state: FaultRuleState = { id: `fault-${this.#nextId++}`, ...structuredClone(rule), remaining: rule.times ?? null, fired: 0 }
    if (state.method !== undefined) state.method = state.method.toUpperCase()
    this.#rules.unshift({ state, matchPath: rule.path === undefined ? () => true : globMatcher(rule.path) })
    return structuredClone(state)
  }

  list(): FaultRuleState[] {
    return this.#rules.map((r) => structuredClone(r.state))
  }

  get(id: string): FaultRuleState | undefined {
    const rule = this.#rules.find((r) => r.state.id === id)
    return rule === undefined ? undefined : structuredClone(rule.state)
  }

  remove(id: string): boolean {
    const before = this.#rules.length
    this.#rules = this.#rules.filter((r) => r.state.id !== id)
    return this.#rules.length < before
  }

  /** Drops every rule; returns how many there were. */
  clear(): number {
    const count = this.#rules.length
    this.#rules = []
    return count
  }

  /** The rule that fires for this request, counted as fired (and removed when its `times` run out), or null. */
  take(target: FaultTarget): FaultRuleState | null {
    for (const rule of this.#rules) {
      const s = rule.state
      if (s.vendor !== undefined && s.vendor !== target.vendor) continue
      if (s.operationId !== undefined && s.operationId !== target.operationId) continue
      if (s.method !== undefined && s.method !== target.method.toUpperCase()) continue
      if (s.apiKey !== undefined && s.apiKey !== target.apiKey) continue
      if (!rule.matchPath(target.path)) continue
      if (s.probability !== undefined && this.#random() >= s.probability) continue
      s.fired++
      if (s.remaining !== null && s.remaining !== undefined) {
        s.remaining--
        if (s.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule)
      }
      return structuredClone(s)
    }
    return null
  }
}

/**
 * `*` matches any run of characters, anything else itself. No regex: the parts between stars are found in
 * order with `indexOf`, so a hostile pattern cannot make matching backtrack.
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  const parts = pattern.split('*')
  if (parts.length === 1) return (text) => text === pattern
  const first = parts[0]!
  const last = parts[parts.length - 1]!
  const middle = parts.slice(1, -1).filter((p) => p !== '')
  return (text) => {
    if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false
    let at = first.length
    const end = text.length - last.length
    for (const part of middle) {
      const found = text.indexOf(part, at)
      if (found === -1 || found + part.length > end) return false
      at = found + part.length
    }
    return true
  }
}

/** The id a `Prefer`-header fault carries in the journal. */
export const PREFER_FAULT_ID = 'prefer'

/**
 * Prism's per-request shortcuts: `Prefer: code=429` (answer that status with the vendor's body) and/or
 * `Prefer: delay=250` (wait first), as a one-off rule; null when the header asks for neither. Preferences
 * the emulator does not know, and values it cannot use, are ignored (RFC 7240 §2).
 */
export function faultFromPrefer(header: string | string[] | undefined): FaultRuleState | null {
  if (header === undefined) return null
  let status: number | undefined
  let delayMs: number | undefined
  for (const preference of (Array.isArray(header) ? header.join(',') : header).split(/[,;]/)) {
    const eq = preference.indexOf('=')
    if (eq === -1) continue
    const name = preference.slice(0, eq).trim().toLowerCase()
    const value = preference
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
    if (!/^\d{1,9}$/.test(value)) continue
    const n = Number(value)
    if (name === 'code' && n >= 100 && n <= 599) status = n
    if (name === 'delay') delayMs = Math.min(n, MAX_HOLD_MS)
  }
  if (status === undefined && delayMs === undefined) return null
  return {
    id: PREFER_FAULT_ID,
    remaining: null,
    fired: 1,
    ...(status === undefined ? {} : { status }),
    ...(delayMs === undefined ? {} : { delayMs }),
  }
}
