// Everything the engine makes up is derived from a SHA-256 of its inputs, so the same request gives the
// same answer on every run and machine (no Math.random, no clock, no locale).
import { createHash } from 'node:crypto'

export function sha256Hex(...parts: readonly string[]): string {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part).update('\u0000')
  return hash.digest('hex')
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `length` characters of [A-Za-z0-9] derived from `seed` (the body of ids such as `chatcmpl-…`, `call_…`). */
export function alphanumeric(seed: string, length: number): string {
  let out = ''
  for (let block = 0; out.length < length; block++) {
    const bytes = createHash('sha256').update(seed).update(String(block)).digest()
    for (const byte of bytes) {
      if (out.length === length) break
      out += ALPHANUMERIC[byte % ALPHANUMERIC.length]
    }
  }
  return out
}

/** A seeded PRNG (xoshiro128**) over the first 16 bytes of SHA-256(seed): floats in [0, 1). */
export function seededRandom(seed: string): () => number {
  const bytes = createHash('sha256').update(seed).digest()
  let a = bytes.readUInt32LE(0)
  let b = bytes.readUInt32LE(4)
  let c = bytes.readUInt32LE(8)
  let d = bytes.readUInt32LE(12)
  if ((a | b | c | d) === 0) a = 1
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0
    const t = (b << 9) >>> 0
    c = (c ^ a) >>> 0
    d = (d ^ b) >>> 0
    b = (b ^ c) >>> 0
    a = (a ^ d) >>> 0
    c = (c ^ t) >>> 0
    d = rotl(d, 11)
    return result / 4294967296
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}
