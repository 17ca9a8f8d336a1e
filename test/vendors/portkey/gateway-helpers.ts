// Shared by the gateway tests: reading server-sent events, checking bodies against Portkey's own gateway
// schemas, and reading a tenant's stored generations.
import type request from 'supertest'
import type { Emulator } from '../../../src/emulator.ts'
import { createAjv } from '../../../src/openapi/create-ajv.ts'
import { specId } from '../../../src/openapi/load-specs.ts'
import type { Generation } from '../../../src/vendors/portkey/types.ts'

export type ServerSentEvent = { event?: string; data: unknown }

/** Server-sent events from a stream's text: `data` parsed as JSON, except `[DONE]`. */
export function parseSse(text: string): ServerSentEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event: string | undefined
      let data = ''
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice('event: '.length)
        if (line.startsWith('data: ')) data += line.slice('data: '.length)
      }
      const parsed: unknown = data === '[DONE]' ? data : JSON.parse(data)
      return event === undefined ? { data: parsed } : { event, data: parsed }
    })
}

/** supertest: keep a `text/event-stream` answer as text in `res.body`. */
export function asText(res: request.Response, callback: (error: Error | null, body: string) => void): void {
  let text = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => (text += chunk))
  res.on('end', () => callback(null, text))
}

/** The ajv errors of `value` against `specs/portkey.yaml#/components/schemas/<name>`; [] when valid. */
export function portkeySchemaErrors(name: string, value: unknown): string[] {
  const validate = createAjv({ useDefaults: false }).getSchema(`${specId('portkey')}#/components/schemas/${name}`)
  if (validate === undefined) throw new Error(`no schema ${name} in specs/portkey.yaml`)
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`)
}

/** The generations a tenant has stored (committed). */
export function generationsOf(emulator: Emulator, tenant: string): Generation[] {
  return (emulator.store.data.portkey[tenant] as { generations: Generation[] } | undefined)?.generations ?? []
}

/** The stored generation of a trace (the one, or throws). */
export function generationOf(emulator: Emulator, tenant: string, traceId: string): Generation {
  const found = generationsOf(emulator, tenant).filter((g) => g.trace_id === traceId)
  if (found.length !== 1) throw new Error(`${found.length} generations with trace ${traceId}`)
  return found[0]!
}
