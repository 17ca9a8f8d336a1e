// Reads a JSON document of any layout and size without holding it as one string (V8's longest string is
// ~512 MB; a store written on one line by an earlier version, or by a generator, can be bigger). The
// containers of the first levels are walked byte by byte; each value below them (a record) is found by
// its extent and handed to JSON.parse whole, so the bulk of the work stays in V8's parser.
import { open } from 'node:fs/promises'

const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

/** Not JSON: at which byte, and why. */
export class JsonStreamError extends Error {
  readonly offset: number
  constructor(offset: number, message: string) {
    super(`${message} at byte ${offset}`)
    this.name = 'JsonStreamError'
    this.offset = offset
  }
}

type Frame = {
  container: Record<string, unknown> | unknown[]
  isArray: boolean
  /** What comes next: a value (or the close), a comma (or the close), a key, a colon. */
  expect: 'first' | 'value' | 'comma' | 'key' | 'colon'
  key: string | null
  /** The key this container goes under in its parent. */
  keyInParent: string | null
}

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09

/** The end (exclusive) of the string starting at `start` (a quote), or -1 when it runs past the buffer. */
function endOfString(buf: Buffer, start: number, length: number): number {
  let from = start + 1
  for (;;) {
    const quote = buf.indexOf(QUOTE, from)
    if (quote === -1 || quote >= length) return -1
    let backslashes = 0
    for (let k = quote - 1; k > start && buf[k] === BACKSLASH; k--) backslashes++
    if (backslashes % 2 === 0) return quote + 1
    from = quote + 1
  }
}

/** The end (exclusive) of the value starting at `start`, or -1 when it runs past the buffer. */
function endOfValue(buf: Buffer, start: number, length: number, atEof: boolean): number {
  const first = buf[start]
  if (first === QUOTE) return endOfString(buf, start, length)
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0
    let i = start
    while (i < length) {
      const b = buf[i] as number
      if (b === QUOTE) {
        i = endOfString(buf, i, length)
        if (i === -1) return -1
        continue
      }
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--
        if (depth === 0) return i + 1
      }
      i++
    }
    return -1
  }
  // A number or a literal: up to the next delimiter.
  let i = start
  while (i < length) {
    const b = buf[i] as number
    if (b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || isSpace(b)) return i
    i++
  }
  return atEof ? length : -1
}

/**
 * Parses the JSON file at `path`. Containers down to `expandDepth` (the root is depth 0) are built here;
 * everything deeper is parsed by JSON.parse, one value at a time. (`chunkBytes`: tests cut values apart.)
 */
export async function readJsonFile(path: string, expandDepth: number, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<unknown> {
  const handle = await open(path, 'r')
  try {
    const CHUNK_BYTES = chunkBytes
    // Two buffers, used in turn (a new one per chunk would make V8 run full collections for the external
    // memory): the unread rest of one is copied to the start of the other, then the file fills it up.
    let buf = Buffer.allocUnsafe(CHUNK_BYTES)
    let spare = Buffer.allocUnsafe(CHUNK_BYTES)
    let length = 0
    let pos = 0
    let base = 0 // file offset of buf[0]
    let atEof = false
    const more = async (): Promise<void> => {
      if (atEof) throw new JsonStreamError(base + length, 'unexpected end of the document')
      const restLength = length - pos
      // A value longer than a chunk: room for it and another chunk.
      if (spare.length < restLength + CHUNK_BYTES / 2) spare = Buffer.allocUnsafe(restLength * 2 + CHUNK_BYTES)
      buf.copy(spare, 0, pos, length)
      const { bytesRead } = await handle.read(spare, restLength, spare.length - restLength, base + length)
      base += pos
      ;[buf, spare] = [spare, buf]
      length = restLength + bytesRead
      pos = 0
      if (bytesRead === 0) atEof = true
    }
    const stack: Frame[] = []
    let root: unknown = undefined
    let done = false
    const attach = (value: unknown, key: string | null) => {
      const parent = stack[stack.length - 1]
      if (parent === undefined) {
        root = value
        done = true
        return
      }
      if (parent.isArray) (parent.container as unknown[]).push(value)
      else Object.defineProperty(parent.container, key as string, { value, writable: true, enumerable: true, configurable: true })
      parent.expect = 'comma'
    }
    for (;;) {
      while (pos < length && isSpace(buf[pos] as number)) pos++
      if (pos >= length) {
        if (done && atEof) return root
        if (atEof) throw new JsonStreamError(base + pos, 'unexpected end of the document')
        await more()
        continue
      }
      if (done) throw new JsonStreamError(base + pos, 'unexpected content after the document')
      const b = buf[pos] as number
      const top = stack[stack.length - 1]
      if (top !== undefined && (top.expect === 'first' || top.expect === 'comma') && b === (top.isArray ? CLOSE_ARRAY : CLOSE_OBJECT)) {
        pos++
        stack.pop()
        attach(top.container, top.keyInParent)
        continue
      }
      if (top !== undefined && top.expect === 'comma') {
        if (b !== COMMA) throw new JsonStreamError(base + pos, `expected , or ${top.isArray ? ']' : '}'}`)
        pos++
        top.expect = top.isArray ? 'value' : 'key'
        continue
      }
      if (top !== undefined && !top.isArray && (top.expect === 'first' || top.expect === 'key')) {
        if (b !== QUOTE) throw new JsonStreamError(base + pos, 'expected a property name')
        const end = endOfString(buf, pos, length)
        if (end === -1) {
          await more()
          continue
        }
        top.key = JSON.parse(buf.toString('utf8', pos, end)) as string
        pos = end
        top.expect = 'colon'
        continue
      }
      if (top !== undefined && top.expect === 'colon') {
        if (b !== COLON) throw new JsonStreamError(base + pos, 'expected :')
        pos++
        top.expect = 'value'
        continue
      }
      // A value: a container we walk, or one JSON.parse reads whole.
      const key = top === undefined || top.isArray ? null : top.key
      if ((b === OPEN_OBJECT || b === OPEN_ARRAY) && stack.length <= expandDepth) {
        pos++
        const isArray = b === OPEN_ARRAY
        stack.push({ container: isArray ? [] : Object.create(Object.prototype), isArray, expect: 'first', key: null, keyInParent: key })
        continue
      }
      const end = endOfValue(buf, pos, length, atEof)
      if (end === -1) {
        await more()
        continue
      }
      let value: unknown
      try {
        value = JSON.parse(buf.toString('utf8', pos, end))
      } catch (error) {
        throw new JsonStreamError(base + pos, (error as Error).message)
      }
      pos = end
      attach(value, key)
    }
  } finally {
    await handle.close()
  }
}
