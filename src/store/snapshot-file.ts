// The snapshot: the whole document as lowdb JSON, plus the number of the last operation it holds.
//
// Layout: ordinary JSON, but written one record per line, so that
// - it is written in slices (a few milliseconds each) while the server keeps answering, and
// - it is read line by line, never as one string (a store can outgrow V8's longest string).
// Any JSON reader (lowdb's JSONFile included) reads it as it is. Stores written by earlier versions (the
// document on one line, no `store` marker, no `seq`, no `checksum`) read the same way.
//
// The last member, `"checksum":"crc32:…"`, is the CRC-32 of every byte before its line: a snapshot that
// matches it is byte for byte what this program wrote, so loading can skip re-checking every record's shape
// (the check costs more than the parse; a hand-edited or older snapshot is still checked in full).
import { crc32 } from 'node:zlib'
import { open, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Adapter } from 'lowdb'
import type { VendorName } from '../vendors/vendor-name.ts'
import type { Data } from './data.ts'
import { syncFolder, temporaryName } from './durable-fs.ts'
import { JsonStreamError, readJsonFile } from './json-stream-reader.ts'
import { readLines } from './line-reader.ts'

/** The marker that says "a store written by this program" (a fixture document or any other JSON has none). */
export const STORE_MARKER = 'llm-feedback-emulator'

/** A JSON line the reader cannot take: its number and why. */
export class SnapshotFormatError extends Error {
  readonly line: number
  constructor(line: number, message: string) {
    super(message)
    this.name = 'SnapshotFormatError'
    this.line = line
  }
}

/** How every snapshot in our layout begins (anything else is read as plain JSON). */
const HEADER_LINES = `{\n"store":${JSON.stringify(STORE_MARKER)},\n`

/** The checksum line's member name, as it begins the line. */
const CHECKSUM_KEY = '"checksum":'
const checksumLine = (crc: number) => `${CHECKSUM_KEY}"crc32:${crc.toString(16).padStart(8, '0')}"`

/** Files not in our layout up to this size are parsed as one string (V8 strings end near 512 MB). */
const WHOLE_JSON_BYTES = 256 * 1024 * 1024

/** How long (ms) serialization runs before letting the event loop answer requests. */
const SLICE_MS = 4
const CHUNK_CHARS = 1 << 18

/**
 * The lowdb adapter of the snapshot. `read()` gives the document as it is on disk, marker and `seq`
 * included (recognising and checking it is the store's business). `write(data)` takes a frozen view of
 * `data` and the store's sequence number at once, then writes them in slices and replaces the file
 * atomically: a temporary file with a unique name, fsync, rename over the snapshot, fsync of the folder.
 */
export class SnapshotFile implements Adapter<Data> {
  readonly filename: string
  readonly #seq: () => number
  /** The longest stretch (ms) the last write kept the event loop busy between yields. */
  longestSliceMs = 0
  /** The size in bytes of the last snapshot written. */
  bytes = 0
  /** Whether the last `read()` found the snapshot as written: in our layout, with a checksum that matches. */
  verified = false

  /** `seq`: the number of the last operation applied to the document (what a snapshot of it holds). */
  constructor(filename: string, seq: () => number) {
    this.filename = filename
    this.#seq = seq
  }

  async read(): Promise<Data | null> {
    this.verified = false
    let head: Buffer
    try {
      head = await readHead(this.filename, HEADER_LINES.length)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
    if (head.toString('utf8') === HEADER_LINES) return this.#readLayout()
    // Not in our layout (a store of the previous version, or anything else): plain JSON, read in one piece
    // when it fits in a string comfortably, else walked (records parsed one by one).
    try {
      if ((await stat(this.filename)).size <= WHOLE_JSON_BYTES) return JSON.parse(await readFile(this.filename, 'utf8')) as Data
      return (await readJsonFile(this.filename, 3)) as Data
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof JsonStreamError) throw new SnapshotFormatError(0, error.message)
      throw error
    }
  }

  async #readLayout(): Promise<Data> {
    const stack: { container: Record<string, unknown> | unknown[]; key: string | null }[] = []
    let root: unknown = undefined
    let done = false
    const attach = (value: unknown, key: string | null, lineNumber: number) => {
      const parent = stack[stack.length - 1]
      if (parent === undefined) {
        if (done) throw new SnapshotFormatError(lineNumber, 'content after the end of the document')
        root = value
        done = true
      } else if (Array.isArray(parent.container)) parent.container.push(value)
      else if (key === null) throw new SnapshotFormatError(lineNumber, 'a value without a name inside an object')
      else Object.defineProperty(parent.container, key, { value, writable: true, enumerable: true, configurable: true })
    }
    let checksum: { text: string; start: number } | null = null
    await readLines(this.filename, (line) => {
      let text = line.text.trim()
      if (text.endsWith(',')) text = text.slice(0, -1)
      if (text === '') return
      const top = stack[stack.length - 1]
      if (stack.length === 1 && text.startsWith(CHECKSUM_KEY)) {
        // Not part of the document: kept aside and compared once the whole file is read.
        checksum = { text, start: line.start }
        return
      }
      try {
        if (text === '}' || text === ']') {
          const closed = stack.pop()
          if (closed === undefined || Array.isArray(closed.container) !== (text === ']')) throw new Error(`unexpected ${text}`)
          attach(closed.container, closed.key, line.number)
        } else if (text.endsWith('{') || text.endsWith('[')) {
          const opener = text[text.length - 1]
          let key: string | null = null
          if (text.length > 1) {
            if (top === undefined || Array.isArray(top.container) || !text.endsWith(`:${opener}`)) throw new Error('unexpected text')
            key = JSON.parse(text.slice(0, -2)) as string
          }
          stack.push({ container: opener === '[' ? [] : Object.create(Object.prototype), key })
        } else if (top === undefined || Array.isArray(top.container)) {
          attach(JSON.parse(text), null, line.number)
        } else {
          const member = JSON.parse(`{${text}}`) as Record<string, unknown>
          const [key] = Object.keys(member)
          if (key === undefined) throw new Error('no member')
          attach(member[key], key, line.number)
        }
      } catch (error) {
        if (error instanceof SnapshotFormatError) throw error
        throw new SnapshotFormatError(line.number, (error as Error).message)
      }
    })
    if (stack.length > 0 || !done) throw new SnapshotFormatError(0, 'the document ends before it is complete')
    const found = checksum as { text: string; start: number } | null
    this.verified = found !== null && found.text === checksumLine(await crc32Of(this.filename, found.start))
    return root as Data
  }

  /** Writes a snapshot of `data` as it is now, yielding to the event loop every few ms. */
  async write(data: Data): Promise<void> {
    // Both taken before the first await: the snapshot is of this moment.
    const view = frozenView(data)
    const seq = this.#seq()
    await this.#write(view, seq)
  }

  async #write(view: Data, seq: number): Promise<void> {
    const temporary = temporaryName(this.filename)
    const handle = await open(temporary, 'wx')
    let bytes = 0
    this.longestSliceMs = 0
    try {
      let parts: string[] = []
      let chars = 0
      let sliceStart = performance.now()
      let count = 0
      let crc = 0
      for (const line of snapshotLines(view, seq)) {
        parts.push(line)
        chars += line.length + 1
        if (chars >= CHUNK_CHARS) {
          const text = `${parts.join('\n')}\n`
          parts = []
          chars = 0
          crc = crc32(text, crc)
          this.longestSliceMs = Math.max(this.longestSliceMs, performance.now() - sliceStart)
          bytes += (await handle.write(text)).bytesWritten
          sliceStart = performance.now()
        } else if (++count % 64 === 0 && performance.now() - sliceStart > SLICE_MS) {
          this.longestSliceMs = Math.max(this.longestSliceMs, performance.now() - sliceStart)
          await nextTurn()
          sliceStart = performance.now()
        }
      }
      if (parts.length > 0) {
        const text = `${parts.join('\n')}\n`
        crc = crc32(text, crc)
        bytes += (await handle.write(text)).bytesWritten
      }
      bytes += (await handle.write(`${checksumLine(crc)}\n}\n`)).bytesWritten
      this.longestSliceMs = Math.max(this.longestSliceMs, performance.now() - sliceStart)
      await handle.sync()
    } catch (error) {
      await handle.close().catch(() => {})
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
    this.bytes = bytes
  }
}

/**
 * The snapshot's lines up to its checksum (which the writer adds, with the closing brace): the root, the
 * vendors' tenant maps and each tenant's state open on lines of their own, and so does each of a tenant's
 * record arrays; every record is one line.
 */
export function* snapshotLines(data: Data, seq: number): Generator<string> {
  const { version: _version, store: _store, seq: _seq, ...vendors } = data as Data & { store?: unknown; seq?: unknown }
  const header = [`"store":${JSON.stringify(STORE_MARKER)}`, `"version":1`, `"seq":${seq}`]
  yield '{'
  for (const line of header) yield `${line},`
  for (const name of Object.keys(vendors))
    yield* valueLines((vendors as Record<string, unknown>)[name], 1, `${JSON.stringify(name)}:`, true)
}

function* valueLines(value: unknown, depth: number, prefix: string, comma: boolean): Generator<string> {
  const end = comma ? ',' : ''
  const expand = Array.isArray(value) ? depth <= 3 : value !== null && typeof value === 'object' && depth <= 2
  if (!expand) {
    yield `${prefix}${JSON.stringify(value) ?? 'null'}${end}`
    return
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return yield `${prefix}[]${end}`
    yield `${prefix}[`
    for (let i = 0; i < value.length; i++) yield `${JSON.stringify(value[i]) ?? 'null'}${i < value.length - 1 ? ',' : ''}`
    yield `]${end}`
    return
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function')
  if (entries.length === 0) return yield `${prefix}{}${end}`
  yield `${prefix}{`
  for (const [i, [key, child]] of entries.entries()) yield* valueLines(child, depth + 1, `${JSON.stringify(key)}:`, i < entries.length - 1)
  yield `}${end}`
}

/**
 * A view of the document that later operations do not change: the vendors' tenant maps, each tenant's
 * state and its record arrays are copied (references only, milliseconds for a million records); the records
 * are shared, which is safe because operations replace records instead of changing them.
 */
export function frozenView(data: Data): Data {
  const view = { ...data }
  for (const vendor of ['portkey', 'helicone', 'pulze'] as const) {
    const tenants: Record<string, unknown> = {}
    for (const [tenant, state] of Object.entries(data[vendor])) {
      const copy: Record<string, unknown> = { ...(state as Record<string, unknown>) }
      for (const [field, value] of Object.entries(copy)) if (Array.isArray(value)) copy[field] = value.slice()
      Object.defineProperty(tenants, tenant, { value: copy, writable: true, enumerable: true, configurable: true })
    }
    ;(view as Record<VendorName, unknown>)[vendor] = tenants
  }
  return view
}

/** The CRC-32 of the file's first `end` bytes. */
async function crc32Of(file: string, end: number): Promise<number> {
  const handle = await open(file, 'r')
  try {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_CHARS * 16, Math.max(end, 1)))
    let crc = 0
    for (let offset = 0; offset < end;) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - offset), offset)
      if (bytesRead === 0) break
      crc = crc32(chunk.subarray(0, bytesRead), crc)
      offset += bytesRead
    }
    return crc
  } finally {
    await handle.close()
  }
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}
