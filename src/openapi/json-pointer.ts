/** RFC 6901 helpers for the `$ref`s and schema locations we compile. */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1')
}

export function unescapePointerToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~')
}

export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapePointerToken(String(t))}`).join('')
}

/** Splits an ajv `instancePath` (`/a/0/b`) into its tokens, numbers for array indexes. */
export function instancePathTokens(instancePath: string): (string | number)[] {
  if (instancePath === '') return []
  return instancePath
    .slice(1)
    .split('/')
    .map(unescapePointerToken)
    .map((t) => (/^(0|[1-9]\d*)$/.test(t) ? Number(t) : t))
}

export function resolvePointer(doc: unknown, pointer: string): unknown {
  const path = pointer.replace(/^#/, '')
  if (path === '') return doc
  let node: unknown = doc
  for (const token of path.slice(1).split('/').map(unescapePointerToken)) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[token]
  }
  return node
}
