/**
 * How deep a parsed JSON body may nest. Deeper bodies are refused as malformed before anything walks them
 * recursively (structuredClone, ajv, JSON.stringify would overflow the stack). 1000 is where Python's json
 * module (Pulze) gives up too.
 */
export const MAX_JSON_DEPTH = 1000

/**
 * True when JSON text nests arrays/objects more than `max` levels deep: one pass over the characters (no
 * object walk, no allocation), run before the text is parsed. Brackets inside strings do not count.
 */
export function jsonTextDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/** True when `value` nests arrays/objects more than `max` levels deep. Iterative: safe on any input. */
export function jsonDepthExceeds(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (depth > max) return true
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
    }
  }
  return false
}
