// Every child process and temporary folder of a bench run, so that none outlives it: children are killed and
// folders removed on a normal end, on an error and on Ctrl-C.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const children = new Set<ChildProcess>()
const tempDirs = new Set<string>()

function cleanUpNow(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  children.clear()
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

let installed = false
/** Installs the exit, signal and crash handlers (once). */
export function installCleanup(): void {
  if (installed) return
  installed = true
  process.on('exit', cleanUpNow)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping the children and removing temporary files\n`)
      cleanUpNow()
      process.exit(130)
    })
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench: ${error.stack ?? String(error)}\n`)
    cleanUpNow()
    process.exit(1)
  })
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`)
    cleanUpNow()
    process.exit(1)
  })
}

/** A fresh folder under the system's temporary folder, removed when the run ends (or earlier by `removeTempDir`). */
export function makeTempDir(prefix = 'lfe-bench-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  tempDirs.delete(dir)
}

export type Child = {
  process: ChildProcess
  pid: number
  /** Everything written to stdout and stderr so far (the last 64 KB of each). */
  output(): { stdout: string; stderr: string }
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone, with how long that took. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>
}

const KEEP = 64 * 1024

/** Spawns a tracked child with piped stdout/stderr (drained continuously, so it can never block on a full pipe). */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`)
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-KEEP)))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-KEEP)))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child)
      resolve({ code, signal })
    })
  })
  return {
    process: child,
    pid: child.pid,
    output: () => ({ stdout, stderr }),
    exited,
    async stop(graceMs = 30_000) {
      const started = performance.now()
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const result = await exited
      clearTimeout(timer)
      return { ...result, ms: performance.now() - started }
    },
  }
}

/** Waits until `pattern` (`what`) appears in the child's stdout; fails when the child exits first or after `timeoutMs`. */
export function waitForOutput(child: Child, pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(child.output().stdout)
      if (match === null) return false
      finish()
      resolve(match)
      return true
    }
    const onData = () => void check()
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      finish()
      const { stderr } = child.output()
      reject(new Error(`exited (${code ?? signal}) before ${what}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))
    }
    const timer = setTimeout(() => {
      finish()
      reject(new Error(`no ${what} within ${timeoutMs} ms`))
    }, timeoutMs)
    const finish = () => {
      clearTimeout(timer)
      child.process.stdout?.off('data', onData)
      child.process.off('exit', onExit)
    }
    child.process.stdout?.on('data', onData)
    child.process.once('exit', onExit)
    check()
  })
}

/** The resident set size now and its peak so far (bytes), from /proc (Linux); null elsewhere. */
/**
 * CPU time (user + system, ms) the process has used so far, from /proc (Linux; null elsewhere). Threads
 * included: libuv's pool (fsync, file writes) counts as the server's work too.
 */
export function cpuMsOf(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces), from field 3 on: utime and stime are 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : null
  } catch {
    return null
  }
}

/** USER_HZ: 100 on every Linux Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100

export function memoryOf(pid: number): { rssBytes: number; peakRssBytes: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') }
  } catch {
    return null
  }
}
