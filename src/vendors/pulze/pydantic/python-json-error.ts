// Where Python's `json.loads` stops on a malformed body, and what it says: FastAPI answers it as
// `json_invalid` at `["body", pos]` (CPython Lib/json/decoder.py and Modules/_json.c messages).
type JsonFault = { pos: number; msg: string }

/**
 * The first error Python's `json.loads` reports for `text` (message and character position), or null
 * when Python would accept it. FastAPI answers it as `json_invalid` at `["body", pos]`.
 */
export function pythonJsonError(text: string): JsonFault | null {
  const fail = (pos: number, msg: string): never => {
    throw { pos: [...text.slice(0, pos)].length, msg } satisfies JsonFault
  }
  const ws = (i: number): number => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
    return i
  }
  const string = (start: number): number => {
    // `start` is the opening quote.
    let i = start + 1
    for (;;) {
      if (i >= text.length) fail(start, 'Unterminated string starting at')
      const c = text[i]!
      if (c === '"') return i + 1
      if (c.charCodeAt(0) < 0x20) fail(i, 'Invalid control character at')
      if (c === '\\') {
        const e = text[i + 1]
        if (e === undefined) fail(start, 'Unterminated string starting at')
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i + 1, 'Invalid \\uXXXX escape')
          i += 6
          continue
        }
        if (!'"\\/bfnrt'.includes(e!)) fail(i, 'Invalid \\escape')
        i += 2
        continue
      }
      i++
    }
  }
  const value = (i: number): number => {
    const c = text[i]
    if (c === '"') return string(i)
    if (c === '{') return object(i + 1)
    if (c === '[') return array(i + 1)
    for (const word of ['null', 'true', 'false', 'NaN', 'Infinity', '-Infinity']) if (text.startsWith(word, i)) return i + word.length
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(text.slice(i))
    if (number !== null) return i + number[0].length
    return fail(i, 'Expecting value')
  }
  const object = (i: number): number => {
    i = ws(i)
    if (text[i] === '}') return i + 1
    for (;;) {
      if (text[i] !== '"') fail(i, 'Expecting property name enclosed in double quotes')
      i = ws(string(i))
      if (text[i] !== ':') fail(i, "Expecting ':' delimiter")
      i = ws(value(ws(i + 1)))
      if (text[i] === '}') return i + 1
      if (text[i] !== ',') fail(i, "Expecting ',' delimiter")
      i = ws(i + 1)
    }
  }
  const array = (i: number): number => {
    i = ws(i)
    if (text[i] === ']') return i + 1
    for (;;) {
      i = ws(value(i))
      if (text[i] === ']') return i + 1
      if (text[i] !== ',') fail(i, "Expecting ',' delimiter")
      i = ws(i + 1)
    }
  }
  try {
    const end = ws(value(ws(0)))
    if (end !== text.length) fail(end, 'Extra data')
    return null
  } catch (fault) {
    if (fault !== null && typeof fault === 'object' && 'msg' in fault) return fault as JsonFault
    return { pos: 0, msg: 'Expecting value' }
  }
}
