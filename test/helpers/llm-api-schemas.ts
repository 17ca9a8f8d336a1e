import { createAjv } from '../../src/openapi/create-ajv.ts'
import { specId } from '../../src/openapi/load-specs.ts'

/**
 * The ajv errors of `value` against `specs/llm-apis.yaml#/components/schemas/<name>` (the process-wide ajv the
 * emulator validates with); [] when valid. A copy is validated, and unless `defaultsAllowed` (requests,
 * which apps send without the defaulted fields) a value that is only valid once ajv has filled in defaults
 * counts as invalid: what the emulator sends must be complete as it is.
 */
export function llmSchemaErrors(name: string, value: unknown, options: { defaultsAllowed?: boolean } = {}): string[] {
  const validate = createAjv().getSchema(`${specId('llm-apis')}#/components/schemas/${name}`)
  if (validate === undefined) throw new Error(`no schema ${name} in specs/llm-apis.yaml`)
  const copy = structuredClone(value)
  if (!validate(copy)) return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`)
  return options.defaultsAllowed === true || JSON.stringify(copy) === JSON.stringify(value)
    ? []
    : [`valid only with defaults filled in: ${JSON.stringify(copy)}`]
}
