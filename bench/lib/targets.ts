// Issue 11's targets, checked against one run's figures. A target whose size was not measured in this run
// (--quick, --sizes, --only) is reported as not measured, never as passed.
import type { AnalyticsOutcome } from '../scenarios/analytics.ts'
import type { StoreSizeResult } from '../scenarios/store-size.ts'
import type { ThroughputResult } from '../scenarios/throughput.ts'

export type Target = {
  id: string
  description: string
  value: number | null
  /** How `value` is compared with `limit`. */
  rule: '>=' | '<=' | '<'
  limit: number
  unit: string
  /** null: not measured in this run. */
  pass: boolean | null
  note: string
}

export type Figures = {
  throughput: ThroughputResult | null
  analytics: AnalyticsOutcome[]
  storeSizes: StoreSizeResult[]
}

const MILLION = 1_000_000
const HUNDRED_K = 100_000

function target(
  id: string,
  description: string,
  rule: Target['rule'],
  limit: number,
  unit: string,
  measured: { value: number | null; note?: string; valid?: boolean } | null,
): Target {
  if (measured === null) return { id, description, value: null, rule, limit, unit, pass: null, note: 'not measured in this run' }
  const { value, note = '', valid = true } = measured
  const within = value !== null && (rule === '>=' ? value >= limit : rule === '<=' ? value <= limit : value < limit)
  return { id, description, value, rule, limit, unit, pass: valid && within, note }
}

export function checkTargets({ throughput, analytics, storeSizes }: Figures): Target[] {
  const targets: Target[] = []
  const tp = throughput
  const tpNote = tp === null ? '' : tp.c.non2xx + tp.c.errors > 0 ? `1c had ${tp.c.non2xx} non-2xx and ${tp.c.errors} errors` : ''
  targets.push(
    target(
      '1c/1b',
      '1c feedback write ≥ 2 × Prism (1b)',
      '>=',
      2,
      '×',
      tp && { value: tp.ratios.cOverB, note: tpNote, valid: tpNote === '' },
    ),
    target(
      '1c/1a',
      '1c feedback write ≥ 0.6 × bare Express (1a)',
      '>=',
      0.6,
      '×',
      tp && { value: tp.ratios.cOverA, note: tpNote, valid: tpNote === '' },
    ),
  )

  const at1M = analytics.find((a) => a.records === MILLION)
  for (const vendor of ['helicone', 'portkey'] as const) {
    const name = vendor === 'helicone' ? 'Helicone scores query' : 'Portkey score distribution'
    const figures = at1M?.result?.[vendor]
    const failed = at1M !== undefined && at1M.result === null ? { value: null, note: shortError(at1M.error), valid: false } : null
    const wrong = figures !== undefined && !figures.sameAnswer ? 'the answers differ from the single pass' : ''
    targets.push(
      target(
        `2-${vendor}-ratio`,
        `2: ${name} p50 at 1M ≤ 3 × single pass`,
        '<=',
        3,
        '×',
        failed ?? (figures && { value: figures.ratio, note: wrong, valid: wrong === '' }) ?? null,
      ),
      target(
        `2-${vendor}-ms`,
        `2: ${name} p50 at 1M < 500 ms`,
        '<',
        500,
        'ms',
        failed ?? (figures && { value: figures.emulatorP50Ms, note: wrong, valid: wrong === '' }) ?? null,
      ),
    )
  }

  const size = (records: number) => storeSizes.find((s) => s.records === records)
  const empty = size(0)
  const million = size(MILLION)
  const hundredK = size(HUNDRED_K)
  const failure = (s: StoreSizeResult | undefined, needs: unknown) =>
    s !== undefined && (needs === null || needs === undefined) ? { value: null, note: shortError(s.error), valid: false } : null
  const ingestRatio =
    empty?.ingest && million?.ingest
      ? {
          value: million.ingest.writesPerSec / empty.ingest.writesPerSec,
          note: ingestNote(empty, million),
          valid: ingestNote(empty, million) === '',
        }
      : null
  targets.push(
    target(
      '3-ingest',
      '3: ingest at 1M ≥ 0.7 × ingest at 0',
      '>=',
      0.7,
      '×',
      failure(million, million?.ingest) ?? (empty ? ingestRatio : null),
    ),
    target(
      '3-single-write',
      '3: single write at 1M, p50 < 10 ms',
      '<',
      10,
      'ms',
      failure(million, million?.singleWrite) ?? (million?.singleWrite ? { value: million.singleWrite.p50Ms } : null),
    ),
    target(
      '4-startup-100k',
      '4: start-up with 100k records < 2 s',
      '<',
      2000,
      'ms',
      failure(hundredK, hundredK?.startup) ?? (hundredK?.startup ? { value: hundredK.startup.medianMs } : null),
    ),
    target(
      '4-startup-1M',
      '4: start-up with 1M records < 15 s',
      '<',
      15000,
      'ms',
      failure(million, million?.startup) ?? (million?.startup ? { value: million.startup.medianMs } : null),
    ),
    target(
      '4-rss-1M',
      '4: RSS after loading 1M records < 1.5 GB',
      '<',
      1.5e9,
      'bytes',
      failure(million, million?.startup?.rssBytes) ?? (million?.startup?.rssBytes ? { value: million.startup.rssBytes } : null),
    ),
  )
  return targets
}

function ingestNote(...sizes: StoreSizeResult[]): string {
  return sizes
    .filter((s) => s.ingest !== null && s.ingest.failed > 0)
    .map((s) => `${s.ingest!.failed} writes failed at ${s.records} records (${s.ingest!.firstFailure})`)
    .join('; ')
}

/** The first line of a scenario's error, short enough for the table (the JSON has it whole). */
function shortError(error: string | null): string {
  const text = error ?? 'failed'
  return text.length > 110 ? `${text.slice(0, 107)}...` : text
}
