/** What replaces a secret in anything a recording writes. */
export const SCRUBBED = '[scrubbed]'

/** Request headers that carry credentials: never recorded, never matched on. */
export const AUTH_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-portkey-api-key',
  'helicone-auth',
  'x-api-key',
  'api-key',
  'cookie',
  'set-cookie',
]

/** Property and query names whose value is a secret whatever it looks like. */
const SECRET_NAME =
  /^(authorization|proxy[-_]?authorization|x[-_]portkey[-_]api[-_]key|helicone[-_]auth|x[-_]api[-_]key|api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|id[-_]?token|token|secret|client[-_]?secret|password|passwd|cookie|set[-_]cookie|private[-_]?key|.*[-_]api[-_]?key)$/i

/**
 * Key-like values anywhere in a string: bearer tokens, `sk-…`/`pk-…`/`rk-…` keys (OpenAI, Helicone,
 * Pulze, Anthropic style), and JWTs (Portkey accepts a JWT in place of a key).
 */
const SECRET_VALUES: readonly RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g,
]

export type Scrubber = {
  /** A copy of a JSON value with every secret replaced by `"[scrubbed]"`. */
  value<T>(input: T): T
  /** A string with every secret inside it replaced. */
  text(input: string): string
}

/**
 * A scrubber that also knows the exact secrets of one request (the values of its auth headers), so a key
 * with no recognisable shape (a Portkey key) is removed wherever it is echoed back.
 */
export function createScrubber(knownSecrets: readonly string[] = []): Scrubber {
  const exact = [...new Set(knownSecrets.map((s) => s.replace(/^Bearer\s+/i, '').trim()).filter((s) => s.length >= 6))]
  // The longest first, so a key that contains another is replaced whole.
  exact.sort((a, b) => b.length - a.length)

  const text = (input: string): string => {
    let out = input
    for (const secret of exact) out = out.split(secret).join(SCRUBBED)
    for (const pattern of SECRET_VALUES) out = out.replace(pattern, SCRUBBED)
    return out
  }

  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return text(node)
    if (Array.isArray(node)) return node.map(walk)
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {}
      for (const [name, child] of Object.entries(node)) {
        out[name] = SECRET_NAME.test(name) && child !== null && child !== '' ? SCRUBBED : walk(child)
      }
      return out
    }
    return node
  }

  return {
    value: <T>(input: T): T => walk(input) as T,
    text,
  }
}

/** The values of the auth headers of a request (lower-case header names, as Node gives them). */
export function secretsOf(headers: Record<string, string | string[] | undefined>): string[] {
  const secrets: string[] = []
  for (const name of AUTH_HEADERS) {
    const value = headers[name]
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) secrets.push(v)
  }
  return secrets
}
