import { resolvePointer } from './json-pointer.ts'
import { loadSpec, type SpecName } from './load-specs.ts'
import { deref } from './refs.ts'

type Schema = {
  type?: string | string[]
  properties?: Record<string, Schema>
  items?: Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  default?: unknown
}

type Fill = (value: unknown) => unknown

export type DefaultsOptions = {
  /**
   * At the top level, a left-out property whose schema allows `null` and has no `default` becomes `null`
   * (pydantic's `Optional[X]` fields, which a vendor always sends).
   */
  nullForOptional?: boolean
}

/**
 * A function that completes a record with the `default`s its schema declares, at every depth the record
 * has (objects of `properties`, array `items`, through `$ref`, `allOf` and the `anyOf`/`oneOf` member of the
 * value's type), so records written by handlers get the same defaults as records loaded from fixtures.
 * Properties come out in the schema's order, then any others; defaults are copied. Never mutates its input.
 */
export function createDefaultsFiller<T extends object>(
  spec: SpecName,
  schemaPointer: string,
  options: DefaultsOptions = {},
): (partial: Partial<T>) => T {
  // Compiled on first use: importing a module that declares a filler reads no spec.
  let fill: ((partial: Partial<T>) => T) | undefined
  return (partial) => (fill ??= compileFiller<T>(spec, schemaPointer, options))(partial)
}

function compileFiller<T extends object>(spec: SpecName, schemaPointer: string, options: DefaultsOptions): (partial: Partial<T>) => T {
  const doc = loadSpec(spec)
  const root = resolvePointer(doc, schemaPointer) as Schema | undefined
  if (root?.properties === undefined) throw new Error(`${spec}.yaml${schemaPointer} is not an object schema with properties`)
  const compiled = new Map<Schema, Fill>()

  const compile = (raw: Schema, top: boolean): Fill => {
    const schema = deref<Schema>(doc, raw)
    const known = top ? undefined : compiled.get(schema)
    if (known !== undefined) return known
    let fill: Fill = (value) => value
    // Registered before its members compile: recursive schemas (a log's `parent` is a log) resolve to it.
    const self: Fill = (value) => fill(value)
    if (!top) compiled.set(schema, self)
    const members = [...(schema.allOf ?? [])].map((m) => deref<Schema>(doc, m))
    const alternatives = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].map((m) => deref<Schema>(doc, m))
    const properties = Object.entries({ ...Object.assign({}, ...members.map((m) => m.properties ?? {})), ...schema.properties }) as [
      string,
      Schema,
    ][]
    if (properties.length > 0) {
      const fields = properties.map(([name, property]) => ({
        name,
        fill: compile(property, false),
        default: deref<Schema>(doc, property).default,
        nullable: top && options.nullForOptional === true && allowsNull(deref<Schema>(doc, property), doc),
      }))
      fill = (value) => {
        if (!isPlainObject(value)) return value
        const out: Record<string, unknown> = {}
        for (const field of fields) {
          const own = Object.hasOwn(value, field.name) ? value[field.name] : undefined
          if (own !== undefined) out[field.name] = field.fill(own)
          else if (field.default !== undefined) out[field.name] = structuredClone(field.default)
          else if (field.nullable) out[field.name] = null
        }
        // defineProperty: a user key such as `__proto__` stays an ordinary own property.
        for (const [name, own] of Object.entries(value)) {
          if (!Object.hasOwn(out, name) && own !== undefined)
            Object.defineProperty(out, name, { value: own, enumerable: true, writable: true, configurable: true })
        }
        return out
      }
    } else if (schema.items !== undefined) {
      const item = compile(schema.items, false)
      fill = (value) => (Array.isArray(value) ? value.map(item) : value)
    } else if (alternatives.length > 0) {
      const objectBranch = alternatives.find((a) => a.properties !== undefined || a.type === 'object')
      const arrayBranch = alternatives.find((a) => a.items !== undefined || a.type === 'array')
      const forObject = objectBranch === undefined ? null : compile(objectBranch, false)
      const forArray = arrayBranch === undefined ? null : compile(arrayBranch, false)
      fill = (value) => (Array.isArray(value) ? (forArray?.(value) ?? value) : isPlainObject(value) ? (forObject?.(value) ?? value) : value)
    }
    return self
  }

  const fillRoot = compile(root, true)
  return (partial) => fillRoot(partial) as T
}

function allowsNull(schema: Schema, doc: unknown): boolean {
  if (schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'))) return true
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some((m) => allowsNull(deref<Schema>(doc, m), doc))
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
