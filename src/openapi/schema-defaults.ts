import { resolvePointer } from './json-pointer.ts'
import { loadSpec, type SpecName } from './load-specs.ts'

type ObjectSchema = { properties?: Record<string, { default?: unknown }> }

/**
 * A function that completes a record with the `default`s its object schema declares (top-level properties),
 * so records written by handlers get the same defaults as records loaded from fixtures (where ajv fills them).
 * Properties come out in the schema's order, then any others; object and array defaults are copied.
 */
export function createDefaultsFiller<T extends object>(spec: SpecName, schemaPointer: string): (partial: Partial<T>) => T {
  const schema = resolvePointer(loadSpec(spec), schemaPointer) as ObjectSchema | undefined
  if (schema?.properties === undefined) throw new Error(`${spec}.yaml${schemaPointer} is not an object schema with properties`)
  const properties = Object.entries(schema.properties)
  return (partial) => {
    const record: Record<string, unknown> = {}
    for (const [name, property] of properties) {
      const value = (partial as Record<string, unknown>)[name]
      if (value !== undefined) record[name] = value
      else if (property.default !== undefined) record[name] = structuredClone(property.default)
    }
    for (const [name, value] of Object.entries(partial)) if (!(name in record) && value !== undefined) record[name] = value
    return record as T
  }
}
