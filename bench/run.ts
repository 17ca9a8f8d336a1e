// `npm run bench [-- --quick] [-- --check]`: issue 11's benchmarks (README "Performance"). Prints a table and
// writes bench/results/latest.json with every figure, the ratios and each target's verdict.
//   --quick        a smoke run under a minute: fewer, shorter rounds; sizes 0 and 10 000 only
//   --check        exit 1 when a measured target is missed (by default the bench only reports)
//   --only LIST    scenarios to run, of throughput,analytics,store (default: all)
//   --sizes LIST   store sizes for scenarios 2–4 instead of the defaults (e.g. 0,100000,1000000)
//   --cpu-prof     run every emulator process with `node --cpu-prof` (profiles in bench/.cache/profiles/; summarize one
//                  with `node --import tsx bench/profile-top.ts FILE`)
//   --out FILE     where to write the JSON (default bench/results/latest.json)
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { installCleanup, makeTempDir, removeTempDir, spawnChild } from './lib/processes.ts'
import { analyticsSection, storeSizeSection, targetsSection, throughputSection } from './lib/report.ts'
import { CACHE_DIR, countsForRecords, fixtureDocument, generatorId } from './lib/store-generator.ts'
import { checkTargets } from './lib/targets.ts'
import { QUERY_PATH, runAnalytics, type AnalyticsOutcome } from './scenarios/analytics.ts'
import { runStoreSize, type StoreSizeOptions, type StoreSizeResult } from './scenarios/store-size.ts'
import { runThroughput, type ThroughputOptions, type ThroughputResult } from './scenarios/throughput.ts'

const ROOT = new URL('../', import.meta.url).pathname
const SCENARIOS = ['throughput', 'analytics', 'store'] as const

function usage(message: string): never {
  process.stderr.write(
    `bench: ${message}\nusage: npm run bench [-- --quick] [--check] [--only LIST] [--sizes LIST] [--cpu-prof] [--out FILE]\n`,
  )
  process.exit(2)
}

let parsed
try {
  parsed = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      only: { type: 'string' },
      sizes: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string', default: join(ROOT, 'bench/results/latest.json') },
    },
  })
} catch (error) {
  usage((error as Error).message)
}
const { values } = parsed
const quick = values.quick
const only = values.only?.split(',').map((s) => s.trim()) ?? [...SCENARIOS]
for (const s of only)
  if (!(SCENARIOS as readonly string[]).includes(s)) usage(`--only: unknown scenario "${s}" (one of ${SCENARIOS.join(', ')})`)
const sizes = values.sizes?.split(',').map((s) => Number(s.trim()))
if (sizes?.some((s) => !Number.isInteger(s) || s < 0)) usage('--sizes: whole numbers, e.g. 0,100000,1000000')

const THROUGHPUT: ThroughputOptions = quick
  ? { rounds: 2, seconds: 2, warmupSeconds: 1, connections: 20 }
  : { rounds: 3, seconds: 5, warmupSeconds: 2, connections: 20 }
const ANALYTICS_SIZES = (sizes ?? (quick ? [10_000] : [10_000, 100_000, 1_000_000])).filter((s) => s > 0)
const ANALYTICS_RUNS = 20
const STORE_SIZES = sizes ?? (quick ? [0, 10_000] : [0, 100_000, 1_000_000])
const STORE: Omit<StoreSizeOptions, 'nodeArgs' | 'startupRuns'> = quick
  ? { startupTimeoutMs: 60_000, singleWrites: 10, singleWriteSeconds: 2, connections: 20, ingestSeconds: 2, requestTimeoutMs: 30_000 }
  : { startupTimeoutMs: 120_000, singleWrites: 20, singleWriteSeconds: 20, connections: 20, ingestSeconds: 10, requestTimeoutMs: 60_000 }
/** Start-ups per size (the median is reported); one for large stores, whose start-up may take a minute. */
const startupRuns = (records: number) => (quick || records > 200_000 ? 1 : 3)

function machine() {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()
    } catch {
      return null
    }
  }
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** 1-minute load average at the start (the machine is shared: a high one means noisy absolute figures). */
    loadAverageAtStart: loadavg()[0] ?? null,
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedChanges: (git('status', '--porcelain', '--', 'src') ?? '') !== '',
  }
}

/**
 * The project's `validate` command on a sample of generated records (the same generator as the big stores),
 * once per generator version: a pass is remembered in bench/.cache/.
 */
async function validateSample(): Promise<{ ok: boolean; output: string; cached: boolean }> {
  const marker = join(CACHE_DIR, `validated-${await generatorId()}.json`)
  const remembered = await readFile(marker, 'utf8').then(
    (text) => JSON.parse(text) as { ok: boolean; output: string },
    () => null,
  )
  if (remembered?.ok === true) return { ...remembered, cached: true }
  const dir = makeTempDir()
  try {
    const file = join(dir, 'sample.json')
    await writeFile(file, JSON.stringify(fixtureDocument(countsForRecords(3_000))))
    const child = spawnChild(process.execPath, [join(ROOT, 'dist/cli.js'), 'validate', file], { cwd: ROOT })
    const timer = setTimeout(() => void child.stop(1_000), 60_000)
    const { code } = await child.exited
    clearTimeout(timer)
    const { stdout, stderr } = child.output()
    const result = { ok: code === 0, output: `${stdout}${stderr}`.trim().replace(file, 'sample.json').split('\n').slice(0, 5).join('\n') }
    await mkdir(CACHE_DIR, { recursive: true })
    if (result.ok) await writeFile(marker, JSON.stringify(result))
    return { ...result, cached: false }
  } finally {
    removeTempDir(dir)
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`)

async function main(): Promise<number> {
  installCleanup()
  const startedAt = new Date()
  const started = performance.now()
  const info = machine()
  const mode = quick ? 'quick' : 'full'
  log(`bench (${mode}): ${info.nproc} CPUs, ${(info.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${info.node}, commit ${info.commit}`)

  const cpuProfDir = values['cpu-prof'] ? join(CACHE_DIR, 'profiles', startedAt.toISOString().replace(/[:.]/g, '-')) : undefined
  if (cpuProfDir !== undefined) await mkdir(cpuProfDir, { recursive: true })

  const sample = await validateSample()
  log(
    `generated records, a sample of 3 000 through \`validate\`: ${sample.ok ? `OK${sample.cached ? ' (this generator version, earlier run)' : ''}` : `FAILED\n${sample.output}`}`,
  )

  let throughput: ThroughputResult | null = null
  if (only.includes('throughput')) {
    log(`1. throughput: 4 servers × ${THROUGHPUT.rounds} rounds × ${THROUGHPUT.seconds} s …`)
    throughput = await runThroughput(THROUGHPUT, cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir])
  }

  const analytics: AnalyticsOutcome[] = []
  if (only.includes('analytics')) {
    for (const records of ANALYTICS_SIZES) {
      log(`2. analytics at ${records} records …`)
      analytics.push(
        await runAnalytics(records, ANALYTICS_RUNS, { timeoutMs: 600_000, ...(cpuProfDir === undefined ? {} : { cpuProfDir }) }),
      )
    }
  }

  const storeSizes: StoreSizeResult[] = []
  if (only.includes('store')) {
    for (const records of STORE_SIZES) {
      log(`3./4. store of ${records} records: start-up, single writes, ingest …`)
      const nodeArgs = cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir]
      storeSizes.push(await runStoreSize(records, { ...STORE, startupRuns: startupRuns(records), nodeArgs }))
    }
  }

  const targets = checkTargets({ throughput, analytics, storeSizes })
  const results = {
    date: startedAt.toISOString(),
    mode,
    argv: process.argv.slice(2),
    durationSeconds: (performance.now() - started) / 1000,
    machine: {
      ...info,
      loadAverageAtEnd: loadavg()[0] ?? null,
      busy: Math.max(info.loadAverageAtStart ?? 0, loadavg()[0] ?? 0) > info.nproc,
    },
    generator: { id: await generatorId(), sampleValidation: sample },
    throughput,
    analytics: { method: QUERY_PATH, sizes: analytics },
    storeSizes,
    targets,
    ...(cpuProfDir === undefined ? {} : { cpuProfiles: cpuProfDir }),
  }
  await mkdir(dirname(values.out), { recursive: true })
  await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`)

  const sections = [
    `llm-feedback-emulator bench, ${mode} run, ${results.date}: ${info.nproc} × ${info.cpuModel}, ${(info.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${info.node}, commit ${info.commit}${info.uncommittedChanges ? ' + uncommitted src/ changes' : ''}, load ${info.loadAverageAtStart?.toFixed(1)} → ${results.machine.loadAverageAtEnd?.toFixed(1)}`,
  ]
  if (throughput !== null) sections.push(throughputSection(throughput))
  if (analytics.length > 0) sections.push(analyticsSection(analytics, QUERY_PATH))
  if (storeSizes.length > 0) sections.push(storeSizeSection(storeSizes, STORE))
  sections.push(targetsSection(targets))
  if (results.machine.busy) {
    sections.push(
      `WARNING: the machine was busy (load average ${info.loadAverageAtStart?.toFixed(1)} → ${results.machine.loadAverageAtEnd?.toFixed(1)} on ${info.nproc} CPUs): ` +
        'autocannon and the servers competed with other processes for the CPUs, so ratios drift towards 1 and absolute figures are slow. Re-run on a quiet machine before comparing.',
    )
  }
  sections.push(
    `${Math.round(results.durationSeconds)} s; figures in ${values.out.replace(ROOT, '')}${cpuProfDir ? `; CPU profiles in ${cpuProfDir.replace(ROOT, '')}` : ''}`,
  )
  process.stdout.write(`\n${sections.join('\n\n')}\n`)

  const missed = targets.filter((t) => t.pass === false)
  if (!sample.ok) return 1
  return values.check && missed.length > 0 ? 1 : 0
}

process.exitCode = await main()
