import type { ValidateFunction } from 'ajv'
import { createAjv } from './create-ajv.ts'
import { escapePointerToken } from './json-pointer.ts'
import { loadSpec, specId, type OpenApiDocument, type SpecName } from './load-specs.ts'
import { deref, refPointer } from './refs.ts'
import { MAX_VIOLATIONS, toViolations, type RequestPart, type Violation } from './violations.ts'

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const
export type HttpMethod = (typeof METHODS)[number]

type ParameterObject = { name: string; in: string; required?: boolean; schema?: unknown }

export type RequestInput = {
  path: Record<string, unknown>
  query: Record<string, unknown>
  headers: Record<string, unknown>
  body: unknown
}

/** One OpenAPI operation, with its validators compiled once at startup. */
export type Operation = {
  spec: SpecName
  operationId: string
  method: HttpMethod
  /** The path template as written in the spec, e.g. `/v1/feedback/{id}`. */
  path: string
  summary: string
  bodyRequired: boolean
  /**
   * `x-emulator-validated-by`: the vendor framework (`tsoa`, `pydantic`) whose own rules validate this
   * operation's path, query and body (the vendor module implements them); ajv then checks only headers.
   * null: ajv validates every part.
   */
  validatedBy: string | null
  /** The response statuses the operation declares, as written (`200`, `4XX`, `default`). */
  statuses: readonly string[]
  /**
   * The declared status an answer falls under (exact code, then `NXX`, then `default`), or null when none:
   * what the response check and coverage go by.
   */
  declaredStatus(status: number): string | null
  /** Validates (and coerces, and fills defaults in) the request parts in place; [] when valid, else at most MAX_VIOLATIONS. */
  validateRequest(input: RequestInput): Violation[]
  /**
   * [] when `body` matches the response declared for `status`; a violation when the status is undeclared.
   * Read-only: compiled without coercion or defaults, so checking never changes the body. With a
   * `contentType` that is not JSON (a vendor's plain-text refusal, a stream), only that the status declares
   * that media type is checked.
   */
  validateResponse(status: number, body: unknown, contentType?: string): Violation[]
}

export type OperationMatch = { operation: Operation; pathParams: Record<string, string> }

export type OperationTable = {
  operations: readonly Operation[]
  byId: ReadonlyMap<string, Operation>
  /** The operation for a method and path, or whether the path exists under another method (405). */
  match(method: string, path: string): OperationMatch | { operation: null; allowed: HttpMethod[] }
  /**
   * Compiles the validators not compiled yet, one operation per turn of the event loop, in the background
   * (validators are otherwise compiled on first use, so that start-up compiles nothing). Idempotent; resolves
   * when every validator is compiled.
   */
  warmUp(): Promise<void>
}

/** A value computed on first use. */
type Lazy<T> = () => T

function lazy<T>(make: () => T): Lazy<T> {
  let value: T | undefined
  let made = false
  return () => {
    if (!made) {
      value = make()
      made = true
    }
    return value as T
  }
}

const compiledTables = new Map<string, OperationTable>()

/**
 * The compiled operations of `specs/<name>.yaml`, compiled on first use and shared by the whole process
 * (the app, replay, recording checks): the specs don't change while it runs.
 */
export function operationTable(name: SpecName): OperationTable {
  let table = compiledTables.get(name)
  if (table === undefined) {
    table = compileOperations(name)
    compiledTables.set(name, table)
  }
  return table
}

/** Compiles every operation of `specs/<name>.yaml` (uncached: use `operationTable`). */
export function compileOperations(name: SpecName): OperationTable {
  const doc = loadSpec(name)
  const id = specId(name)
  const paramAjv = createAjv({ coerceTypes: 'array' })
  // Bodies are checked without filling defaults: the check never changes the body (so the pipeline needs no
  // copy of it), and a handler that needs a default takes it from the schema (createDefaultsFiller).
  const bodyAjv = createAjv({ coerceTypes: false, useDefaults: false })
  const responseAjv = createAjv({ coerceTypes: false, useDefaults: false })

  const operations: Operation[] = []
  /** Per operation: compile every validator it has now (warm-up). */
  const compileAll: (() => void)[] = []
  const routes: { regex: RegExp; names: string[]; byMethod: Map<HttpMethod, Operation> }[] = []

  for (const [path, pathItem] of Object.entries(doc.paths ?? {})) {
    const pathPointer = `/paths/${escapePointerToken(path)}`
    const names: string[] = []
    const regex = new RegExp(
      `^${path
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const param = /^\{([^}]+)\}$/.exec(part)
          if (param?.[1] === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          names.push(param[1])
          return '([^/]+)'
        })
        .join('')}/?$`,
    )
    const byMethod = new Map<HttpMethod, Operation>()
    for (const method of METHODS) {
      const raw = pathItem[method] as Record<string, unknown> | undefined
      if (raw === undefined) continue
      const opPointer = `${pathPointer}/${method}`
      const operationId = typeof raw['operationId'] === 'string' ? raw['operationId'] : `${method} ${path}`
      const parameters = [
        ...resolveParameters(doc, pathItem['parameters'], `${pathPointer}/parameters`),
        ...resolveParameters(doc, raw['parameters'], `${opPointer}/parameters`),
      ]
      const validatedBy = typeof raw['x-emulator-validated-by'] === 'string' ? raw['x-emulator-validated-by'] : null
      const paramValidators = new Map<RequestPart, Lazy<ValidateFunction>>()
      for (const part of validatedBy === null ? (['path', 'query', 'header'] as const) : (['header'] as const)) {
        const own = parameters.filter((p) => p.param.in === part)
        if (own.length === 0) continue
        const properties: Record<string, unknown> = {}
        const required: string[] = []
        for (const { param, pointer } of own) {
          const key = part === 'header' ? param.name.toLowerCase() : param.name
          properties[key] = param.schema === undefined ? {} : { $ref: `${id}#${pointer}/schema` }
          if (param.required === true || part === 'path') required.push(key)
        }
        paramValidators.set(
          part,
          lazy(() => paramAjv.compile({ type: 'object', properties, required })),
        )
      }

      const requestBody = deref<{ required?: boolean; content?: Record<string, { schema?: unknown }> } | undefined>(doc, raw['requestBody'])
      const bodyPointer = requestBody === undefined ? null : (refPointer(raw['requestBody']) ?? `${opPointer}/requestBody`)
      const bodySchema = requestBody?.content?.['application/json']?.schema
      const bodyValidator =
        bodySchema === undefined || bodyPointer === null || validatedBy !== null
          ? null
          : lazy(() => bodyAjv.compile({ $ref: `${id}#${bodyPointer}/content/application~1json/schema` }))
      const bodyRequired = requestBody?.required === true && validatedBy === null

      const responseValidators = new Map<string, Lazy<ValidateFunction> | null>()
      const responseMediaTypes = new Map<string, string[]>()
      const responses = (raw['responses'] ?? {}) as Record<string, unknown>
      for (const [status, response] of Object.entries(responses)) {
        const resolved = deref<{ content?: Record<string, { schema?: unknown }> } | undefined>(doc, response)
        const responsePointer = refPointer(response) ?? `${opPointer}/responses/${escapePointerToken(status)}`
        const content = resolved?.content ?? {}
        const jsonType = Object.keys(content).find((t) => t.includes('json'))
        responseMediaTypes.set(
          status,
          Object.keys(content).map((t) => t.toLowerCase()),
        )
        responseValidators.set(
          status,
          jsonType === undefined || content[jsonType]?.schema === undefined
            ? null
            : lazy(() => responseAjv.compile({ $ref: `${id}#${responsePointer}/content/${escapePointerToken(jsonType)}/schema` })),
        )
      }

      const declaredStatus = (status: number): string | null =>
        responseValidators.has(String(status))
          ? String(status)
          : responseValidators.has(`${String(status)[0]}XX`)
            ? `${String(status)[0]}XX`
            : responseValidators.has('default')
              ? 'default'
              : null
      const operation: Operation = {
        spec: name,
        operationId,
        method,
        path,
        summary: typeof raw['summary'] === 'string' ? raw['summary'] : operationId,
        bodyRequired,
        validatedBy,
        validateRequest(input) {
          const violations: Violation[] = []
          for (const part of ['path', 'query', 'header'] as const) {
            const validate = paramValidators.get(part)?.()
            const data = part === 'path' ? input.path : part === 'query' ? input.query : input.headers
            if (validate !== undefined && !validate(data)) {
              for (const v of toViolations(part, validate.errors, data, MAX_VIOLATIONS - violations.length)) violations.push(v)
            }
          }
          if (input.body === undefined) {
            if (bodyRequired) {
              violations.push({
                location: ['body'],
                keyword: 'required',
                message: 'request body is required',
                params: {},
                schemaPath: '#/requestBody/required',
              })
            }
          } else if (bodyValidator !== null) {
            const validate = bodyValidator()
            if (!validate(input.body)) {
              for (const v of toViolations('body', validate.errors, input.body, MAX_VIOLATIONS - violations.length)) violations.push(v)
            }
          }
          return violations
        },
        statuses: [...responseValidators.keys()],
        declaredStatus,
        validateResponse(status, body, contentType) {
          const key = declaredStatus(status)
          if (key === null) {
            return [
              {
                location: ['response', 'status'],
                keyword: 'status',
                message: `status ${status} is not declared for ${operationId}`,
                params: { status, declared: [...responseValidators.keys()] },
                schemaPath: `#${opPointer}/responses`,
              },
            ]
          }
          const media = contentType?.split(';')[0]!.trim().toLowerCase()
          if (media !== undefined && media !== '' && !media.includes('json')) {
            const declared = responseMediaTypes.get(key) ?? []
            if (declared.length === 0 || declared.includes(media)) return []
            return [
              {
                location: ['response', 'content-type'],
                keyword: 'contentType',
                message: `content type ${media} is not declared for ${operationId} ${key}`,
                params: { contentType: media, declared },
                schemaPath: `#${opPointer}/responses/${escapePointerToken(key)}/content`,
              },
            ]
          }
          const validate = responseValidators.get(key)?.()
          if (validate === undefined) return []
          return validate(body) ? [] : toViolations('response', validate.errors, body)
        },
      }
      byMethod.set(method, operation)
      operations.push(operation)
      compileAll.push(() => {
        for (const validate of paramValidators.values()) validate()
        bodyValidator?.()
        for (const validate of responseValidators.values()) validate?.()
      })
    }
    routes.push({ regex, names, byMethod })
  }

  // Literal paths win over templated ones (`/feedbacks/scores` before `/feedbacks/{x}`).
  routes.sort((a, b) => a.names.length - b.names.length)

  let warming: Promise<void> | undefined
  return {
    operations,
    byId: new Map(operations.map((o) => [o.operationId, o])),
    warmUp() {
      warming ??= new Promise<void>((resolve) => {
        const next = (i: number): void => {
          if (i >= compileAll.length) return resolve()
          // A timer, not setImmediate: it can be unref'd, so warming up never keeps a process alive.
          setTimeout(() => {
            compileAll[i]!()
            next(i + 1)
          }, 0).unref()
        }
        next(0)
      })
      return warming
    },
    match(method, path) {
      const allowed = new Set<HttpMethod>()
      for (const route of routes) {
        const m = route.regex.exec(path)
        if (m === null) continue
        const lower = method.toLowerCase() as HttpMethod
        // HEAD is GET without a body (Node drops the body), as Express and Starlette answer it.
        const operation = route.byMethod.get(lower) ?? (lower === 'head' ? route.byMethod.get('get') : undefined)
        if (operation !== undefined) {
          const pathParams: Record<string, string> = {}
          route.names.forEach((n, i) => {
            pathParams[n] = safeDecode(m[i + 1] ?? '')
          })
          return { operation, pathParams }
        }
        for (const m2 of route.byMethod.keys()) allowed.add(m2)
      }
      return { operation: null, allowed: [...allowed] }
    },
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function resolveParameters(doc: OpenApiDocument, list: unknown, listPointer: string): { param: ParameterObject; pointer: string }[] {
  if (!Array.isArray(list)) return []
  return list.map((item, index) => {
    const pointer = refPointer(item) ?? `${listPointer}/${index}`
    return { param: deref<ParameterObject>(doc, item), pointer }
  })
}
