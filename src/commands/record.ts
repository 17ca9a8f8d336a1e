import { parseArgs } from 'node:util'
import { createRecordingProxy } from '../recordings/recording-proxy.ts'
import { isVendorName, VENDOR_NAMES, type VendorName } from '../vendors/vendor-name.ts'

const USAGE = `Usage: llm-feedback-emulator record --vendor NAME --target URL --out FILE [--port N] [--host HOST] [--quiet]

A recording proxy: forwards every request to --target, answers with the upstream's answer, and appends
the interaction (method, path, query, request body, status, the response headers that matter, response
body) to --out, a fixture document with "recordings" that "replay" and "--replay" serve. Auth headers are
never written; key-like values (sk-…, pk-…, bearer tokens, JWTs, and the request's own keys) in bodies,
queries and answers become "[scrubbed]".

  --vendor NAME   ${VENDOR_NAMES.join(', ')}
  --target URL    the vendor's API root, e.g. https://api.portkey.ai, https://api.helicone.ai,
                  https://api.pulze.ai (or an emulator's http://127.0.0.1:4100/portkey)
  --out FILE      the recording file (extended when it exists)
  --port N        port to listen on (default 4200; 0 = any free port)
  --host HOST     interface to bind (default 127.0.0.1)

Point the client at the proxy with the vendor's usual base path, e.g. Portkey http://127.0.0.1:4200/v1,
Helicone http://127.0.0.1:4200, Pulze http://127.0.0.1:4200/v1. Stop with Ctrl-C.`

const BASE_PATHS: Record<VendorName, string> = { portkey: '/v1', helicone: '', pulze: '/v1' }

export async function run(argv: string[]): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        vendor: { type: 'string' },
        target: { type: 'string' },
        out: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        quiet: { type: 'boolean' },
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
  if (values.vendor === undefined || !isVendorName(values.vendor)) return usage(`--vendor must be one of ${VENDOR_NAMES.join(', ')}`)
  if (values.target === undefined) return usage('--target URL is required')
  if (!URL.canParse(values.target) || !/^https?:$/.test(new URL(values.target).protocol))
    return usage(`--target must be an http(s) URL, got "${values.target}"`)
  if (values.out === undefined) return usage('--out FILE is required')
  const port = values.port ?? '4200'
  if (!/^\d+$/.test(port) || Number(port) > 65535) return usage(`--port must be a port number, got "${port}"`)

  const vendor = values.vendor
  const quiet = values.quiet === true
  let proxy
  try {
    proxy = await createRecordingProxy({
      vendor,
      target: values.target,
      out: values.out,
      port: Number(port),
      host: values.host ?? '127.0.0.1',
      log: quiet ? () => {} : (line) => process.stdout.write(`${line}\n`),
    })
  } catch (error) {
    process.stderr.write(`llm-feedback-emulator record: ${(error as Error).message}\n`)
    return 1
  }
  process.stdout.write(
    `recording ${vendor} → ${values.target} into ${values.out} (${proxy.count} interactions so far)\n` +
      `  point the client at ${proxy.url}${BASE_PATHS[vendor]}   (auth headers are forwarded, never written)\n`,
  )

  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await proxy.close()
  if (!quiet) process.stdout.write(`\n${proxy.count} interactions in ${values.out}\n`)
  return 0
}

function usage(message: string): number {
  process.stderr.write(`llm-feedback-emulator record: ${message}\n\n${USAGE}\n`)
  return 2
}
