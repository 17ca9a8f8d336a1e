// `llm-feedback-emulator coverage --url URL [--min PERCENT]`: a running emulator's operation × status coverage
// as a table, failing (exit 1) below a minimum, so a CI job can fail on error paths its suite never exercised.
import { parseArgs } from 'node:util'
import { ControlApiError, createControlClient } from '../control/client.ts'
import type { CoverageReport } from '../control/coverage.ts'

const USAGE = `Usage: llm-feedback-emulator coverage --url URL [--min PERCENT] [--json] [--missing]

Prints which operation × declared status pairs of the vendor specs a running emulator has answered since it
started (or since DELETE /__emulator/coverage), one row per operation, and the summary line:
  17/23 operation-status pairs exercised (73.9%)

  --url URL        the emulator's base URL (e.g. http://127.0.0.1:4100)
  --min PERCENT    exit 1 when fewer than PERCENT % of the pairs were exercised
  --missing        list only the pairs never answered
  --json           print the report as JSON (GET /__emulator/coverage) instead of the table

Exit codes: 0 at or above --min, 1 below it, 2 bad usage or an emulator that cannot be reached.`

export async function run(argv: string[]): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        url: { type: 'string' },
        min: { type: 'string' },
        json: { type: 'boolean' },
        missing: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (error) {
    return usage((error as Error).message)
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (values.url === undefined) return usage('--url is required')
  const min = values.min === undefined ? undefined : Number(values.min)
  if (min !== undefined && (values.min?.trim() === '' || !Number.isFinite(min) || min < 0 || min > 100)) {
    return usage(`--min must be a percentage from 0 to 100, got "${values.min}"`)
  }

  let report: CoverageReport
  try {
    report = await createControlClient(values.url).coverage.get()
  } catch (error) {
    const why =
      error instanceof ControlApiError
        ? error.message
        : (((error as Error).cause as Error | undefined)?.message ?? (error as Error).message)
    process.stderr.write(`llm-feedback-emulator coverage: cannot read ${values.url}/__emulator/coverage: ${why}\n`)
    return 2
  }
  process.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatCoverage(report, values.missing === true))
  if (min !== undefined && (report.total === 0 ? 100 : (report.exercised / report.total) * 100) < min) {
    process.stderr.write(`coverage below the minimum: ${report.percent}% < ${min}%\n`)
    return 1
  }
  return 0
}

/** The report as a text table: one row per operation, `status×count` for each declared status (`-` never). */
export function formatCoverage(report: CoverageReport, missingOnly = false): string {
  const rows: string[][] = [['VENDOR', 'OPERATION', 'METHOD', 'PATH', 'STATUSES (served × times)']]
  for (const op of report.operations) {
    const statuses = op.statuses.filter((s) => !missingOnly || s.count === 0)
    if (statuses.length === 0) continue
    rows.push([
      op.vendor,
      op.operationId,
      op.method,
      op.path,
      statuses.map((s) => `${s.status}×${s.count === 0 ? '-' : s.count}`).join(' '),
    ])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
  for (const u of report.undeclared)
    lines.push(`undeclared: ${u.vendor} ${u.operationId} answered ${u.status} × ${u.count} (not in its spec)`)
  lines.push(report.summary)
  return `${lines.join('\n')}\n`
}

function usage(message: string): number {
  process.stderr.write(`llm-feedback-emulator coverage: ${message}\n\n${USAGE}\n`)
  return 2
}
