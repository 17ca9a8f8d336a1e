// The server: `llm-feedback-emulator [options]` (and `replay FILE…`, which is the same with recordings).
import { parseArgs } from 'node:util'
import { ConfigError } from '../config/config-error.ts'
import { DEFAULT_JOURNAL_SIZE } from '../control/journal.ts'
import { createEmulator, DEFAULT_COMPLETION_LATENCY_MS, type EmulatorOptions } from '../emulator.ts'
import { isLoopbackHostname } from '../control/access.ts'
import { DASHBOARD_PATH } from '../control/dashboard.ts'
import { servedEndpoints } from '../control/overview.ts'
import { isVendorName, VENDOR_NAMES } from '../vendors/vendor-name.ts'
import { VERSION } from '../version.ts'

const USAGE = `llm-feedback-emulator ${VERSION}
Offline, stateful emulator of the Portkey, Helicone and Pulze feedback, scoring and analytics APIs.

Usage: llm-feedback-emulator [options]
       llm-feedback-emulator record --vendor NAME --target URL --out FILE [--port N]
       llm-feedback-emulator replay FILE... [options]
       llm-feedback-emulator validate PATH...
       llm-feedback-emulator coverage --url URL [--min PERCENT]

Options:
  --port N                     port to listen on (default 4100, env PORT; 0 = any free port)
  --host HOST                  interface to bind (default 127.0.0.1, env HOST)
  --db FILE                    JSON store file (default .emulator/db.json); ":memory:" keeps nothing on disk
  --fixtures PATH              fixture document, or folder of them; repeatable. Loaded into tenants that have
                               no state yet (so a --db file keeps what was written across restarts)
  --keys FILE                  accepted API keys, their tenants and permissions (schema: specs/emulator.yaml)
  --strict                     check every response against the specs; a violation becomes a 500
  --vendor NAME                serve only this vendor (${VENDOR_NAMES.join(', ')}) at the root instead of /NAME
  --helicone-score-delay-ms N  Helicone scores become visible N ms after they are posted (default 0)
  --replay FILE                serve the interactions recorded in FILE (a recording, or a .har file) first
                               (repeatable); unmatched requests fall back to the stateful emulator
  --replay-strict              with --replay: answer unmatched requests with 404 instead
  --seed N                     seed of the generator fault rules' probability draws (default 1)
  --completion-latency-ms N    simulated provider latency of the LLM routes (default 20)
  --journal-size N             requests the journal keeps, oldest dropped (default ${DEFAULT_JOURNAL_SIZE}; 0 = no journal)
  --admin-token TOKEN          the control API (/__emulator) then requires Authorization: Bearer TOKEN and
                               serves any host (env EMULATOR_ADMIN_TOKEN); without it, loopback hosts only
  --quiet                      no request log lines
  -h, --help                   this text
  -v, --version                the version

Exit codes: 0 after SIGINT/SIGTERM (the store is flushed first), 1 when the port cannot be bound,
2 for a bad flag, fixture, keys or store file.`

function fail(message: string): never {
  process.stderr.write(`llm-feedback-emulator: ${message}\n\n${USAGE}\n`)
  process.exit(2)
}

function parseCount(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, got "${value}"`)
  return Number(value)
}

export type ServeDefaults = {
  /** Store when --db is absent. */
  db: string
  /** Take positional arguments as --replay files (the `replay FILE…` subcommand). */
  positionalsAreReplayFiles: boolean
}

/** Runs the server until SIGINT/SIGTERM: `llm-feedback-emulator [options]` and `replay FILE… [options]`. */
export async function run(
  argv: string[],
  defaults: ServeDefaults = { db: '.emulator/db.json', positionalsAreReplayFiles: false },
): Promise<void> {
  let values
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: defaults.positionalsAreReplayFiles,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        fixtures: { type: 'string', multiple: true },
        keys: { type: 'string' },
        strict: { type: 'boolean' },
        vendor: { type: 'string' },
        'helicone-score-delay-ms': { type: 'string' },
        replay: { type: 'string', multiple: true },
        'replay-strict': { type: 'boolean' },
        seed: { type: 'string' },
        'completion-latency-ms': { type: 'string' },
        'journal-size': { type: 'string' },
        'admin-token': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }))
  } catch (error) {
    fail((error as Error).message)
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (values.version === true) {
    process.stdout.write(`${VERSION}\n`)
    return
  }
  const port = parseCount('port', values.port ?? process.env['PORT'], 4100)
  if (port > 65535) fail(`--port must be at most 65535, got ${port}`)
  const host = values.host ?? process.env['HOST'] ?? '127.0.0.1'
  const adminToken = values['admin-token'] ?? process.env['EMULATOR_ADMIN_TOKEN']
  if (adminToken !== undefined && adminToken.trim() === '') fail('--admin-token must not be empty')
  if (values.vendor !== undefined && !isVendorName(values.vendor))
    fail(`--vendor must be one of ${VENDOR_NAMES.join(', ')}, got "${values.vendor}"`)

  const options: EmulatorOptions = {
    db: values.db ?? defaults.db,
    fixtures: values.fixtures ?? [],
    strict: values.strict ?? false,
    quiet: values.quiet ?? false,
    heliconeScoreDelayMs: parseCount('helicone-score-delay-ms', values['helicone-score-delay-ms'], 0),
    seed: parseCount('seed', values.seed, 1),
    completionLatencyMs: parseCount('completion-latency-ms', values['completion-latency-ms'], DEFAULT_COMPLETION_LATENCY_MS),
    journalSize: parseCount('journal-size', values['journal-size'], DEFAULT_JOURNAL_SIZE),
    ...(values.keys === undefined ? {} : { keys: values.keys }),
    ...(adminToken === undefined ? {} : { adminToken }),
    ...(values.vendor === undefined ? {} : { vendor: values.vendor }),
  }
  const replayFiles = [...(values.replay ?? []), ...positionals]
  if (replayFiles.length > 0) options.replay = { files: replayFiles, strict: values['replay-strict'] ?? false }
  if (defaults.positionalsAreReplayFiles && replayFiles.length === 0) fail('replay needs at least one recording FILE')
  if (values['replay-strict'] === true && replayFiles.length === 0) fail('--replay-strict needs --replay FILE')

  let emulator
  try {
    emulator = await createEmulator(options)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`llm-feedback-emulator: ${error.message}\n`)
      process.exit(2)
    }
    throw error
  }

  let url: string
  try {
    ;({ url } = await emulator.listen(port, host))
  } catch (error) {
    process.stderr.write(`llm-feedback-emulator: cannot listen on ${host}:${port}: ${(error as Error).message}\n`)
    process.exit(1)
  }

  const lines = [`llm-feedback-emulator ${VERSION} listening on ${url}`, `  store: ${options.db}${options.strict ? ' (strict)' : ''}`]
  const endpoints = servedEndpoints({
    served: options.vendor === undefined ? VENDOR_NAMES : [options.vendor],
    rootVendor: options.vendor,
    fixtureKeys: emulator.fixtureKeys,
    keys: emulator.keys,
  })
  for (const { vendor, basePath, keys, anyKey } of endpoints) {
    const keyText = keys.length > 0 ? `keys: ${keys.map((k) => k.key).join(', ')}` : 'any key'
    lines.push(`  ${vendor.padEnd(8)} ${url}${basePath}   (${keyText}${anyKey ? '; any other key is a new, empty tenant' : ''})`)
  }
  lines.push(`  control  ${url}/__emulator/health | /reset | /seed | /state | /tenants | /requests | /faults | /clock | /coverage`)
  lines.push(`  dashboard ${url}${DASHBOARD_PATH}${adminToken === undefined ? '' : '   (asks for the admin token)'}`)
  // Handlers first: whoever reads the banner may signal at once (stdout to a pipe is synchronous on Linux).
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    if (options.quiet !== true) process.stdout.write(`\n${signal}: flushing the store and stopping\n`)
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`llm-feedback-emulator: could not flush the store: ${(error as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.stdout.write(`${lines.join('\n')}\n`)
  if (!isLoopbackHostname(host) && adminToken === undefined) {
    process.stderr.write(
      `llm-feedback-emulator: warning: listening on ${host}, reachable from other machines. The vendor routes accept any key, and the\n` +
        `  control API answers only loopback host names; to reach it from elsewhere, set --admin-token TOKEN (env EMULATOR_ADMIN_TOKEN).\n`,
    )
  }
}
