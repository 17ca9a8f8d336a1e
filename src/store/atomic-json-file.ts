import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Adapter } from 'lowdb'
import { syncFolder, temporaryName } from './durable-fs.ts'

/**
 * A lowdb adapter for one JSON file (recordings; the store has its own log and snapshot) that
 * - writes a temporary file with a unique name, fsyncs it, renames it over the target and fsyncs the
 *   folder, so a crash never leaves a torn file and power loss never undoes an acknowledged write;
 * - coalesces concurrent writes: while one write runs, every later `write()` waits for one more write of the
 *   newest data, so N writes under load cost at most two file writes, and each caller resolves only once
 *   its data is on disk;
 * - creates the file (and its folder, again if it was deleted meanwhile) on the first write, not on read.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  readonly filename: string
  #running: Promise<void> | null = null
  #next: { data: T; promise: Promise<void> } | null = null
  #fileWrites = 0
  #folderReady = false

  constructor(filename: string) {
    this.filename = filename
  }

  /** How many times the file has been replaced (to show coalescing under load). */
  get fileWrites(): number {
    return this.#fileWrites
  }

  async read(): Promise<T | null> {
    let text: string
    try {
      text = await readFile(this.filename, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
    return JSON.parse(text) as T
  }

  write(data: T): Promise<void> {
    if (this.#running === null) return this.#start(data)
    // A write is on disk-bound already: join (or open) the single follow-up write with the newest data.
    if (this.#next !== null) {
      this.#next.data = data
      return this.#next.promise
    }
    const next: { data: T; promise: Promise<void> } = { data, promise: Promise.resolve() }
    next.promise = this.#running.then(
      () => this.#takeNext(),
      () => this.#takeNext(),
    )
    this.#next = next
    return next.promise
  }

  /** Resolves once every write asked for so far is on disk (without writing anything itself). */
  async flush(): Promise<void> {
    while (this.#running !== null || this.#next !== null) {
      await (this.#next?.promise ?? this.#running)?.catch(() => {})
    }
  }

  #takeNext(): Promise<void> {
    const next = this.#next
    this.#next = null
    this.#running = null
    return next === null ? Promise.resolve() : this.#start(next.data)
  }

  #start(data: T): Promise<void> {
    // Compact JSON: the store is rewritten whole on every (coalesced) write, so bytes are time;
    // GET /__emulator/state gives the readable form.
    const running = this.#writeFile(JSON.stringify(data))
    this.#running = running
    return running.finally(() => {
      if (this.#running === running && this.#next === null) this.#running = null
    })
  }

  async #writeFile(text: string): Promise<void> {
    this.#fileWrites++
    if (!this.#folderReady) {
      await mkdir(dirname(this.filename), { recursive: true })
      this.#folderReady = true
    }
    const temporary = temporaryName(this.filename)
    const handle = await open(temporary, 'wx').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
      // The folder was deleted since the last write: make it again.
      await mkdir(dirname(this.filename), { recursive: true })
      return open(temporary, 'wx')
    })
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } catch (error) {
      await handle.close()
      await rm(temporary, { force: true })
      throw error
    }
    await handle.close()
    try {
      await rename(temporary, this.filename)
    } catch (error) {
      await rm(temporary, { force: true })
      throw error
    }
    await syncFolder(dirname(this.filename))
  }
}
