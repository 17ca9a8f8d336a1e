// The printed table of a bench run (the same figures as bench/results/latest.json).
import type { AnalyticsOutcome, QueryFigures } from '../scenarios/analytics.ts'
import type { StoreSizeResult } from '../scenarios/store-size.ts'
import type { TargetFigures, ThroughputResult } from '../scenarios/throughput.ts'
import type { Target } from './targets.ts'

const n = (x: number, digits = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/,/g, ' ') : '–'
const ms = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x < 10 ? n(x, 2) : x < 100 ? n(x, 1) : n(x)
const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '–' : n(bytes / 1e6))
const ratio = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–')

/** `align`: one letter per column, `l` text (left) or `r` figures (right). */
function table(align: string, header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (align[i] === 'l' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), ...rows.map(line)].map((l) => `  ${l.trimEnd()}`).join('\n')
}

export function throughputSection(t: ThroughputResult): string {
  const row = (key: string, f: TargetFigures) => [
    `${key} ${f.name}`,
    f.request,
    n(f.reqPerSec),
    ms(f.p50Ms),
    ms(f.p99Ms),
    f.cpuUsPerRequest === null ? '–' : n(f.cpuUsPerRequest),
    String(f.non2xx + f.errors),
  ]
  const range = (xs: number[]) => `${ratio(Math.min(...xs))}–${ratio(Math.max(...xs))}`
  return [
    `1. Throughput: ${t.options.connections} connections, ${t.options.rounds} interleaved rounds × ${t.options.seconds} s (autocannon, loopback; medians of the rounds)`,
    table(
      'llrrrrr',
      ['server', 'request', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'non-2xx+err'],
      [row('a', t.a), row('b', t.b), row('c', t.c), row('d', t.d)],
    ),
    `  1c/1b = ${ratio(t.ratios.cOverB)} (per round ${range(t.ratios.cOverBRounds)})   1c/1a = ${ratio(t.ratios.cOverA)} (per round ${range(t.ratios.cOverARounds)})`,
    // The load generator shares the machine: near 1a's rate it saturates a core itself, so no server can
    // show more than 1a/1b over Prism here. Server CPU per request is the comparison it does not cap.
    `  load-generator ceiling 1a/1b = ${ratio(t.a.reqPerSec / t.b.reqPerSec)}   server CPU per request, Prism over the emulator (1b/1c) = ${t.ratios.cpuBOverC === null ? '–' : ratio(t.ratios.cpuBOverC)}`,
  ].join('\n')
}

export function analyticsSection(outcomes: AnalyticsOutcome[], method: string): string {
  const cells = (f: QueryFigures | undefined) =>
    f === undefined ? ['–', '–', '–', '–'] : [ms(f.emulatorP50Ms), ms(f.singlePassP50Ms), ratio(f.ratio), f.sameAnswer ? 'yes' : 'NO']
  const rows = outcomes.map((o) => [n(o.records), ...cells(o.result?.helicone), ...cells(o.result?.portkey)])
  const failures = outcomes.filter((o) => o.result === null).map((o) => `  ${n(o.records)} records: FAILED ${o.error}`)
  const first = outcomes.find((o) => o.result !== null)?.result
  return [
    `2. Analytics at scale: p50 of ${first?.helicone.runs ?? '?'} runs (ms); ${method}`,
    '   a store of N records = N/3 Helicone requests + N/3 Portkey generations + N/3 Portkey feedback; queries over the last 30 of 90 days',
    table('rrrrlrrrl', ['records', 'Helicone', 'single pass', 'ratio', 'same', 'Portkey', 'single pass', 'ratio', 'same'], rows),
    ...failures,
  ].join('\n')
}

export function storeSizeSection(sizes: StoreSizeResult[], settings: { connections: number; ingestSeconds: number }): string {
  const rows = sizes.map((s) => [
    n(s.records),
    mb(s.fileBytes),
    s.startup !== null ? ms(s.startup.medianMs) : s.startupFailedAfterMs !== null ? `FAILED after ${ms(s.startupFailedAfterMs)}` : '–',
    ms(s.unverifiedStartupMs),
    mb(s.startup?.rssBytes),
    mb(s.peakRssBytes),
    s.singleWrite === null ? '–' : `${ms(s.singleWrite.p50Ms)} (${s.singleWrite.writes})`,
    s.ingest === null ? '–' : n(s.ingest.writesPerSec, s.ingest.writesPerSec < 10 ? 2 : 0),
    s.ingest === null ? '–' : `${s.ingest.ok}/${s.ingest.failed} in ${n(s.ingest.elapsedMs / 1000, 1)} s`,
    ms(s.shutdownMs),
  ])
  const notes = sizes.filter((s) => s.error !== null).map((s) => `  ${n(s.records)} records: ${s.error}`)
  return [
    '3./4. Store size: a file store holding N records on disk, as the emulator writes it; the built CLI (node dist/cli.js --db FILE --quiet)',
    `   start-up = spawn → first 200 of GET /__emulator/health; no checksum = the same start-up on the same records as one JSON`,
    `   document (a store of the previous version, or written by hand: every record's shape is checked at load);`,
    `   single write = POST /portkey/v1/feedback one at a time (p50, count);`,
    `   ingest = ${settings.connections} closed-loop writers for ${settings.ingestSeconds} s, writes/s = acknowledged / time to the last answer`,
    table(
      'rrrrrrrrrr',
      [
        'records',
        'file MB',
        'start-up ms',
        'no checksum ms',
        'RSS MB',
        'peak RSS MB',
        'write p50 ms (n)',
        'ingest/s',
        'ok/failed',
        'stop ms',
      ],
      rows,
    ),
    ...notes,
  ].join('\n')
}

export function targetsSection(targets: Target[]): string {
  const value = (t: Target) => {
    if (t.value === null) return '–'
    if (t.unit === 'bytes') return `${mb(t.value)} MB`
    if (t.unit === 'ms') return `${ms(t.value)} ms`
    return `${ratio(t.value)}×`
  }
  const limit = (t: Target) => (t.unit === 'bytes' ? `${mb(t.limit)} MB` : t.unit === 'ms' ? `${n(t.limit)} ms` : `${t.limit}×`)
  const rows = targets.map((t) => [
    t.pass === null ? 'n/a' : t.pass ? 'pass' : 'FAIL',
    t.description,
    value(t),
    `${t.rule} ${limit(t)}`,
    t.note,
  ])
  return ['Targets (issue 11)', table('llrll', ['', 'target', 'measured', 'limit', 'note'], rows)].join('\n')
}
