// The servers the bench drives, each its own process on 127.0.0.1: the emulator (the built CLI), Prism's mock
// of specs/portkey.yaml, and a bare Express 5 app.
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createClient, type HttpRequest } from './http-client.ts'
import { memoryOf, spawnChild, waitForOutput, type Child } from './processes.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = `${ROOT}dist/cli.js`
const PRISM = `${ROOT}node_modules/@stoplight/prism-cli/dist/index.js`
const BARE_EXPRESS = `${ROOT}bench/servers/bare-express.mjs`
const LISTENING = /listening on (http:\/\/\S+)/

export type Server = { child: Child; url: string }

export type StartedEmulator = Server & {
  /** From just before the spawn to the first 200 of GET /__emulator/health. */
  startupMs: number
  memory: { rssBytes: number; peakRssBytes: number } | null
}

/** `node dist/cli.js --port 0 --db <db> --quiet`: waits for the banner, then for a 200 from the health endpoint. */
export async function startEmulator(db: string, options: { nodeArgs?: string[]; timeoutMs: number }): Promise<StartedEmulator> {
  const started = performance.now()
  const child = spawnChild(process.execPath, [...(options.nodeArgs ?? []), CLI, '--port', '0', '--db', db, '--quiet'], { cwd: ROOT })
  try {
    const [, url] = await waitForOutput(child, LISTENING, 'listening', options.timeoutMs)
    const client = createClient(url!)
    const health = await client.send({ method: 'GET', path: '/__emulator/health' }, 10_000).finally(() => client.close())
    if (health.status !== 200) throw new Error(`GET /__emulator/health: ${health.status} ${health.body.slice(0, 200)}`)
    return { child, url: url!, startupMs: performance.now() - started, memory: memoryOf(child.pid) }
  } catch (error) {
    await child.stop(5_000)
    throw error
  }
}

export async function startBareExpress(timeoutMs = 30_000): Promise<Server> {
  const child = spawnChild(process.execPath, [BARE_EXPRESS], { cwd: ROOT })
  const [, url] = await waitForOutput(child, LISTENING, 'listening', timeoutMs)
  return { child, url: url! }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * `prism mock specs/portkey.yaml` (log level `warn`: like the emulator's `--quiet`, no line per request),
 * ready once `probe` gets a 2xx.
 */
export async function startPrism(probe: HttpRequest, timeoutMs = 60_000): Promise<Server> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawnChild(process.execPath, [PRISM, 'mock', 'specs/portkey.yaml', '-h', '127.0.0.1', '-p', String(port), '-v', 'warn'], {
    cwd: ROOT,
  })
  const client = createClient(url)
  const deadline = performance.now() + timeoutMs
  try {
    for (;;) {
      if (child.process.exitCode !== null) throw new Error(`prism exited (${child.process.exitCode}): ${child.output().stderr.slice(-500)}`)
      const reply = await client.send(probe, 5_000).catch(() => null)
      if (reply !== null && reply.status >= 200 && reply.status < 300) return { child, url }
      if (performance.now() > deadline)
        throw new Error(`prism did not answer 2xx within ${timeoutMs} ms (last: ${reply?.status ?? 'no answer'})`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  } catch (error) {
    await child.stop(5_000)
    throw error
  } finally {
    client.close()
  }
}
