import type { ErrorObject, ValidateFunction } from 'ajv'
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

/**
 * The most errors one ajv validation collects. ajv with `allErrors` has no limit, and appends the errors of
 * every `$ref`'d schema with `concat` (quadratic: 80,000 invalid array items took 14 s); without `allErrors`
 * it stops at the first. The emulator keeps `allErrors` (vendors name every faulty field) and stops
 * validating once one schema function holds more than this many: linear work, bounded answers.
 */
export const MAX_AJV_ERRORS = 100

/** Thrown through the generated validators when one collects more than MAX_AJV_ERRORS; each frame adds its errors. */
class TooManyErrors {
  readonly frames: (ErrorObject[] | null)[] = []
}

// Helpers prepended to every generated validator (they run in the scope of ajv's `new Function`).
const PRELUDE = `const __appendErrors = (a, b) => { for (let i = 0; i < b.length; i++) a.push(b[i]); return a };
const __tooMany = () => self.__newTooManyErrors();
`

/**
 * Rewrites ajv's generated code (ajv's `code.process` hook): `$ref` errors are appended in place instead of
 * concatenated, and a function holding more than MAX_AJV_ERRORS errors throws TooManyErrors, which every
 * function on the way out catches to add the errors it holds. Checked on every function: if ajv's output
 * ever changes shape, compiling fails loudly instead of silently going quadratic again.
 */
function capErrors(code: string): string {
  const cap = `if(errors > ${MAX_AJV_ERRORS}){throw __tooMany();}`
  let out = code.replace(
    /vErrors = vErrors === null \? ([\w$.]+) : vErrors\.concat\(\1\);errors = vErrors\.length;/g,
    (_m, source: string) => `vErrors = vErrors === null ? ${source} : __appendErrors(vErrors, ${source});errors = vErrors.length;${cap}`,
  )
  out = out.replace(/\}else \{vErrors\.push\((err\d+)\);\}errors\+\+;/g, (m) => `${m}${cap}`)
  if (out.includes('vErrors.concat(')) throw new Error('ajv generated an error concatenation the emulator does not recognise')
  const start =
    /let vErrors = null;let errors = 0;(?:const (evaluated\d+) = validate\d+\.evaluated;if\(\1\.dynamicProps\)\{\1\.props = undefined;\}if\(\1\.dynamicItems\)\{\1\.items = undefined;\})?/
  const end = /validate\d+\.errors = vErrors;(?:evaluated\d+\.(?:props|items) = [\w$]+;)*return errors === 0;\}$/
  if (start.test(out) !== end.test(out)) throw new Error('ajv generated a validator body the emulator does not recognise')
  if (start.test(out)) {
    out = out
      .replace(start, (m) => `${m}try{`)
      .replace(end, (m) => `}catch(e){if(e instanceof self.__TooManyErrors){e.frames.push(vErrors);}throw e;}${m}`)
  }
  return PRELUDE + out
}

/**
 * `compile` and `getSchema`, returning functions that answer as ajv's do, with at most (about) MAX_AJV_ERRORS
 * errors: the first ones in the order ajv found them. (ajv's own functions would let TooManyErrors escape.)
 */
function capCompile(ajv: Ajv2020): void {
  const compile = ajv.compile.bind(ajv)
  const getSchema = ajv.getSchema.bind(ajv)
  const anyAjv = ajv as unknown as Record<string, unknown>
  anyAjv['__TooManyErrors'] = TooManyErrors
  anyAjv['__newTooManyErrors'] = () => new TooManyErrors()
  const wrapped = new WeakMap<ValidateFunction, ValidateFunction>()
  const capped = (validate: ValidateFunction): ValidateFunction => {
    let wrapper = wrapped.get(validate)
    if (wrapper !== undefined) return wrapper
    const answer = ((data: unknown, ctx?: unknown) => {
      try {
        const valid = (validate as (d: unknown, c?: unknown) => boolean)(data, ctx)
        answer.errors = validate.errors ?? null
        return valid
      } catch (error) {
        if (!(error instanceof TooManyErrors)) throw error
        // Frames arrive innermost first; the outer ones hold the errors found before the inner ones.
        const errors: ErrorObject[] = []
        for (const frame of error.frames.toReversed())
          if (frame !== null) errors.push(...frame.slice(0, MAX_AJV_ERRORS + 1 - errors.length))
        answer.errors = errors.slice(0, MAX_AJV_ERRORS + 1)
        return false
      }
    }) as ValidateFunction
    answer.schema = validate.schema
    answer.schemaEnv = validate.schemaEnv
    wrapper = answer
    wrapped.set(validate, wrapper)
    return wrapper
  }
  ajv.compile = ((schema: object) => capped(compile(schema))) as typeof ajv.compile
  ajv.getSchema = ((ref: string) => {
    const validate = getSchema(ref)
    return validate === undefined ? undefined : capped(validate)
  }) as typeof ajv.getSchema
}

function newAjv(options: AjvOptions): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    useDefaults: options.useDefaults ?? true,
    coerceTypes: options.coerceTypes ?? false,
    discriminator: true,
    validateFormats: options.formats ?? true,
    // Every schema compiled is the specs' own (a `$ref` into them, or parameters gathered from them): checking
    // each against the meta-schema compiled the 2020-12 meta-schema in every instance, ~150 ms of start-up
    // apiece. The specs' schemas are checked against it once, by the test suite (create-ajv.unit.test.ts).
    validateSchema: false,
    code: { process: capErrors },
  })
  capCompile(ajv)
  addFormats(ajv)
  // OpenAPI numeric formats that ajv-formats doesn't know (and OpenAI's `unixtime`), and OpenAPI keywords that aren't JSON Schema.
  for (const format of ['float', 'double', 'int32', 'int64', 'unixtime']) if (!ajv.formats[format]) ajv.addFormat(format, true)
  for (const keyword of ['example', 'xml', 'externalDocs']) if (!ajv.getKeyword(keyword)) ajv.addKeyword(keyword)
  // The documents are not schemas themselves: registered without a meta-schema check.
  for (const name of SPEC_NAMES) ajv.addSchema(loadSpec(name) as object, specId(name))
  return ajv
}
