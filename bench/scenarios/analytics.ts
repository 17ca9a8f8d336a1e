// Scenario 2: analytics at scale. One worker process per store size (analytics-worker.ts), so each size
// starts from a fresh heap and a large one cannot slow the next.
import type { countsForRecords } from '../lib/store-generator.ts'
import { spawnChild } from '../lib/processes.ts'

export const QUERY_PATH =
  'in-process: createEmulator({db: ":memory:"}) from dist/ + seed(), each query over HTTP on 127.0.0.1 from the same process (keep-alive), alternating with the single pass'

export type QueryFigures = {
  emulatorP50Ms: number
  emulatorP99Ms: number
  singlePassP50Ms: number
  /** emulator p50 / single-pass p50 */
  ratio: number
  runs: number
  sameAnswer: boolean
  /** What the answer holds (so a match of two empty answers is visible). */
  answerSize: string
}

export type AnalyticsSizeResult = {
  records: number
  counts: ReturnType<typeof countsForRecords>
  generateMs: number
  seedMs: number
  /** p50 of GET /__emulator/health the same way: the floor of the request path. */
  healthP50Ms: number
  helicone: QueryFigures
  portkey: QueryFigures
}

export type AnalyticsOutcome = { records: number; result: AnalyticsSizeResult | null; error: string | null; wallMs: number }

const WORKER = new URL('./analytics-worker.ts', import.meta.url).pathname

/** Runs the worker for one size; a failure (out of memory, timeout, wrong answer shape) is reported, not thrown. */
export async function runAnalytics(
  records: number,
  runs: number,
  options: { cpuProfDir?: string; timeoutMs: number },
): Promise<AnalyticsOutcome> {
  const started = performance.now()
  const profile = options.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir]
  // The worker holds the records twice (its own copy for the single pass, the emulator's): room beyond the default heap.
  const child = spawnChild(process.execPath, [
    '--max-old-space-size=8192',
    ...profile,
    '--import',
    'tsx',
    WORKER,
    String(records),
    String(runs),
  ])
  const timer = setTimeout(() => void child.stop(5_000), options.timeoutMs)
  const { code, signal } = await child.exited
  clearTimeout(timer)
  const { stdout, stderr } = child.output()
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  const wallMs = performance.now() - started
  if (code === 0 && line !== undefined)
    return { records, result: JSON.parse(line.slice('RESULT '.length)) as AnalyticsSizeResult, error: null, wallMs }
  const why =
    signal !== null
      ? `killed by ${signal}${wallMs >= options.timeoutMs ? ` after the ${options.timeoutMs / 1000} s limit` : ''}`
      : `exit ${code}`
  return { records, result: null, error: `${why}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`, wallMs }
}
