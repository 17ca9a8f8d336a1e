import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import type { KeyEntry, KeysDocument } from '../../src/config/key-registry.ts'
import { createEmulator, type Emulator } from '../../src/emulator.ts'
import { loadSpec } from '../../src/openapi/load-specs.ts'
import type { VendorName } from '../../src/vendors/vendor-name.ts'
import { startPrismProxy, stopAllPrismProxies, type PrismProxy } from './prism.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const CORPUS_DIR = `${ROOT}contract/corpus/`
export const KNOWN_DIFFERENCES_FILE = `${ROOT}contract/known-differences.json`

/** One request of the traffic corpus and what the emulator must answer. */
export type CorpusCase = {
  name: string
  /** The operationId in `specs/<vendor>.yaml` the request is for (checked against method and path). */
  operation: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** The path under the vendor mount, as in our spec; `{{var}}` placeholders are filled in. */
  path: string
  query?: Record<string, string>
  /** The API key to send: `{{key}}` (default), `{{key:NAME}}`, a literal, or null for none. */
  auth?: string | null
  headers?: Record<string, string>
  body?: unknown
  /** The status the emulator must answer. */
  expect: number
  /**
   * The request breaks the spec on purpose (bad body, missing key, out-of-range value). It goes through a
   * proxy without `--errors` (with `--errors` Prism would answer it itself and the emulator's error answer
   * would never be checked); only response violations count, and Prism must find a request violation.
   */
  invalid?: boolean
  /** Variables to take from the JSON answer: name → dotted path (`feedback_ids.0`). */
  capture?: Record<string, string>
  /** Not sent through the vendor's own document (the reason is the value). */
  skipVendorDocument?: string
}

export type Corpus = {
  vendor: VendorName
  description?: string
  /** How the key is sent: header name and format (`{key}` is replaced). */
  authHeader: { name: string; format: string }
  /**
   * Extra keys for `--keys` (name → entry without `key`). When present, the vendor runs with a keys file
   * listing the run's key and these, so unknown keys and missing permissions can be exercised.
   */
  keys?: Record<string, Omit<KeyEntry, 'key'>>
  /** Properties of the run's own key entry when `keys` is used (e.g. Portkey `type`). */
  mainKey?: Omit<KeyEntry, 'key'>
  /**
   * A fixture block (without `apiKey`) seeded into each run's tenant before its cases: records the API
   * cannot create (Pulze logs). `{{var}}` placeholders are filled with the run's variables.
   */
  seed?: Record<string, unknown>
  /** The vendor's own document, when there is one to check against. */
  vendorDocument?: {
    /** Tried in order: the first that exists is used (the repository copy, then the shared notes). */
    files: string[]
    /** Appended to the emulator's vendor mount for the upstream (Portkey's server base ends in `/v1`). */
    upstreamSuffix?: string
    /** Taken off the front of our paths (Portkey's document paths lack `/v1`). */
    stripPrefix?: string
  }
  cases: CorpusCase[]
}

export type KnownDifference = {
  /** `<vendor>:own` or `<vendor>:vendor`. */
  target: string
  /** The corpus case name (exact), or omitted for every case. */
  case?: string
  operation?: string
  /** Which finding: a Prism violation, Prism's own error answer, or a status the emulator answered (default: any). */
  kind?: 'violation' | 'status' | 'prism-error'
  /** Prefix of the violation's location (`response.feedback_ids`). */
  location?: string
  /** A regular expression the finding's message must match. */
  message?: string
  reason: string
}

export type Violation = { location: string[]; severity: string; code?: string | number; message: string }

export type Finding = {
  target: string
  case: string
  operation: string
  request: string
  kind: 'violation' | 'status' | 'prism-error' | 'transport' | 'corpus'
  location: string
  message: string
  /** The known difference that explains it, if any. */
  explainedBy?: KnownDifference
}

export type TargetResult = {
  target: string
  document: string
  cases: number
  skipped: { case: string; reason: string }[]
  findings: Finding[]
  /** Prism's warnings (not failures), e.g. a status the document does not declare: `message → count`. */
  warnings: Record<string, number>
}

export type ConformanceResult = {
  targets: TargetResult[]
  unexplained: Finding[]
  explained: Finding[]
  /** Known differences that explained nothing (stale entries). */
  unused: KnownDifference[]
  ms: number
}

const VENDOR_MOUNT: Record<VendorName, string> = { portkey: '/portkey', helicone: '/helicone', pulze: '/pulze' }

export function loadCorpus(vendor: VendorName): Corpus | null {
  const file = `${CORPUS_DIR}${vendor}.json`
  if (!existsSync(file)) return null
  return JSON.parse(readFileSync(file, 'utf8')) as Corpus
}

export function loadKnownDifferences(): KnownDifference[] {
  if (!existsSync(KNOWN_DIFFERENCES_FILE)) return []
  return (JSON.parse(readFileSync(KNOWN_DIFFERENCES_FILE, 'utf8')) as { differences: KnownDifference[] }).differences
}

type Target = {
  name: string
  kind: 'own' | 'vendor'
  corpus: Corpus
  document: string
  upstream: string
  stripPrefix: string
  /** Whether the document has an operation for a method and (document) path. */
  hasOperation: (method: string, path: string) => boolean
  key: string
  extraKeys: Record<string, string>
  strict?: PrismProxy
  observing?: PrismProxy
}

export type ConformanceOptions = {
  vendors?: VendorName[]
  /** Skip the vendors' own documents. */
  ownOnly?: boolean
  log?: (line: string) => void
}

/**
 * The independent conformance run: one emulator on a free port, two Prism proxies per document (one
 * with `--errors` for requests the spec allows, one without for requests that break it on purpose),
 * the traffic corpus through each, and every Prism violation, Prism error and unexpected status as a
 * finding — explained by `contract/known-differences.json` or not.
 */
export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceResult> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const corpora = (options.vendors ?? (['portkey', 'helicone', 'pulze'] as VendorName[]))
    .map(loadCorpus)
    .filter((c): c is Corpus => c !== null)
  const known = loadKnownDifferences()

  const targets: Omit<Target, 'upstream'>[] = []
  for (const corpus of corpora) {
    targets.push({
      name: `${corpus.vendor}:own`,
      kind: 'own',
      corpus,
      document: `${ROOT}specs/${corpus.vendor}.yaml`,
      stripPrefix: '',
      hasOperation: operationMatcher(loadSpec(corpus.vendor) as unknown as OpenApiLike),
      key: `conformance-${corpus.vendor}-own-${randomUUID()}`,
      extraKeys: {},
    })
    const vendorDoc = corpus.vendorDocument
    if (options.ownOnly !== true && vendorDoc !== undefined) {
      const file = vendorDoc.files.map((f) => (f.startsWith('/') ? f : `${ROOT}${f}`)).find((f) => existsSync(f))
      if (file === undefined) {
        log(`! ${corpus.vendor}: none of ${vendorDoc.files.join(', ')} exists; the vendor-document run is skipped`)
      } else {
        targets.push({
          name: `${corpus.vendor}:vendor`,
          kind: 'vendor',
          corpus,
          document: file,
          stripPrefix: vendorDoc.stripPrefix ?? '',
          hasOperation: operationMatcher(readDocument(file)),
          key: `conformance-${corpus.vendor}-vendor-${randomUUID()}`,
          extraKeys: {},
        })
      }
    }
  }
  for (const t of targets) {
    for (const name of Object.keys(t.corpus.keys ?? {}))
      t.extraKeys[name] = `conformance-${t.name.replace(':', '-')}-${name}-${randomUUID()}`
  }

  const keys: KeysDocument = {}
  for (const t of targets) {
    if (t.corpus.keys === undefined) continue
    const list = (keys[t.corpus.vendor] ??= [])
    list.push({ ...(t.corpus.mainKey ?? {}), key: t.key })
    // Extra keys reach the run's own tenant, with other grants (a read-only key, a key without a scope).
    for (const [name, entry] of Object.entries(t.corpus.keys)) list.push({ ...entry, key: t.extraKeys[name]!, tenant: t.key })
  }

  let emulator: Emulator | null = null
  try {
    emulator = await createEmulator({ db: ':memory:', quiet: true, keys, logger: { error: () => {} } })
    const { url } = await emulator.listen(0, '127.0.0.1')
    log(`emulator on ${url}`)
    const ready: Target[] = targets.map((t) => ({
      ...t,
      upstream: `${url}${VENDOR_MOUNT[t.corpus.vendor]}${t.kind === 'vendor' ? (t.corpus.vendorDocument?.upstreamSuffix ?? '') : ''}`,
    }))
    await Promise.all(
      ready.map(async (t) => {
        const [strict, observing] = await Promise.all([
          startPrismProxy({ document: t.document, upstream: t.upstream, errors: true }),
          startPrismProxy({ document: t.document, upstream: t.upstream, errors: false }),
        ])
        t.strict = strict
        t.observing = observing
        log(`prism ${t.name}: --errors ${strict.url}, observing ${observing.url} → ${t.upstream}`)
      }),
    )
    const live = emulator
    const results = await Promise.all(ready.map((t) => runTarget(t, log, (block) => live.seed({ [t.corpus.vendor]: [block] }))))
    const explained: Finding[] = []
    const unexplained: Finding[] = []
    const used = new Set<KnownDifference>()
    for (const finding of results.flatMap((r) => r.findings)) {
      const difference = known.find((k) => explains(k, finding))
      if (difference === undefined) {
        unexplained.push(finding)
      } else {
        finding.explainedBy = difference
        used.add(difference)
        explained.push(finding)
      }
    }
    const ranTargets = new Set(results.map((r) => r.target))
    return {
      targets: results,
      unexplained,
      explained,
      unused: known.filter((k) => !used.has(k) && ranTargets.has(k.target)),
      ms: Date.now() - started,
    }
  } finally {
    await stopAllPrismProxies()
    await emulator?.close()
  }
}

async function runTarget(
  target: Target,
  log: (line: string) => void,
  seed: (block: { apiKey: string } & Record<string, unknown>) => Promise<unknown>,
): Promise<TargetResult> {
  const { corpus } = target
  const vars: Record<string, string> = { key: target.key }
  for (const [name, key] of Object.entries(target.extraKeys)) vars[`key:${name}`] = key
  const result: TargetResult = { target: target.name, document: target.document, cases: 0, skipped: [], findings: [], warnings: {} }
  if (corpus.seed !== undefined) await seed({ ...(fillDeep(corpus.seed, vars) as Record<string, unknown>), apiKey: target.key })
  const ownOperations = operationMatcherById(corpus.vendor)

  for (const c of corpus.cases) {
    if (target.kind === 'vendor' && c.skipVendorDocument !== undefined) {
      result.skipped.push({ case: c.name, reason: c.skipVendorDocument })
      continue
    }
    const path = fill(c.path, vars)
    const docPath = target.stripPrefix !== '' && path.startsWith(target.stripPrefix) ? path.slice(target.stripPrefix.length) : path
    if (target.kind === 'own' && !ownOperations(c.operation, c.method, path)) {
      result.findings.push(
        finding(
          target,
          c,
          `${c.method} ${path}`,
          'corpus',
          '',
          `the case says ${c.operation}, but ${c.method} ${path} is not that operation of specs/${corpus.vendor}.yaml`,
        ),
      )
      continue
    }
    if (!target.hasOperation(c.method, docPath)) {
      result.skipped.push({ case: c.name, reason: `${c.method} ${docPath} is not in the vendor's document` })
      continue
    }
    result.cases++
    const query =
      c.query === undefined
        ? ''
        : `?${new URLSearchParams(Object.entries(c.query).map(([k, v]): [string, string] => [k, fill(v, vars)])).toString()}`
    const headers: Record<string, string> = { accept: 'application/json' }
    const auth = c.auth === undefined ? '{{key}}' : c.auth
    if (auth !== null) headers[corpus.authHeader.name] = corpus.authHeader.format.replace('{key}', fill(auth, vars))
    for (const [name, value] of Object.entries(c.headers ?? {})) headers[name] = fill(value, vars)
    let body: string | undefined
    if (c.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(fillDeep(c.body, vars))
    }
    const proxy = c.invalid === true ? target.observing! : target.strict!
    const request = `${c.method} ${docPath}${query}${body === undefined ? '' : ` ${truncate(body, 300)}`}${auth === null ? ' (no key)' : ''}`
    let response: Response
    let text: string
    try {
      response = await fetch(`${proxy.url}${docPath}${query}`, { method: c.method, headers, ...(body === undefined ? {} : { body }) })
      text = await response.text()
    } catch (error) {
      result.findings.push(
        finding(target, c, request, 'transport', '', `${(error as Error).message}\n${proxy.log().split('\n').slice(-15).join('\n')}`),
      )
      continue
    }
    let json: unknown = undefined
    try {
      json = JSON.parse(text) as unknown
    } catch {
      // not JSON: kept as text in messages
    }

    const violations = parseViolations(response.headers.get('sl-violations'))
    const prismError = isPrismError(response, json)
    if (prismError !== null) {
      const detail = [prismError.detail, ...prismError.validation.map((v) => `${v.location.join('.')}: ${v.message}`)]
        .filter(Boolean)
        .join('; ')
      result.findings.push(
        finding(
          target,
          c,
          request,
          'prism-error',
          prismError.type,
          `Prism answered ${response.status} ${prismError.title}${detail === '' ? '' : `: ${detail}`}`,
        ),
      )
    }
    for (const v of violations) {
      if (v.severity !== 'Error') {
        const note = `${v.location.join('.')}: ${v.message}`
        result.warnings[note] = (result.warnings[note] ?? 0) + 1
        continue
      }
      const isRequest = v.location[0] === 'request'
      if (isRequest && c.invalid === true) continue
      // With --errors, Prism's own error answer already lists these.
      if (prismError?.type === 'VIOLATIONS') continue
      result.findings.push(finding(target, c, request, 'violation', v.location.join('.'), v.message))
    }
    if (c.invalid === true && target.kind === 'own' && !violations.some((v) => v.location[0] === 'request' && v.severity === 'Error')) {
      result.findings.push(
        finding(target, c, request, 'corpus', '', 'the case is marked invalid, but Prism found nothing wrong with the request'),
      )
    }
    if (prismError === null && response.status !== c.expect) {
      result.findings.push(
        finding(
          target,
          c,
          request,
          'status',
          String(response.status),
          `expected ${c.expect}, the emulator answered ${response.status}: ${truncate(text, 400)}`,
        ),
      )
    }
    for (const [name, path] of Object.entries(c.capture ?? {})) {
      const value = pick(json, path)
      if (value === undefined) {
        result.findings.push(
          finding(target, c, request, 'corpus', path, `could not capture ${name} from ${path} in ${truncate(text, 200)}`),
        )
      } else {
        vars[name] = String(value)
      }
    }
  }
  log(`${target.name}: ${result.cases} requests, ${result.findings.length} findings, ${result.skipped.length} skipped`)
  return result
}

function finding(target: Target, c: CorpusCase, request: string, kind: Finding['kind'], location: string, message: string): Finding {
  return { target: target.name, case: c.name, operation: c.operation, request, kind, location, message }
}

function explains(k: KnownDifference, f: Finding): boolean {
  if (k.target !== f.target) return false
  if (k.case !== undefined && k.case !== f.case) return false
  if (k.operation !== undefined && k.operation !== f.operation) return false
  if (k.kind !== undefined && k.kind !== f.kind) return false
  if (k.location !== undefined && !f.location.startsWith(k.location)) return false
  if (k.message !== undefined && !new RegExp(k.message).test(f.message)) return false
  return true
}

function isPrismError(response: Response, json: unknown): { type: string; title: string; detail: string; validation: Violation[] } | null {
  if (!/problem\+json/.test(response.headers.get('content-type') ?? '')) return null
  if (json === null || typeof json !== 'object') return null
  const problem = json as { type?: unknown; title?: unknown; detail?: unknown; validation?: unknown }
  if (typeof problem.type !== 'string' || !problem.type.startsWith('https://stoplight.io/prism/errors#')) return null
  return {
    type: problem.type.replace('https://stoplight.io/prism/errors#', ''),
    title: typeof problem.title === 'string' ? problem.title : '',
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    validation: Array.isArray(problem.validation) ? (problem.validation as Violation[]) : [],
  }
}

function parseViolations(header: string | null): Violation[] {
  if (header === null) return []
  try {
    return JSON.parse(header.replace(/^Too many violations! /, '')) as Violation[]
  } catch {
    return [{ location: ['sl-violations'], severity: 'Error', message: header }]
  }
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{([^}]+)\}\}/g, (whole, name: string) => {
    const now = Date.now()
    switch (name) {
      case 'uuid':
        return randomUUID()
      case 'now':
        return new Date(now).toISOString()
      case 'hourAgo':
        return new Date(now - 3_600_000).toISOString()
      case 'dayAgo':
        return new Date(now - 86_400_000).toISOString()
      case 'weekAgo':
        return new Date(now - 7 * 86_400_000).toISOString()
      case 'inAnHour':
        return new Date(now + 3_600_000).toISOString()
      case 'nowMs':
        return String(now)
      case 'nowSeconds':
        return String(Math.floor(now / 1000))
      default:
        // `{{uuid:NAME}}`: one UUID per run and name (an id to log a request under, then to score it).
        if (name.startsWith('uuid:')) return (vars[name] ??= randomUUID())
        return vars[name] ?? whole
    }
  })
}

function fillDeep(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') {
    // A whole-string `{{nowMs}}` / `{{num:NAME}}` becomes a number.
    const numeric = /^\{\{num:([^}]+)\}\}$/.exec(value)
    if (numeric?.[1] !== undefined) return Number(fill(`{{${numeric[1]}}}`, vars))
    return fill(value, vars)
  }
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, vars))
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [fill(k, vars), fillDeep(v, vars)]))
  return value
}

function pick(json: unknown, path: string): unknown {
  let node = json
  for (const token of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[token]
  }
  return node
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

type OpenApiLike = { paths?: Record<string, Record<string, unknown>> }

function readDocument(file: string): OpenApiLike {
  const text = readFileSync(file, 'utf8')
  return (file.endsWith('.json') ? JSON.parse(text) : yaml.load(text)) as OpenApiLike
}

/** Whether a document has an operation for a method and a concrete path (templated segments match anything). */
function operationMatcher(doc: OpenApiLike): (method: string, path: string) => boolean {
  const routes = Object.entries(doc.paths ?? {}).map(([template, item]) => ({
    regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}/?$`),
    methods: new Set(Object.keys(item).map((m) => m.toUpperCase())),
  }))
  return (method, path) => routes.some((r) => r.methods.has(method.toUpperCase()) && r.regex.test(path))
}

function operationMatcherById(vendor: VendorName): (operationId: string, method: string, path: string) => boolean {
  const doc = loadSpec(vendor)
  const byId = new Map<string, { method: string; regex: RegExp }>()
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const id = (op as { operationId?: unknown } | null)?.operationId
      if (typeof id !== 'string') continue
      byId.set(id, {
        method: method.toUpperCase(),
        regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}/?$`),
      })
    }
  }
  return (operationId, method, path) => {
    const op = byId.get(operationId)
    return op !== undefined && op.method === method && op.regex.test(path)
  }
}

/** A readable report: one block per finding, then a line per target. */
export function formatReport(result: ConformanceResult): string {
  const lines: string[] = []
  for (const t of result.targets) {
    const unexplained = result.unexplained.filter((f) => f.target === t.target).length
    const explained = result.explained.filter((f) => f.target === t.target).length
    lines.push(
      `${t.target.padEnd(18)} ${String(t.cases).padStart(3)} requests through Prism (${t.document.replace(ROOT, '')}), ${unexplained} unexplained, ${explained} known differences, ${t.skipped.length} skipped`,
    )
    for (const s of t.skipped) lines.push(`    skipped [${s.case}]: ${s.reason}`)
    for (const [note, count] of Object.entries(t.warnings)) lines.push(`    Prism warning ×${count}: ${note}`)
  }
  if (result.explained.length > 0) {
    lines.push('', 'Known differences (contract/known-differences.json):')
    const byDifference = new Map<KnownDifference, Finding[]>()
    for (const f of result.explained) byDifference.set(f.explainedBy!, [...(byDifference.get(f.explainedBy!) ?? []), f])
    for (const [difference, findings] of byDifference) {
      lines.push(`  ${difference.target} ${findings[0]?.operation ?? ''}: ${findings[0]?.message ?? ''}`)
      lines.push(`      cases: ${findings.map((f) => f.case).join('; ')}`, `      reason: ${difference.reason}`)
    }
  }
  if (result.unused.length > 0) {
    lines.push('', 'Known differences that no longer occur (remove them?):')
    for (const k of result.unused) lines.push(`  ${k.target} ${k.operation ?? ''} ${k.case ?? ''} ${k.location ?? ''} ${k.message ?? ''}`)
  }
  if (result.unexplained.length > 0) {
    lines.push('', `UNEXPLAINED (${result.unexplained.length}):`)
    for (const f of result.unexplained) {
      lines.push(
        `  ✗ ${f.target} ${f.operation} [${f.case}] (${f.kind})`,
        `      request: ${f.request}`,
        `      ${f.location === '' ? '' : `${f.location}: `}${f.message}`,
      )
    }
  }
  lines.push('', `${result.unexplained.length === 0 ? 'OK' : 'FAILED'} in ${(result.ms / 1000).toFixed(1)} s`)
  return lines.join('\n')
}
