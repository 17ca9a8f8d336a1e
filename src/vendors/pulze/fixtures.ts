// Fixture blocks ⇄ stored state, and moving a block's times.
import { FixtureError } from '../../fixtures/fixture-document.ts'
import { stableUuid } from '../../util/stable-uuid.ts'
import type { FixtureBlock, Grant, VendorFixtures } from '../vendor.ts'
import { normalizeLog } from './logs.ts'
import type { PulzeLogRecord, PulzeState, PulzeTenantBlock, StoredLog } from './types.ts'

/** The app id a key's tenant answers with: the key entry's `appId`, else derived from the tenant. */
export function appIdOf(grant: Grant): string {
  const configured = grant.info['appId']
  return typeof configured === 'string' ? configured.toLowerCase() : stableUuid(`pulze:${grant.tenant}`)
}

export function emptyState(grant: Grant): PulzeState {
  return { appId: appIdOf(grant), logs: [] }
}

function toState(raw: FixtureBlock, grant: Grant): PulzeState {
  const block = raw as unknown as PulzeTenantBlock
  const keyAppId = appIdOf(grant)
  const appId = block.appId?.toLowerCase() ?? keyAppId
  const problems: { path: string; message: string }[] = []
  if (typeof grant.info['appId'] === 'string' && appId !== keyAppId) {
    problems.push({ path: '$.appId', message: `differs from the --keys entry's appId ${keyAppId}` })
  }
  const seen = new Set<string>()
  const logs: StoredLog[] = block.logs.map((record, index) => {
    const log = normalizeLog(record, appId)
    if (seen.has(log.id)) problems.push({ path: `$.logs[${index}].id`, message: `a second log with id ${log.id}` })
    seen.add(log.id)
    if (log.app_id !== appId) problems.push({ path: `$.logs[${index}].app_id`, message: `is not this app's id ${appId}` })
    return log
  })
  logs.forEach((log, index) => {
    if (log.parent_id !== null && !seen.has(log.parent_id))
      problems.push({ path: `$.logs[${index}].parent_id`, message: 'no log of this app has this id' })
  })
  if (problems.length > 0) throw new FixtureError('pulze', problems)
  return { appId, logs }
}

function fromState(state: unknown, apiKey: string): FixtureBlock {
  const { appId, logs } = state as PulzeState
  const block: PulzeTenantBlock = { apiKey, appId, logs: structuredClone(logs) as unknown as PulzeLogRecord[] }
  return block as FixtureBlock
}

function shiftIso(iso: string, deltaMs: number): string {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? iso : new Date(ms + deltaMs).toISOString()
}

function shiftTimes(raw: FixtureBlock, deltaMs: number): FixtureBlock {
  const block = raw as unknown as PulzeTenantBlock
  for (const log of block.logs) {
    log.timestamp += deltaMs
    if (log.added_on !== undefined) log.added_on = shiftIso(log.added_on, deltaMs)
    if (typeof log.response.created === 'number' && log.response.created > 0) log.response.created += deltaMs
  }
  return raw
}

export const pulzeFixtures: VendorFixtures = { toState, fromState, shiftTimes }
