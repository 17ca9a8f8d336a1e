import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'

/** The folder that holds the OpenAPI documents; the same relative place from `src/` and from `dist/`. */
export const SPECS_DIR = fileURLToPath(new URL('../../specs/', import.meta.url))

/** The vendor documents, the emulator's own, and the LLM API bodies they share (`llm-apis`). */
export type SpecName = 'portkey' | 'helicone' | 'pulze' | 'emulator' | 'llm-apis'

export type OpenApiDocument = {
  openapi: string
  info: { title: string; version: string; description?: string }
  paths: Record<string, Record<string, unknown>>
  components?: Record<string, Record<string, unknown>>
  [key: string]: unknown
}

/** The `$id` each document is registered under in ajv, so `$ref`s between documents resolve. */
export function specId(name: SpecName): string {
  return `https://llm-feedback-emulator.local/specs/${name}.yaml`
}

const cache = new Map<SpecName, OpenApiDocument>()

/** Parses `specs/<name>.yaml` once per process. */
export function loadSpec(name: SpecName): OpenApiDocument {
  let doc = cache.get(name)
  if (doc === undefined) {
    // js-yaml: a tenth of the parse time of the `yaml` package, which was a quarter of the startup.
    doc = yaml.load(readFileSync(`${SPECS_DIR}${name}.yaml`, 'utf8')) as OpenApiDocument
    cache.set(name, doc)
  }
  return doc
}
