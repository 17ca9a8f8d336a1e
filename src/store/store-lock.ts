// One process per store: a lock file beside it, created with O_EXCL, naming its holder. A lock left by a
// process that is gone (same host, pid no longer running, or running but started later than the holder) is
// taken over; any other lock refuses the store with the holder's name.
import { readFileSync } from 'node:fs'
import { link, open, readFile, rename, rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { ConfigError } from '../config/config-error.ts'
import { temporaryName } from './durable-fs.ts'

export type LockHolder = { program: string; pid: number; host: string; startedAt: string; bootId?: string; processStart?: string }

/** Locks held by this process, by lock file: a second store on the same file in this process is refused. */
const HELD = new Set<string>()

export class StoreLock {
  readonly filename: string
  readonly #storeName: string
  readonly #holder: LockHolder

  private constructor(filename: string, storeName: string) {
    this.filename = filename
    this.#storeName = storeName
    this.#holder = {
      program: 'llm-feedback-emulator',
      pid: process.pid,
      host: hostname(),
      startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
      ...linuxProcessIdentity(process.pid),
    }
  }

  /** Takes the lock on `storeName` (a store file), or throws ConfigError naming whoever holds it. */
  static async acquire(filename: string, storeName: string): Promise<StoreLock> {
    const lock = new StoreLock(filename, storeName)
    await lock.#take()
    return lock
  }

  async #take(): Promise<void> {
    if (HELD.has(this.filename)) {
      throw new ConfigError(`${this.#storeName}: the store is already open in this process (close the other emulator first).`)
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.#create()) {
        HELD.add(this.filename)
        return
      }
      const text = await readFile(this.filename, 'utf8').catch(() => null)
      if (text === null) continue // released meanwhile: try again
      const holder = parseHolder(text)
      if (holder === null || !isStale(holder)) throw new ConfigError(this.#heldMessage(holder, text))
      // Take the stale lock over: move it aside (only one taker can), check it is still the stale one.
      const aside = temporaryName(this.filename)
      try {
        await rename(this.filename, aside)
      } catch {
        continue
      }
      const moved = await readFile(aside, 'utf8').catch(() => null)
      if (moved !== text) {
        await link(aside, this.filename).catch(() => {})
        await rm(aside, { force: true })
        continue
      }
      await rm(aside, { force: true })
    }
    throw new ConfigError(`${this.#storeName}: could not take the lock ${this.filename} (another process keeps taking it).`)
  }

  /** Creates the lock file with O_EXCL; false when it exists. */
  async #create(): Promise<boolean> {
    let handle
    try {
      handle = await open(this.filename, 'wx')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw error
    }
    try {
      await handle.writeFile(`${JSON.stringify(this.#holder)}\n`)
    } finally {
      await handle.close()
    }
    return true
  }

  #heldMessage(holder: LockHolder | null, text: string): string {
    const who =
      holder === null
        ? `an unreadable lock (${JSON.stringify(text.slice(0, 80))})`
        : `process ${holder.pid} on ${holder.host} (started ${holder.startedAt})`
    return (
      `${this.#storeName}: the store is in use by ${who}; two processes writing one store would corrupt it. ` +
      `Stop that process, use another --db, or, if it is gone, delete ${this.filename}.`
    )
  }

  /** Takes the lock again after its folder was deleted (when the store re-creates its files). */
  async renew(): Promise<void> {
    HELD.delete(this.filename)
    await this.#take()
  }

  /** Releases the lock (only if the file still names this process). */
  async release(): Promise<void> {
    HELD.delete(this.filename)
    const text = await readFile(this.filename, 'utf8').catch(() => null)
    if (text !== null && parseHolder(text)?.pid === this.#holder.pid && parseHolder(text)?.host === this.#holder.host) {
      await rm(this.filename, { force: true })
    }
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.startedAt === 'string') return value as LockHolder
  } catch {
    // falls through
  }
  return null
}

/** Is the holder certainly gone? Only decidable on this host. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false
  const self = linuxProcessIdentity(process.pid)
  // Rebooted since: every process of that boot is gone.
  if (holder.bootId !== undefined && self.bootId !== undefined && holder.bootId !== self.bootId) return true
  // Our own pid, but not a lock this process holds: an earlier process that had our pid (PID 1 in a
  // restarted container).
  if (holder.pid === process.pid) return true
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
  // Running: the holder, unless the pid has been reused by a process started after it.
  const now = linuxProcessIdentity(holder.pid)
  return holder.processStart !== undefined && now.processStart !== undefined && now.processStart !== holder.processStart
}

/** Boot id and process start time (Linux /proc), which together name one process run. */
function linuxProcessIdentity(pid: number): { bootId?: string; processStart?: string } {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 22 (starttime), counted after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const processStart = fields[19]
    return processStart === undefined ? { bootId } : { bootId, processStart }
  } catch {
    return {}
  }
}
