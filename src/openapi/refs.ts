import { resolvePointer } from './json-pointer.ts'

/** How many `$ref` hops a chain may take before it is taken for a cycle. */
const MAX_REF_HOPS = 32

/** The local JSON pointer of a `{ $ref: '#/…' }` node (without the `#`), or null for anything else. */
export function refPointer(node: unknown): string | null {
  if (node === null || typeof node !== 'object') return null
  const ref = (node as { $ref?: unknown }).$ref
  return typeof ref === 'string' && ref.startsWith('#') ? ref.slice(1) : null
}

/**
 * The one `$ref` resolver of the emulator: follows local `$ref`s (`#/components/…`) through `doc` until it
 * reaches a node that is not a reference. The operation table, tsoa's and pydantic's validators all read
 * the specs through it. Throws on a reference that does not resolve, a remote one, or a cycle.
 */
export function deref<T = unknown>(doc: unknown, node: unknown): T {
  let current = node
  for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
    if (current === null || typeof current !== 'object' || typeof (current as { $ref?: unknown }).$ref !== 'string') return current as T
    const ref = (current as { $ref: string }).$ref
    const pointer = refPointer(current)
    if (pointer === null) throw new Error(`$ref ${ref}: only local references (#/…) are resolved here`)
    const target = resolvePointer(doc, pointer)
    if (target === undefined) throw new Error(`$ref ${ref} does not resolve`)
    current = target
  }
  throw new Error(`$ref chain longer than ${MAX_REF_HOPS} hops (a cycle?)`)
}
