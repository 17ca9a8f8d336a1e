// What a store file must be before anything is served from it: recognisably a store written by this
// program (a fixture document or any other JSON is refused, so `--db` never overwrites it), with every
// tenant in the shape the records' schemas in specs/emulator.yaml give (checked by the fixture document's
// validator, each tenant as a block keyed by its tenant id; types, required fields and ranges, not formats).
import { ConfigError } from '../config/config-error.ts'
import { checkFixtureDocument, jsonPath } from '../fixtures/fixture-document.ts'
import { VENDOR_NAMES, type VendorName } from '../vendors/vendor-name.ts'
import { emptyData, type Data } from './data.ts'
import { STORE_MARKER } from './snapshot-file.ts'

/** The fields a tenant's stored state always has (a fixture block may leave them out). */
const STATE_FIELDS: Record<VendorName, Record<string, 'array' | 'string'>> = {
  portkey: { generations: 'array', feedback: 'array' },
  helicone: { organizationId: 'string', requests: 'array', pendingScores: 'array' },
  pulze: { appId: 'string', logs: 'array' },
}

const MAX_PROBLEMS = 10

/**
 * Recognises and checks a snapshot read from `file`; throws ConfigError naming the file and JSON path.
 * `verified`: the file matched the checksum it was written with, so its records are as this program wrote
 * them and their shapes are not checked again (the outline still is).
 */
export function toStoreDocument(
  raw: unknown,
  file: string,
  { verified = false }: { verified?: boolean } = {},
): { data: Data; seq: number } {
  const notAStore = (why: string) =>
    new ConfigError(
      `${file}: not a store written by llm-feedback-emulator (${why}). It is left untouched; ` +
        `point --db at a new file (or an existing store)${looksLikeFixtures(raw) ? ', and load this file with --fixtures' : ''}.`,
    )
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw notAStore('it is not a JSON object')
  const doc = raw as Record<string, unknown>
  let seq = 0
  const allowed = new Set<string>(['version', ...VENDOR_NAMES])
  if (Object.hasOwn(doc, 'store')) {
    if (doc['store'] !== STORE_MARKER) throw notAStore(`its "store" field is ${JSON.stringify(doc['store'])}`)
    const s = doc['seq']
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0)
      throw shapeError(file, [{ path: '$.seq', message: 'must be a whole number' }])
    seq = s
    // `checksum` is taken off by the snapshot reader; a copy re-formatted by a JSON tool still has it.
    allowed.add('store').add('seq').add('checksum')
  } else {
    // A store written before the operation log: `{ version: 1, portkey, helicone, pulze }` and nothing else.
    if (doc['version'] !== 1) throw notAStore('no "store" marker and no "version": 1')
    const foreign = Object.keys(doc).filter((k) => !allowed.has(k))
    if (foreign.length > 0) throw notAStore(`unexpected field ${jsonPath([foreign[0]!])}`)
  }
  if (doc['version'] !== 1) throw shapeError(file, [{ path: '$.version', message: 'must be 1' }])
  const problems: { path: string; message: string }[] = []
  for (const key of Object.keys(doc)) if (!allowed.has(key)) problems.push({ path: jsonPath([key]), message: 'unknown field' })

  const data = emptyData()
  const blocks: Partial<Record<VendorName, Record<string, unknown>[]>> = {}
  const tenantsOf: Partial<Record<VendorName, string[]>> = {}
  for (const vendor of VENDOR_NAMES) {
    if (!Object.hasOwn(doc, vendor)) continue
    const tenants = doc[vendor]
    if (tenants === null || typeof tenants !== 'object' || Array.isArray(tenants)) {
      problems.push({ path: jsonPath([vendor]), message: 'must be an object of tenants' })
      continue
    }
    // Checked tenant by tenant below (and by each vendor's loader); the document is taken as it is.
    ;(data as Record<VendorName, unknown>)[vendor] = tenants
    const names = Object.keys(tenants)
    tenantsOf[vendor] = names
    blocks[vendor] = names.map((tenant) => {
      const state = (tenants as Record<string, unknown>)[tenant]
      if (state === null || typeof state !== 'object' || Array.isArray(state)) {
        problems.push({ path: jsonPath([vendor, tenant]), message: 'must be an object' })
        return { apiKey: tenant }
      }
      for (const [field, kind] of Object.entries(STATE_FIELDS[vendor])) {
        const value = (state as Record<string, unknown>)[field]
        if (kind === 'array' ? !Array.isArray(value) : typeof value !== 'string') {
          problems.push({ path: jsonPath([vendor, tenant, field]), message: `must be ${kind === 'array' ? 'an array' : 'a string'}` })
        }
      }
      return { apiKey: tenant, ...(state as Record<string, unknown>) }
    })
  }
  if (problems.length === 0 && !verified) {
    // Block i of a vendor is tenant i: `$.portkey[3].feedback[0]` → `$.portkey["k"].feedback[0]`.
    for (const p of checkFixtureDocument(blocks, { formats: false })) {
      const m = /^\$\.(portkey|helicone|pulze)\[(\d+)\](.*)$/.exec(p.path)
      const tenant = m === null ? undefined : tenantsOf[m[1] as VendorName]?.[Number(m[2])]
      problems.push({ path: m === null || tenant === undefined ? p.path : `${jsonPath([m[1]!, tenant])}${m[3]}`, message: p.message })
      if (problems.length >= MAX_PROBLEMS) break
    }
  }
  if (problems.length > 0) throw shapeError(file, problems)
  return { data, seq }
}

function shapeError(file: string, problems: { path: string; message: string }[]): ConfigError {
  const listed = problems
    .slice(0, MAX_PROBLEMS)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ')
  return new ConfigError(
    `${file}: the store does not have the shape this version reads (${listed}). ` +
      `It is left untouched; fix or restore it, or point --db at a new file.`,
  )
}

function looksLikeFixtures(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object') return false
  const doc = raw as Record<string, unknown>
  return VENDOR_NAMES.some((v) => Array.isArray(doc[v])) || typeof doc['timeAnchor'] === 'string' || typeof doc['$schema'] === 'string'
}
