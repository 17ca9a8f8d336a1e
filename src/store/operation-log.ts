// The operation log: one JSON line per operation, appended and fdatasynced before the operation is
// applied or acknowledged. The first line is a header naming the program and the number of the last
// operation before the log starts (`after`); every later line is `{"seq":N,"type":…}` with N counting up
// by one. A crash mid-append leaves at most the last line torn: it is dropped (with a warning) when the log
// is loaded; anything else that does not read is corruption, and the store refuses to start.
import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ConfigError } from '../config/config-error.ts'
import { syncFolder, temporaryName } from './durable-fs.ts'
import { readLines } from './line-reader.ts'
import { isOperation, type Operation } from './operations.ts'
import { STORE_MARKER } from './snapshot-file.ts'

/** The log's first line. */
export function logHeader(after: number): string {
  return `{"store":${JSON.stringify(STORE_MARKER)},"log":1,"after":${after}}\n`
}

/** One operation's line (without its newline). */
export function operationLine(seq: number, op: Operation): string {
  return `{"seq":${seq},${JSON.stringify(op).slice(1)}`
}

export type LoadOptions = {
  /** Operations up to this number are in the snapshot already: read past them. */
  snapshotSeq: number
  onOperation(op: Operation, seq: number): void
  warn(message: string): void
  /** Named in messages: the store the log belongs to. */
  storeName: string
}

export class OperationLog {
  readonly filename: string
  #handle: FileHandle | null = null
  /** Bytes of whole lines: where the next append goes. */
  #size = 0
  /** An append failed part-way: cut the file back to `#size` before the next one. */
  #dirty = false
  #inode: number | null = null
  /** How many appends (each one write + one fdatasync) have been made. */
  appends = 0

  constructor(filename: string) {
    this.filename = filename
  }

  get size(): number {
    return this.#size
  }

  /** Is there a log file (it is created by the first append)? */
  get exists(): boolean {
    return this.#handle !== null
  }

  /**
   * Reads the log, handing each operation after the snapshot to `onOperation` in order, and opens it for
   * appending. Resolves with the number of the last operation (the snapshot's when the log adds none).
   */
  async load(options: LoadOptions): Promise<number> {
    const { snapshotSeq } = options
    let header: { after: number } | null = null
    let seq = snapshotSeq
    let expected = -1
    let good = 0 // end of the last good line, newline included
    let torn: { number: number; start: number; reason: string } | null = null
    const refuse = (number: number, reason: string): never => {
      throw new ConfigError(
        `${this.filename}: line ${number} ${reason}. The operation log of ${options.storeName} is damaged beyond its last line, ` +
          `so it cannot be loaded without losing acknowledged writes. Restore both files from a backup, or move them aside to start with an empty store.`,
      )
    }
    let size: number
    try {
      size = await readLines(this.filename, (line) => {
        if (torn !== null) refuse(torn.number, torn.reason)
        if (line.text.trim() === '') {
          if (line.terminated) good = line.end + 1
          return
        }
        if (!line.terminated) {
          torn = { number: line.number, start: line.start, reason: 'is cut off' }
          return
        }
        let parsed: unknown
        try {
          parsed = JSON.parse(line.text)
        } catch (error) {
          torn = { number: line.number, start: line.start, reason: `is not JSON (${(error as Error).message})` }
          return
        }
        if (header === null) {
          const h = parsed as { store?: unknown; after?: unknown }
          if (h?.store !== STORE_MARKER || typeof h.after !== 'number' || !Number.isInteger(h.after) || h.after < 0)
            throw new ConfigError(
              `${this.filename}: not an operation log written by llm-feedback-emulator (line 1 is not its header). Move it aside, or point --db elsewhere.`,
            )
          if (h.after > snapshotSeq)
            refuse(
              1,
              `says the log starts after operation ${h.after}, but the snapshot holds operations up to ${snapshotSeq} only (operations are missing)`,
            )
          header = { after: h.after }
          expected = h.after + 1
        } else {
          const entry = parsed as { seq?: unknown }
          if (!isOperation(parsed) || typeof entry.seq !== 'number') refuse(line.number, 'is not an operation')
          if (entry.seq !== expected) refuse(line.number, `is operation ${String(entry.seq)}, expected ${expected}`)
          expected++
          if ((entry.seq as number) > snapshotSeq) {
            try {
              options.onOperation(parsed as Operation, entry.seq as number)
            } catch (error) {
              refuse(line.number, `could not be applied (${(error as Error).message})`)
            }
            seq = entry.seq as number
          }
        }
        good = line.end + 1
      })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return snapshotSeq
      throw error
    }
    const cut = torn as { number: number; start: number; reason: string } | null
    if (cut !== null) {
      options.warn(
        `${this.filename}: line ${cut.number} ${cut.reason}: a write was cut off by a crash before it was acknowledged; dropping it.`,
      )
    }
    this.#handle = await open(this.filename, 'r+')
    this.#inode = (await this.#handle.stat()).ino
    if (header === null) {
      // Only a torn header: the crash came before the first operation was on disk.
      good = 0
    }
    if (good < size) {
      await this.#handle.truncate(good)
      await this.#handle.sync()
    }
    this.#size = good
    if (header === null) {
      await this.#handle.close()
      this.#handle = null
      this.#inode = null
    }
    return seq
  }

  /** Appends whole lines with one write and one fdatasync; `after` heads a log this append creates. */
  async append(text: string, after: number): Promise<void> {
    const body = Buffer.from(text, 'utf8')
    if (this.#handle === null) {
      await this.#create(Buffer.concat([Buffer.from(logHeader(after)), body]))
      this.appends++
      return
    }
    try {
      if (this.#dirty) {
        await this.#handle.truncate(this.#size)
        this.#dirty = false
      }
      await writeAll(this.#handle, body, this.#size)
      await this.#handle.datasync()
      this.#size += body.length
      this.appends++
    } catch (error) {
      this.#dirty = true
      throw error
    }
  }

  /** Does the log's path still lead to the file being appended to (its folder may have been deleted)? */
  async isIntact(): Promise<boolean> {
    if (this.#handle === null) return true
    const now = await stat(this.filename).catch(() => null)
    return now !== null && now.ino === this.#inode
  }

  /**
   * Starts a new log after operation `after` holding `tail` (the lines appended since): written beside
   * the log, fsynced, renamed over it, folder fsynced. Until the rename the old log stays whole.
   */
  async rotate(after: number, tail: string): Promise<void> {
    const content = Buffer.concat([Buffer.from(logHeader(after)), Buffer.from(tail, 'utf8')])
    const temporary = temporaryName(this.filename)
    const handle = await open(temporary, 'wx')
    try {
      await writeAll(handle, content, 0)
      await handle.sync()
      await rename(temporary, this.filename)
    } catch (error) {
      await handle.close().catch(() => {})
      await rm(temporary, { force: true })
      throw error
    }
    await syncFolder(dirname(this.filename))
    await this.#handle?.close().catch(() => {})
    this.#handle = handle
    this.#inode = (await handle.stat()).ino
    this.#size = content.length
    this.#dirty = false
  }

  /** Forgets the file (deleted, or replaced by a snapshot): the next append starts a new log. */
  async detach(): Promise<void> {
    await this.#handle?.close().catch(() => {})
    this.#handle = null
    this.#inode = null
    this.#size = 0
    this.#dirty = false
  }

  async close(): Promise<void> {
    await this.detach()
  }

  async #create(content: Buffer): Promise<void> {
    await mkdir(dirname(this.filename), { recursive: true })
    const handle = await open(this.filename, 'w')
    try {
      await writeAll(handle, content, 0)
      await handle.sync()
      await syncFolder(dirname(this.filename))
    } catch (error) {
      await handle.close().catch(() => {})
      throw error
    }
    this.#handle = handle
    this.#inode = (await handle.stat()).ino
    this.#size = content.length
    this.#dirty = false
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let written = 0
  while (written < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written, position + written)
    written += bytesWritten
  }
}
