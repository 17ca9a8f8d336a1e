// The deterministic fake answers: a short sentence naming the model, quoting the start of the user's last
// message, and carrying a reference derived from both, so tests can predict it and tell answers apart.
import { sha256Hex } from './deterministic.ts'

const EXCERPT_CHARS = 80

const TEMPLATES: readonly ((model: string, quote: string, ref: string) => string)[] = [
  (model, quote, ref) => `This is an emulated answer from ${model} to "${quote}" (ref ${ref}).`,
  (model, quote, ref) => `Emulated ${model} reply ${ref}: you wrote "${quote}".`,
  (model, quote, ref) => `${model} (emulated) read "${quote}" and answers with reference ${ref}.`,
]

/**
 * The reply to a prompt: one of three sentence templates, picked by SHA-256(model, prompt), quoting the
 * prompt's first 80 characters (whitespace collapsed, cut at a word) with the hash's first 8 hex digits as
 * `ref`. Choice `index` > 0 (for `n` > 1) hashes the index in too; index 0 is the `n: 1` answer.
 */
export function replyText(model: string, prompt: string, index = 0): string {
  const hash = sha256Hex('reply', model, prompt, index === 0 ? '' : String(index))
  const ref = hash.slice(0, 8)
  const quote = excerpt(prompt)
  if (quote === '') return `This is an emulated answer from ${model} (ref ${ref}).`
  const template = TEMPLATES[parseInt(hash.slice(8, 12), 16) % TEMPLATES.length]!
  return template(model, quote, ref)
}

/** The reply after a tool result: it closes the agent loop with a final text answer quoting the result. */
export function toolResultReplyText(model: string, toolResult: string, index = 0): string {
  const hash = sha256Hex('tool-result', model, toolResult, index === 0 ? '' : String(index))
  const quote = excerpt(toolResult)
  const ref = hash.slice(0, 8)
  return quote === ''
    ? `Emulated ${model} answer from the tool result (ref ${ref}).`
    : `Emulated ${model} answer from the tool result "${quote}" (ref ${ref}).`
}

/** At most EXCERPT_CHARS characters of `text`, whitespace collapsed, cut at a word boundary with `…`. */
export function excerpt(text: string): string {
  // Only the start is ever quoted: look at a bounded prefix, whatever the message's size.
  const collapsed = text
    .slice(0, EXCERPT_CHARS * 4)
    .replace(/\s+/g, ' ')
    .trim()
  const chars = Array.from(collapsed)
  if (chars.length <= EXCERPT_CHARS) return collapsed
  const cut = chars.slice(0, EXCERPT_CHARS).join('')
  const space = cut.lastIndexOf(' ')
  return `${(space > EXCERPT_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}
