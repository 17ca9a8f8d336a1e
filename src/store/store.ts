// The store: the in-memory document (lowdb), a snapshot of it on disk (`db.json`) and the operation log
// beside it (`db.json.log`).
//
// A write is one operation. `commit(op)` appends its line to the log and resolves only once that line is
// on disk and the operation has been applied to the document: nothing unacknowledged is ever visible, and
// a write that fails leaves no trace. Operations that arrive while an append is in flight wait for the next
// one, which takes them all (group commit: one write + one fdatasync for the lot). When the log outgrows
// the snapshot, or when the store is closed, a new snapshot is written in slices beside the running server
// and the log restarts after it (compaction). Loading reads the snapshot and replays the log.
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Low, Memory } from 'lowdb'
import { ConfigError } from '../config/config-error.ts'
import { emptyData, type Data } from './data.ts'
import { isTemporaryNameOf, syncFolder } from './durable-fs.ts'
import { OperationLog, operationLine } from './operation-log.ts'
import { applyOperation, type Operation } from './operations.ts'
import { SnapshotFile, SnapshotFormatError } from './snapshot-file.ts'
import { toStoreDocument } from './store-document.ts'
import { StoreLock } from './store-lock.ts'

export type StoreOptions = {
  /** `:memory:` or the snapshot's path (the log is `<path>.log`, the lock `<path>.lock`). */
  path: string
  /**
   * Compact once the log is this big (bytes) and at least a quarter of the snapshot's size (so a big
   * store is not rewritten for every few megabytes of writes). Default 64 MiB.
   */
  compactLogBytes?: number
  warn?: (message: string) => void
}

export const DEFAULT_COMPACT_LOG_BYTES = 64 * 1024 * 1024

type Pending = { op: Operation; resolve: () => void; reject: (error: unknown) => void }

/** Counters for tests and benchmarks. */
export type StoreStats = {
  /** Operations applied since the store was opened. */
  committed: number
  /** Log appends (each one write + one fdatasync). */
  appends: number
  compactions: number
  /** The longest the event loop was held by a compaction slice (ms). */
  longestCompactionSliceMs: number
}

export class Store {
  /** The document: `db.data.<vendor>[tenant]`. Changed only by committed operations. */
  readonly db: Low<Data>
  readonly path: string
  readonly #files: { snapshot: SnapshotFile; log: OperationLog; lock: StoreLock } | null
  readonly #compactLogBytes: number
  readonly #warn: (message: string) => void
  /** The number of the last operation applied. */
  #seq = 0
  /** The number of the last operation the snapshot on disk holds (-1: there is no snapshot file). */
  #snapshotSeq = -1
  #queue: Pending[] = []
  #flushing: Promise<void> | null = null
  /**
   * The compaction in progress: its snapshot being written, then (`rotateAfter` set) the log waiting to
   * restart after it, with the lines appended since (`tail`). `done` settles when both are over.
   */
  #compaction: { snapshot: Promise<void>; done: Promise<void>; finish(): void; tail: string[]; rotateAfter: number | null } | null = null
  #closed = false
  /** The document before loading (lowdb keeps it when there is no snapshot file). */
  readonly #empty = emptyData()
  readonly stats: StoreStats = { committed: 0, appends: 0, compactions: 0, longestCompactionSliceMs: 0 }
  /** Told about each operation once it is applied (the dashboard's change feed). */
  readonly #appliedListeners = new Set<(op: Operation) => void>()

  private constructor(options: StoreOptions, files: { snapshot: SnapshotFile; log: OperationLog; lock: StoreLock } | null) {
    this.path = options.path
    this.#files = files
    this.#compactLogBytes = options.compactLogBytes ?? DEFAULT_COMPACT_LOG_BYTES
    this.#warn = options.warn ?? ((message) => console.warn(`llm-feedback-emulator: ${message}`))
    this.db = new Low<Data>(files?.snapshot ?? new Memory<Data>(), this.#empty)
  }

  /** Opens a store: takes its lock, loads the snapshot, replays the log. Throws ConfigError when it can't. */
  static async open(options: StoreOptions): Promise<Store> {
    if (options.path === ':memory:') return new Store(options, null)
    const path = options.path
    let lock: StoreLock | null = null
    let log: OperationLog | null = null
    try {
      await mkdir(dirname(path), { recursive: true })
      lock = await StoreLock.acquire(`${path}.lock`, path)
      log = new OperationLog(`${path}.log`)
      const opened: Store = new Store(options, { snapshot: new SnapshotFile(path, (): number => opened.#seq), log, lock })
      await opened.#load()
      return opened
    } catch (error) {
      await log?.close()
      await lock?.release()
      // A path the store cannot use (a folder, a read-only disk, no permission) is a configuration error too.
      const code = (error as NodeJS.ErrnoException).code
      if (!(error instanceof ConfigError) && typeof code === 'string') {
        throw new ConfigError(`${path}: cannot open the store (${(error as Error).message}). Point --db at a file in a writable folder.`)
      }
      throw error
    }
  }

  get data(): Data {
    return this.db.data
  }

  /** The number of the last operation applied (what a snapshot now would hold). */
  get seq(): number {
    return this.#seq
  }

  /** Makes `op` durable, then applies it; resolves after both, rejects (having changed nothing) if the write fails. */
  commit(op: Operation): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'))
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, resolve, reject })
      this.#schedule()
    })
  }

  /**
   * Calls `listener` with each operation right after it became visible (not for the log replayed at load).
   * A listener that throws is reported as a warning and changes nothing. Returns the unsubscribe function.
   */
  onApplied(listener: (op: Operation) => void): () => void {
    this.#appliedListeners.add(listener)
    return () => void this.#appliedListeners.delete(listener)
  }

  /** Writes a snapshot of everything committed so far and restarts the log after it. */
  async compact(): Promise<void> {
    // One already under way may have started before the last commits: let it finish, then start one.
    while (this.#compaction !== null) await this.#compaction.done
    await this.#startCompaction()
  }

  /** Refuses new commits, waits for those in flight, writes a final snapshot and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#drain()
    const files = this.#files
    if (files === null) return
    try {
      if (this.#seq > Math.max(this.#snapshotSeq, 0)) {
        // Everything acknowledged goes into the snapshot; the log is then empty and is removed.
        await this.#startCompaction()
        await this.#drain()
      }
      if (this.#snapshotSeq === this.#seq && files.log.exists) {
        await files.log.close()
        await rm(files.log.filename, { force: true })
        await syncFolder(dirname(this.path))
      }
    } finally {
      await files.log.close()
      await files.lock.release()
    }
  }

  async #load(): Promise<void> {
    const files = this.#files!
    await this.#removeTemporaryFiles()
    try {
      await this.db.read()
    } catch (error) {
      if (error instanceof SnapshotFormatError) {
        throw new ConfigError(
          `${this.path}: ${error.line > 0 ? `line ${error.line}: ` : ''}the store file is not valid JSON (${error.message}). ` +
            `It is left untouched; restore it from a backup, or point --db at a new file.`,
        )
      }
      throw error
    }
    if (this.db.data !== this.#empty) {
      const { data, seq } = toStoreDocument(this.db.data, this.path, { verified: files.snapshot.verified })
      this.db.data = data
      this.#seq = seq
      this.#snapshotSeq = seq
      files.snapshot.bytes = (await stat(this.path)).size
    }
    this.#seq = await files.log.load({
      snapshotSeq: this.#seq,
      storeName: this.path,
      warn: this.#warn,
      onOperation: (op) => applyOperation(this.db.data, op),
    })
  }

  /** Temporary files of an interrupted snapshot or log rotation (ours: we hold the lock). */
  async #removeTemporaryFiles(): Promise<void> {
    const folder = dirname(this.path)
    for (const name of await readdir(folder)) {
      if (isTemporaryNameOf(this.path, name) || isTemporaryNameOf(`${this.path}.log`, name)) await rm(join(folder, name), { force: true })
    }
  }

  #schedule(): void {
    if (this.#flushing === null) this.#flushing = Promise.resolve().then(() => this.#flush())
  }

  /** Resolves once nothing is queued, being written or being compacted. */
  async #drain(): Promise<void> {
    while (this.#flushing !== null || this.#compaction !== null) {
      await Promise.all([this.#flushing, this.#compaction?.done])
    }
  }

  /** The writer: takes everything queued, appends it in one write + fdatasync, applies it, resolves it. */
  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0 || this.#compaction?.rotateAfter != null) {
        if (this.#compaction?.rotateAfter != null) await this.#rotate()
        const batch = this.#queue.splice(0)
        if (batch.length === 0) continue
        let accepted: Pending[] = batch
        if (this.#files !== null) {
          // An operation that cannot be written as a JSON line (too big for one string, say) is refused alone.
          const lines: string[] = []
          accepted = []
          for (const pending of batch) {
            try {
              lines.push(operationLine(this.#seq + accepted.length + 1, pending.op))
              accepted.push(pending)
            } catch (error) {
              pending.reject(error)
            }
          }
          if (accepted.length === 0) continue
          const text = `${lines.join('\n')}\n`
          try {
            await this.#append(text)
            this.stats.appends++
          } catch (error) {
            for (const pending of accepted) pending.reject(error)
            continue
          }
          this.#compaction?.tail.push(text)
        }
        // On disk: now, and only now, the operations become visible.
        for (const pending of accepted) {
          this.#seq++
          this.stats.committed++
          try {
            applyOperation(this.db.data, pending.op)
          } catch (error) {
            pending.reject(error)
            continue
          }
          pending.resolve()
          for (const listener of this.#appliedListeners) {
            try {
              listener(pending.op)
            } catch (error) {
              this.#warn(`a listener of the store failed (${(error as Error).message})`)
            }
          }
        }
        this.#maybeCompact()
      }
    } finally {
      this.#flushing = null
    }
  }

  /**
   * One write + fdatasync of `text` to the log and, side by side, a check that the store's files are still
   * where they were. If the folder or a file was deleted meanwhile, that append went nowhere durable (or
   * failed for want of its folder): everything committed so far is written again, then `text`.
   */
  async #append(text: string): Promise<void> {
    const files = this.#files!
    const [intact, failure] = await Promise.all([
      this.#filesIntact(),
      files.log.append(text, this.#seq).then(
        () => null,
        (error: unknown) => ({ error }),
      ),
    ])
    if (intact) {
      if (failure !== null) throw failure.error
      return
    }
    await this.#recreateFiles()
    await files.log.append(text, this.#seq)
  }

  /** Does the log's path still lead to the open log, and is the snapshot still there? */
  async #filesIntact(): Promise<boolean> {
    const files = this.#files!
    const [logIntact, snapshotThere] = await Promise.all([
      files.log.isIntact(),
      this.#snapshotSeq < 0
        ? true
        : stat(this.path).then(
            () => true,
            () => false,
          ),
    ])
    return logIntact && snapshotThere
  }

  /** The store's folder or files were deleted while running: re-create them with everything committed. */
  async #recreateFiles(): Promise<void> {
    const files = this.#files!
    this.#warn(`${this.path}: the store's files were removed while the emulator ran; writing them again.`)
    // A compaction in flight wrote into the old folder: let its snapshot finish (or fail), then start over.
    const compaction = this.#compaction
    if (compaction !== null) {
      await compaction.snapshot
      this.#compaction = null
      compaction.finish()
    }
    await mkdir(dirname(this.path), { recursive: true })
    await files.lock.renew()
    await files.log.detach()
    await files.snapshot.write(this.db.data)
    this.#snapshotSeq = this.#seq
  }

  #maybeCompact(): void {
    const files = this.#files
    if (files === null || this.#compaction !== null || this.#closed) return
    if (files.log.size >= Math.max(this.#compactLogBytes, files.snapshot.bytes / 4)) void this.#startCompaction()
  }

  /** Writes a snapshot of the document as it is now; the writer then restarts the log after it. */
  #startCompaction(): Promise<void> {
    const files = this.#files
    if (files === null) return Promise.resolve()
    if (this.#compaction !== null) return this.#compaction.done
    const seq = this.#seq
    if (seq === this.#snapshotSeq) return Promise.resolve()
    let finish = () => {}
    const done = new Promise<void>((resolve) => (finish = resolve))
    // Frozen view and sequence number are taken synchronously, here, between two batches.
    const snapshot = files.snapshot.write(this.db.data).then(
      () => {
        if (this.#compaction !== compaction) return // abandoned: the files were re-created meanwhile
        this.#snapshotSeq = seq
        this.stats.longestCompactionSliceMs = Math.max(this.stats.longestCompactionSliceMs, files.snapshot.longestSliceMs)
        compaction.rotateAfter = seq
        this.#schedule()
      },
      (error: unknown) => {
        this.#warn(`${this.path}: compaction failed, the log keeps growing (${(error as Error).message})`)
        if (this.#compaction === compaction) this.#compaction = null
        finish()
      },
    )
    const compaction = { snapshot, done, finish, tail: [] as string[], rotateAfter: null as number | null }
    this.#compaction = compaction
    return done
  }

  /** After a snapshot: a new log holding only the lines appended since. Runs in the writer, between batches. */
  async #rotate(): Promise<void> {
    const files = this.#files!
    const compaction = this.#compaction!
    const tail = compaction.tail.join('')
    try {
      if (files.log.exists || tail !== '') {
        await files.log.rotate(compaction.rotateAfter!, tail)
        this.stats.compactions++
      }
    } catch (error) {
      // The old log is whole and still holds every operation: nothing is lost, the next compaction retries.
      this.#warn(`${this.path}: could not restart the operation log (${(error as Error).message})`)
    } finally {
      this.#compaction = null
      compaction.finish()
    }
  }
}
