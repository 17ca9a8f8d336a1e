// Scenario 2, one store size per process: the emulator built from dist/ (`createEmulator({db: ':memory:'})`,
// records loaded with `seed()`) answers the Helicone scores query and the Portkey score distribution over
// HTTP on 127.0.0.1 from this same process (one keep-alive connection: the whole request path users hit,
// validation and JSON included, with no other process in the way); a hand-written single pass over the same
// records computes the same answers in between. Prints one `RESULT {json}` line.
// Usage: node --import tsx bench/scenarios/analytics-worker.ts RECORDS RUNS
import { createClient, type HttpClient, type HttpRequest } from '../lib/http-client.ts'
import {
  heliconeScoresRequest,
  heliconeScoresSinglePass,
  portkeyScoresRequest,
  portkeyScoresSinglePass,
  sortedScoreRows,
  type ScoreRow,
  type ScoresGraph,
} from '../lib/queries.ts'
import { median, percentile } from '../lib/stats.ts'
import { countsForRecords, fixtureDocument } from '../lib/store-generator.ts'
import type { AnalyticsSizeResult, QueryFigures } from './analytics.ts'

type EmulatorModule = typeof import('../../src/index.ts')

async function timed<T>(run: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await run()
  return { value, ms: performance.now() - started }
}

async function ask(client: HttpClient, req: HttpRequest): Promise<{ body: unknown; ms: number }> {
  const reply = await client.send(req)
  if (reply.status !== 200) throw new Error(`${req.method} ${req.path.split('?')[0]}: ${reply.status} ${reply.body.slice(0, 300)}`)
  return { body: JSON.parse(reply.body) as unknown, ms: reply.ms }
}

/** Emulator and single pass alternate, run by run, so a slow spell of the machine hits both. */
async function compare<T>(
  runs: number,
  viaEmulator: () => Promise<{ body: unknown; ms: number }>,
  singlePass: () => T,
  same: (emulator: unknown, baseline: T) => boolean,
  describe: (baseline: T) => string,
): Promise<QueryFigures> {
  const emulatorMs: number[] = []
  const baselineMs: number[] = []
  let sameAnswer = true
  let last: T | undefined
  for (let i = 0; i < runs + 2; i++) {
    const e = await viaEmulator()
    const b = await timed(singlePass)
    // The first two runs warm up both (JIT), unmeasured.
    if (i >= 2) {
      emulatorMs.push(e.ms)
      baselineMs.push(b.ms)
    }
    sameAnswer &&= same(e.body, b.value)
    last = b.value
  }
  const emulatorP50Ms = median(emulatorMs)
  const singlePassP50Ms = median(baselineMs)
  return {
    emulatorP50Ms,
    emulatorP99Ms: percentile(emulatorMs, 99),
    singlePassP50Ms,
    ratio: emulatorP50Ms / singlePassP50Ms,
    runs,
    sameAnswer,
    answerSize: last === undefined ? '' : describe(last),
  }
}

async function main(): Promise<void> {
  const records = Number(process.argv[2])
  const runs = Number(process.argv[3] ?? 20)
  if (!Number.isInteger(records) || records <= 0 || !Number.isInteger(runs) || runs <= 0)
    throw new Error('usage: analytics-worker RECORDS RUNS')
  const entry = new URL('../../dist/index.js', import.meta.url).href
  const { createEmulator } = (await import(entry)) as EmulatorModule

  const counts = countsForRecords(records)
  const generated = await timed(() => fixtureDocument(counts))
  const doc = generated.value
  const emulator = await createEmulator({ db: ':memory:', quiet: true })
  const seeded = await timed(() => emulator.seed(doc))
  const { url } = await emulator.listen(0, '127.0.0.1')
  const client = createClient(url, 1)
  try {
    const health = await compare(
      runs,
      () => ask(client, { method: 'GET', path: '/__emulator/health' }),
      () => null,
      () => true,
      () => '',
    )
    const requests = doc.helicone[0]!.requests
    const helicone = await compare(
      runs,
      () => ask(client, heliconeScoresRequest()),
      () => heliconeScoresSinglePass(requests),
      (body, rows) => {
        const data = (body as { data: ScoreRow[] | null; error: unknown }).data
        return data !== null && JSON.stringify(sortedScoreRows(data)) === JSON.stringify(sortedScoreRows(rows))
      },
      (rows) => `${rows.length} rows, ${rows.filter((r) => r.score_key !== '').length} with scores`,
    )
    const { generations, feedback } = doc.portkey[0]!
    const portkey = await compare(
      runs,
      () => ask(client, portkeyScoresRequest()),
      () => portkeyScoresSinglePass(generations, feedback),
      (body, graph) => JSON.stringify(body) === JSON.stringify(graph),
      (graph: ScoresGraph) => `${graph.summary.total} feedback counted, ${graph.data_points.length} scores`,
    )
    const result: AnalyticsSizeResult = {
      records,
      counts,
      generateMs: generated.ms,
      seedMs: seeded.ms,
      healthP50Ms: health.emulatorP50Ms,
      helicone,
      portkey,
    }
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
  } finally {
    client.close()
    await emulator.close()
  }
}

await main()
