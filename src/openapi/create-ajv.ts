import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { loadSpec, specId, type SpecName } from './load-specs.ts'

const SPEC_NAMES: readonly SpecName[] = ['portkey', 'helicone', 'pulze', 'emulator', 'llm-apis']

// ajv-formats ships as CommonJS with a default export property.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

export type AjvOptions = {
  /** Coerce scalars the way query strings (and some vendors' bodies) need: "5" → 5, "true" → true. */
  coerceTypes?: boolean | 'array'
  /**
   * Fill the schemas' `default`s into the data (requests and fixtures: what the vendor's framework hands its
   * code). Default true. Response checks turn it off: checking must never change what is answered or stored.
   */
  useDefaults?: boolean
  /** Check `format`s (default true). Off for re-checking the store's own records at load: shape, not content. */
  formats?: boolean
}

const shared = new Map<string, Ajv2020>()

/**
 * One ajv instance per validation mode, with every spec registered under its `$id`, so any compiled
 * schema can `$ref` into any document (`<id>#/components/schemas/X`). Shared by the whole process: the
 * specs are registered (and their referenced schemas compiled) once, however many emulators start.
 */
export function createAjv(options: AjvOptions = {}): Ajv2020 {
  const key = `${String(options.coerceTypes ?? false)}/${String(options.useDefaults ?? true)}/${String(options.formats ?? true)}`
  let ajv = shared.get(key)
  if (ajv === undefined) {
    ajv = newAjv(options)
    shared.set(key, ajv)
  }
  return ajv
}

function newAjv(options: AjvOptions): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    useDefaults: options.useDefaults ?? true,
    coerceTypes: options.coerceTypes ?? false,
    discriminator: true,
    validateFormats: options.formats ?? true,
  })
  addFormats(ajv)
  // OpenAPI numeric formats that ajv-formats doesn't know (and OpenAI's `unixtime`), and OpenAPI keywords that aren't JSON Schema.
  for (const format of ['float', 'double', 'int32', 'int64', 'unixtime']) if (!ajv.formats[format]) ajv.addFormat(format, true)
  for (const keyword of ['example', 'xml', 'externalDocs']) if (!ajv.getKeyword(keyword)) ajv.addKeyword(keyword)
  // The documents are not schemas themselves: skip the meta-schema check (it only costs startup time).
  for (const name of SPEC_NAMES) ajv.addSchema(loadSpec(name) as object, specId(name), undefined, false)
  return ajv
}
