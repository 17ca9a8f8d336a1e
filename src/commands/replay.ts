import { parseArgs } from 'node:util'
import { ConfigError, createEmulator, type EmulatorOptions } from '../emulator.ts'
import { isVendorName, VENDOR_NAMES } from '../vendors/vendor-name.ts'

const USAGE = `Usage: llm-feedback-emulator replay FILE... [--replay-strict] [server options]

Serves the interactions recorded in FILE (recording files or folders of them, as "record" writes them)
in front of the stateful emulator. A request whose vendor, method, path, query and body match a recording
gets the recorded status, headers and body; identical requests recorded several times are answered in
their recorded order (the last one repeats). Other requests go to the stateful emulator, or get a JSON
404 with --replay-strict. Every recording is checked against the specs at startup; an invalid one stops
the server (exit 2) with its file, index and violation.

  --replay-strict  answer unmatched requests with 404 instead of falling back to the emulator
  --port N         port (default 4100, env PORT; 0 = any free port)
  --host HOST      interface (default 127.0.0.1, env HOST)
  --db FILE        store of the fallback emulator (default ":memory:" here: replays leave nothing behind)
  --fixtures PATH  fixtures for the fallback emulator (repeatable)
  --keys FILE      accepted keys for the fallback emulator
  --strict         check the fallback emulator's responses against the specs
  --vendor NAME    serve one vendor (${VENDOR_NAMES.join(', ')}) at the root
  --quiet          no request log lines`

export async function run(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        'replay-strict': { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        fixtures: { type: 'string', multiple: true },
        keys: { type: 'string' },
        strict: { type: 'boolean' },
        vendor: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    return usage((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (positionals.length === 0) return usage('give at least one recording FILE')
  const portText = values.port ?? process.env['PORT'] ?? '4100'
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) return usage(`--port must be a port number, got "${portText}"`)
  const host = values.host ?? process.env['HOST'] ?? '127.0.0.1'
  if (values.vendor !== undefined && !isVendorName(values.vendor)) return usage(`--vendor must be one of ${VENDOR_NAMES.join(', ')}, got "${values.vendor}"`)

  const options: EmulatorOptions = {
    db: values.db ?? ':memory:',
    fixtures: values.fixtures ?? [],
    strict: values.strict ?? false,
    quiet: values.quiet ?? false,
    replay: { files: positionals, strict: values['replay-strict'] ?? false },
    ...(values.keys === undefined ? {} : { keys: values.keys }),
    ...(values.vendor === undefined ? {} : { vendor: values.vendor }),
  }

  let emulator
  try {
    emulator = await createEmulator(options)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`llm-feedback-emulator replay: ${error.message}\n`)
      return 2
    }
    throw error
  }
  let url: string
  try {
    ;({ url } = await emulator.listen(Number(portText), host))
  } catch (error) {
    process.stderr.write(`llm-feedback-emulator replay: cannot listen on ${host}:${portText}: ${(error as Error).message}\n`)
    return 1
  }
  const mode = values['replay-strict'] === true ? 'unmatched requests get 404' : 'unmatched requests go to the stateful emulator'
  process.stdout.write(`llm-feedback-emulator replaying ${positionals.join(', ')} on ${url} (${mode})\n`)

  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await emulator.close()
  return 0
}

function usage(message: string): number {
  process.stderr.write(`llm-feedback-emulator replay: ${message}\n\n${USAGE}\n`)
  return 2
}
