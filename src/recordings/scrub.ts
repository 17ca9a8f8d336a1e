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

/** The words of a name: `aws_secret_access_key`, `x-auth-token`, `openaiApiKey` → aws secret access key … */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
}

const SECRET_WORDS = new Set([
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'apikey',
  'authorization',
  'auth',
  'cookie',
  'credential',
  'credentials',
  'jwt',
  'bearer',
  'passphrase',
])
const SECRET_PAIRS = new Set(['api key', 'access key', 'private key', 'secret key', 'client secret', 'session id', 'set cookie'])

/**
 * Property, query, header and form field names whose value is a secret whatever it looks like: any name with
 * the word token, secret, password, auth, cookie, credential… or the words "api key", "access key",
 * "private key" (`secret_key`, `auth_token`, `aws_secret_access_key`, `x-auth-token`, `hf_token`,
 * `openaiApiKey`). Counts are not secrets: `max_tokens`, `prompt_tokens` (plural) stay.
 */
export function isSecretName(name: string): boolean {
  const words = wordsOf(name)
  for (let i = 0; i < words.length; i++) {
    if (SECRET_WORDS.has(words[i]!)) return true
    if (i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${words[i]}`)) return true
  }
  return false
}

/**
 * Key-like values anywhere in a string, whatever they are called: bearer and basic credentials, `sk-…`/
 * `pk-…`/`rk-…` keys (OpenAI, Anthropic, Helicone, Pulze style), JWTs (Portkey accepts a JWT in place of a
 * key), Google `AIza…`, AWS `AKIA…`/`ASIA…`, GitHub `ghp_…`/`github_pat_…`, Hugging Face `hf_…`, Slack
 * `xox…-`, GitLab `glpat-…`, Stripe `sk_live_…`. Each pattern is linear (no nested repetition).
 */
const SECRET_VALUES: readonly RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bBasic\s+[A-Za-z0-9+/=]{6,}/gi,
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g,
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g,
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{30,}/g,
  /\bhf_[A-Za-z0-9]{30,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
]

/** `a=1&b=2` (a form body or a query string, nothing else). */
const FORM = /^[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*$/

export type Scrubber = {
  /** A copy of a JSON value with every secret replaced by `"[scrubbed]"`. */
  value<T>(input: T): T
  /** A string with every secret inside it replaced (JSON and form text scrubbed by field name too). */
  text(input: string): string
  /** A path and query string, as a log line prints it. */
  url(input: string): string
}

/** Scrubs a request target for a log line (no request-specific secrets known). */
export function scrubUrl(input: string): string {
  return createScrubber().url(input)
}

/**
 * A scrubber that also knows the exact secrets of one request (the values of its auth headers), so a key
 * with no recognisable shape (a Portkey key) is removed wherever it is echoed back.
 */
export function createScrubber(knownSecrets: readonly string[] = []): Scrubber {
  const exact = [...new Set(knownSecrets.map((s) => s.replace(/^Bearer\s+/i, '').trim()).filter((s) => s.length >= 6))]
  // The longest first, so a key that contains another is replaced whole.
  exact.sort((a, b) => b.length - a.length)

  const plain = (input: string): string => {
    let out = input
    for (const secret of exact) out = out.split(secret).join(SCRUBBED)
    for (const pattern of SECRET_VALUES) out = out.replace(pattern, SCRUBBED)
    return out
  }

  /** A form body's fields by name, then by value. */
  const form = (input: string): string =>
    input
      .split('&')
      .map((pair) => {
        const at = pair.indexOf('=')
        const name = pair.slice(0, at)
        let decoded = name
        try {
          decoded = decodeURIComponent(name.replace(/\+/g, ' '))
        } catch {}
        return isSecretName(decoded) && at < pair.length - 1
          ? `${name}=${encodeURIComponent(SCRUBBED)}`
          : `${name}=${plain(pair.slice(at + 1))}`
      })
      .join('&')

  const text = (input: string): string => {
    // A string that is JSON (a body recorded as text, a JSON-encoded field): scrubbed as the value it holds.
    const trimmed = input.trim()
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      try {
        const parsed: unknown = JSON.parse(trimmed)
        const scrubbed = JSON.stringify(walk(parsed))
        // Unchanged text stays as it was written (whitespace and all).
        return scrubbed === JSON.stringify(parsed) ? input : scrubbed
      } catch {}
    }
    if (FORM.test(input)) return form(input)
    return plain(input)
  }

  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return text(node)
    if (Array.isArray(node)) return node.map(walk)
    if (node !== null && typeof node === 'object') {
      // Null prototype: a `__proto__` field is kept (and scrubbed) like any other.
      const out = Object.create(null) as Record<string, unknown>
      for (const [name, child] of Object.entries(node)) {
        out[name] = isSecretName(name) && child !== null && child !== '' ? SCRUBBED : walk(child)
      }
      return out
    }
    return node
  }

  /** A URL path with its query (`/v1/x?api_key=…`): the path by value, the query by name and value. */
  const url = (input: string): string => {
    const q = input.indexOf('?')
    if (q === -1) return plain(input)
    return `${plain(input.slice(0, q))}?${form(input.slice(q + 1))}`
  }

  return {
    value: <T>(input: T): T => walk(input) as T,
    text,
    url,
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
