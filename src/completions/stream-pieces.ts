/** How many content deltas a streamed text is split into by default. */
export const DEFAULT_STREAM_PIECES = 4

/**
 * `text` in at most `pieces` consecutive parts (split between words, each word keeping its trailing space),
 * whose concatenation is `text`; [] for ''.
 */
export function splitText(text: string, pieces = DEFAULT_STREAM_PIECES): string[] {
  if (text === '') return []
  const words = text.match(/\S+\s*|\s+/g) ?? [text]
  const parts = Math.max(1, Math.min(pieces, words.length))
  const size = Math.ceil(words.length / parts)
  const out: string[] = []
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''))
  return out
}

/** `text` (a tool call's JSON arguments) in at most `pieces` slices of about equal length; [] for ''. */
export function splitEvenly(text: string, pieces = DEFAULT_STREAM_PIECES): string[] {
  if (text === '') return []
  const size = Math.ceil(text.length / Math.max(1, pieces))
  const out: string[] = []
  let start = 0
  while (start < text.length) {
    let end = Math.min(text.length, start + size)
    // never between the two halves of a surrogate pair
    const code = text.charCodeAt(end)
    if (code >= 0xdc00 && code <= 0xdfff) end++
    out.push(text.slice(start, end))
    start = end
  }
  return out
}
