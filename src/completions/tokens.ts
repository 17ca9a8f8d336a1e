// Token counting. OpenAI-family models are counted with their real BPE encoding (gpt-tokenizer, pure JS, the
// same ranks as OpenAI's tiktoken); every other model gets a documented approximation.

/** How a model's tokens are counted. */
export type TokenEncoding = 'o200k_base' | 'cl100k_base' | 'approximate'

export type TokenCounter = {
  readonly encoding: TokenEncoding
  /** True when the count is the model's real tokenizer's. */
  readonly exact: boolean
  count(text: string): number
  /** The longest prefix of `text` that is at most `maxTokens` tokens. */
  truncate(text: string, maxTokens: number): string
}

/**
 * The encoding of a model, after any provider prefix (`openai/`, Portkey's `@slug/`). From OpenAI's tiktoken
 * `model.py` (`MODEL_PREFIX_TO_ENCODING`): o200k_base for gpt-4o, gpt-4.1, gpt-4.5, gpt-5, chatgpt-4o and the
 * o-series; cl100k_base for gpt-4, gpt-3.5 (chat and instruct), the embedding models and the `-002` base
 * models. Anything else (Claude, Gemini, Llama, Mistral…) is `approximate`.
 */
export function encodingForModel(model: string): TokenEncoding {
  const name = baseModelName(model).toLowerCase()
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|gpt-oss|o1|o3|o4|codex-mini|ft:gpt-4o|ft:gpt-4\.1)/.test(name)) return 'o200k_base'
  if (/^(gpt-4|gpt-3\.5|gpt-35|text-embedding-|davinci-002|babbage-002|ft:gpt-4|ft:gpt-3\.5|ft:davinci-002|ft:babbage-002)/.test(name)) {
    return 'cl100k_base'
  }
  return 'approximate'
}

/** The model name without a provider prefix: `openai/gpt-4o` → `gpt-4o`, `@openai-prod/gpt-4o` → `gpt-4o`. */
export function baseModelName(model: string): string {
  return model.slice(model.lastIndexOf('/') + 1)
}

/** The counter for a model; the encoding's ranks (2–3 MB of JS) are imported on first use only. */
export async function tokenCounterFor(model: string): Promise<TokenCounter> {
  return loadCounter(encodingForModel(model))
}

type Encoder = { encode(text: string, options: { disallowedSpecial: Set<string> }): number[]; decode(tokens: number[]): string }

const loaded = new Map<TokenEncoding, Promise<TokenCounter>>()

export function loadCounter(encoding: TokenEncoding): Promise<TokenCounter> {
  let counter = loaded.get(encoding)
  if (counter === undefined) {
    counter =
      encoding === 'o200k_base'
        ? import('gpt-tokenizer/encoding/o200k_base').then((m) => bpeCounter('o200k_base', m.default as unknown as Encoder))
        : encoding === 'cl100k_base'
          ? import('gpt-tokenizer/encoding/cl100k_base').then((m) => bpeCounter('cl100k_base', m.default as unknown as Encoder))
          : Promise.resolve(APPROXIMATE)
    loaded.set(encoding, counter)
  }
  return counter
}

// Special-token strings in user text (`<|endoftext|>`) are plain text to the API, not control tokens.
const AS_TEXT = { disallowedSpecial: new Set<string>() }

/**
 * BPE merges are quadratic in the length of one pre-tokenized piece, and a piece can be a whole run of
 * letters: 16,000 letters without a space took half a second. Runs of non-space characters longer than this
 * are cut into chunks counted apart, which keeps counting linear (1 MB of `a` in ~0.2 s); text without such
 * runs (URLs included) is counted exactly, a longer run may count a token or so more.
 */
const MAX_RUN = 256

function bpeCounter(encoding: 'o200k_base' | 'cl100k_base', encoder: Encoder): TokenCounter {
  const encode = (text: string): number[] => {
    const tokens: number[] = []
    for (const segment of boundedSegments(text)) for (const t of encoder.encode(segment, AS_TEXT)) tokens.push(t)
    return tokens
  }
  return {
    encoding,
    exact: true,
    count(text) {
      if (text === '') return 0
      let n = 0
      for (const segment of boundedSegments(text)) n += encoder.encode(segment, AS_TEXT).length
      return n
    },
    truncate(text, maxTokens) {
      const tokens = encode(text)
      return tokens.length <= maxTokens ? text : encoder.decode(tokens.slice(0, Math.max(0, maxTokens)))
    },
  }
}

/** `text` split so that no run of non-space characters in one segment is longer than MAX_RUN. */
function* boundedSegments(text: string): Generator<string> {
  let start = 0
  let run = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 32 || code === 10 || code === 9 || code === 13) {
      run = 0
      continue
    }
    run++
    if (run > MAX_RUN) {
      yield text.slice(start, i)
      start = i
      run = 1
    }
  }
  if (start < text.length) yield text.slice(start)
}

/**
 * Models without a public JS tokenizer (Claude, Gemini, Llama…): one token per 4 characters (code points),
 * rounded up, OpenAI's and Google's published rule of thumb for English text. Deterministic and cheap;
 * the usage it reports is flagged `exact: false`.
 */
export const APPROXIMATE: TokenCounter = {
  encoding: 'approximate',
  exact: false,
  count(text) {
    return Math.ceil(codePoints(text) / 4)
  },
  truncate(text, maxTokens) {
    return Array.from(text)
      .slice(0, Math.max(0, maxTokens) * 4)
      .join('')
  },
}

function codePoints(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0xdc00 || code > 0xdfff) n++ // count each surrogate pair once
  }
  return n
}

/** A chat message reduced to what OpenAI's counting formula reads. */
export type CountedMessage = {
  role: string
  /** The text of the content (text parts joined); `images` counts image parts. */
  text: string
  images?: number
  name?: string
  /** Other string fields the formula counts (tool_call_id, tool call names and arguments). */
  extra?: readonly string[]
}

/**
 * Prompt tokens of a chat request by OpenAI's formula (openai-cookbook "How to count tokens with tiktoken",
 * §6 `num_tokens_from_messages`): 3 per message, plus the tokens of every value, plus 1 for a `name`, plus 3
 * priming the reply. An image part counts 85, the base cost of a `detail: low` image (its full cost depends
 * on its size, which the emulator does not decode).
 */
export function countChatPrompt(counter: TokenCounter, messages: readonly CountedMessage[]): number {
  let n = 3
  for (const m of messages) {
    n += 3 + counter.count(m.role) + counter.count(m.text) + 85 * (m.images ?? 0)
    if (m.name !== undefined) n += counter.count(m.name) + 1
    for (const value of m.extra ?? []) n += counter.count(value)
  }
  return n
}

/** A function tool as the counting formula reads it. */
export type CountedFunction = { name: string; description?: string; parameters?: unknown }

/**
 * Extra prompt tokens of function definitions (openai-cookbook §7 `num_tokens_for_tools`): per function
 * 7 (o200k models; 10 for cl100k ones) + "name:description", per property 3 + "name:type:description"
 * (+3 per enum item and its text, −3 once per enum), 3 once when there are properties, and 12 at the end.
 */
export function countFunctions(counter: TokenCounter, functions: readonly CountedFunction[]): number {
  if (functions.length === 0) return 0
  const funcInit = counter.encoding === 'cl100k_base' ? 10 : 7
  let n = 0
  for (const f of functions) {
    n += funcInit + counter.count(`${f.name}:${trimDot(f.description ?? '')}`)
    const properties = objectAt(f.parameters, 'properties')
    const keys = properties === undefined ? [] : Object.keys(properties)
    if (keys.length > 0) {
      n += 3
      for (const key of keys) {
        const property = objectAt(properties, key) ?? {}
        n += 3
        const values = property['enum']
        if (Array.isArray(values)) {
          n -= 3
          for (const item of values) n += 3 + counter.count(String(item))
        }
        const type = typeof property['type'] === 'string' ? property['type'] : JSON.stringify(property['type'] ?? '')
        const description = typeof property['description'] === 'string' ? property['description'] : ''
        n += counter.count(`${key}:${type}:${trimDot(description)}`)
      }
    }
  }
  return n + 12
}

function trimDot(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const inner = (value as Record<string, unknown>)[key]
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined
}
