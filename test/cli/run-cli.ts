import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** tsx's loader by absolute URL, so the CLI also runs from another working directory. */
const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href

/** Runs the CLI from source (through tsx, so no build is needed) in `cwd`. */
export function spawnCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, `${ROOT}src/cli.ts`, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

export type Finished = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs the CLI to completion. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Finished> {
  const child = spawnCli(args, options)
  return collect(child)
}

export function collect(child: ChildProcess): Promise<Finished> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
}

/** Starts the server CLI (or `replay FILE…`) on a free port and resolves with its base URL once the banner is printed. */
export async function startCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  // After the arguments, so a subcommand stays first.
  const child = spawnCli([...args, '--port', '0'], options)
  const finished = collect(child)
  const url = await new Promise<string>((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`no banner after 15 s: ${seen}`)), 15_000)
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(seen)
      if (m?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on('close', () => {
      clearTimeout(timer)
      reject(new Error(`exited before listening: ${seen}`))
    })
  })
  return { child, url, finished }
}
