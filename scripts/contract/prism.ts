import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The Prism CLI entry point (what `node_modules/.bin/prism` links to). */
export const PRISM_CLI = fileURLToPath(new URL('../../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url))

export type PrismProxyOptions = {
  /** The OpenAPI document Prism validates against. */
  document: string
  /** Where Prism forwards every request (the emulator's vendor mount). */
  upstream: string
  /** `--errors`: a violation becomes Prism's own error response instead of only an `sl-violations` header. */
  errors: boolean
  /** How long to wait for "Prism is listening on". Default 60 s (Portkey's 1.2 MB document takes a few). */
  startTimeoutMs?: number
}

export type PrismProxy = {
  url: string
  document: string
  errors: boolean
  /** The last lines Prism printed (for failure messages). */
  log(): string
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Starts `prism proxy DOCUMENT UPSTREAM -m false -p 0 [--errors]` as a child process and resolves once it
 * listens (on a port it picked itself, read from its "Prism is listening on" line).
 */
export function startPrismProxy(options: PrismProxyOptions): Promise<PrismProxy> {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    // Whatever happens to the test run, no Prism outlives it.
    process.once('exit', () => {
      for (const child of running) child.kill('SIGKILL')
    })
  }
  const args = [
    PRISM_CLI,
    'proxy',
    options.document,
    options.upstream,
    '-m',
    'false',
    '-p',
    '0',
    '-h',
    '127.0.0.1',
    options.errors ? '--errors' : '--no-errors',
  ]
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  })
  running.add(child)
  const lines: string[] = []
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue
      lines.push(line)
      if (lines.length > 200) lines.shift()
    }
  }
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child)
      resolve()
    }),
  )
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(timer)
  }

  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      void stop()
      reject(
        new Error(`prism proxy ${options.document} did not start within ${options.startTimeoutMs ?? 120_000} ms:\n${lines.join('\n')}`),
      )
    }, options.startTimeoutMs ?? 120_000)
    const onData = (chunk: Buffer) => {
      remember(chunk)
      // eslint-disable-next-line no-control-regex
      const text = chunk.toString('utf8').replace(/\u001b\[[0-9;]*m/g, '')
      const m = /Prism is listening on (http:\/\/[^\s]+)/.exec(text)
      if (m?.[1] !== undefined) {
        clearTimeout(timeout)
        resolve({ url: m[1], document: options.document, errors: options.errors, log: () => lines.join('\n'), stop })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', remember)
    child.once('exit', (code, signal) => {
      clearTimeout(timeout)
      reject(new Error(`prism proxy ${options.document} exited (${code ?? signal}) before listening:\n${lines.join('\n')}`))
    })
  })
}

/** Stops every Prism this process started (afterAll's safety net). */
export async function stopAllPrismProxies(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
          setTimeout(() => child.kill('SIGKILL'), 3000).unref()
        }),
    ),
  )
}
