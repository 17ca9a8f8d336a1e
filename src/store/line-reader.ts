// Reads a file line by line in large chunks, without holding it whole (a store can be bigger than the
// longest string V8 allows), with each line's byte range so a torn tail can be cut off exactly.
import { open } from 'node:fs/promises'

export type Line = {
  text: string
  /** 1-based. */
  number: number
  /** Byte offsets of the line in the file, without its newline. */
  start: number
  end: number
  /** Ends with a newline (a crash mid-append leaves the last line without one). */
  terminated: boolean
}

const CHUNK_BYTES = 4 * 1024 * 1024

/** Calls `onLine` for every line of the file, in order; resolves with the file's size. */
export async function readLines(path: string, onLine: (line: Line) => void): Promise<number> {
  const handle = await open(path, 'r')
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES)
    let carry: Buffer[] = [] // the start of a line that continues into the next chunk
    let carryStart = 0
    let offset = 0
    let number = 0
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, offset)
      if (bytesRead === 0) break
      let from = 0
      for (;;) {
        const newline = chunk.indexOf(10, from)
        if (newline === -1 || newline >= bytesRead) break
        const lineStart = carry.length > 0 ? carryStart : offset + from
        const text =
          carry.length > 0
            ? Buffer.concat([...carry, chunk.subarray(from, newline)]).toString('utf8')
            : chunk.toString('utf8', from, newline)
        carry = []
        onLine({ text, number: ++number, start: lineStart, end: offset + newline, terminated: true })
        from = newline + 1
      }
      if (from < bytesRead) {
        if (carry.length === 0) carryStart = offset + from
        carry.push(Buffer.from(chunk.subarray(from, bytesRead)))
      }
      offset += bytesRead
    }
    if (carry.length > 0) {
      onLine({ text: Buffer.concat(carry).toString('utf8'), number: ++number, start: carryStart, end: offset, terminated: false })
    }
    return offset
  } finally {
    await handle.close()
  }
}
