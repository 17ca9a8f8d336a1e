import type { ValidateFunction } from 'ajv'
import { createAjv } from './create-ajv.ts'
import { escapePointerToken } from './json-pointer.ts'
import { loadSpec, specId, type OpenApiDocument, type SpecName } from './load-specs.ts'
import { deref, refPointer } from './refs.ts'
import { toViolations, type RequestPart, type Violation } from './violations.ts'

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
  /** Validates (and coerces, and fills defaults in) the request parts in place; [] when valid. */
  validateRequest(input: RequestInput): Violation[]
  /**
   * [] when `body` matches the response declared for `status`; a violation when the status is undeclared.
   * Read-only: compiled without coercion or defaults, so checking never changes the body.
   */
  validateResponse(status: number, body: unknown): Violation[]
}

export type OperationMatch = { operation: Operation; pathParams: Record<string, string> }

export type OperationTable = {
  operations: readonly Operation[]
  byId: ReadonlyMap<string, Operation>
  /** The operation for a method and path, or whether the path exists under another method (405). */
  match(method: string, path: string): OperationMatch | { operation: null; allowed: HttpMethod[] }
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
  const bodyAjv = createAjv({ coerceTypes: false })
  const responseAjv = createAjv({ coerceTypes: false, useDefaults: false })

  const operations: Operation[] = []
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
      const paramValidators = new Map<RequestPart, ValidateFunction>()
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
        paramValidators.set(part, paramAjv.compile({ type: 'object', properties, required }))
      }

      const requestBody = deref<{ required?: boolean; content?: Record<string, { schema?: unknown }> } | undefined>(doc, raw['requestBody'])
      const bodyPointer = requestBody === undefined ? null : (refPointer(raw['requestBody']) ?? `${opPointer}/requestBody`)
      const bodySchema = requestBody?.content?.['application/json']?.schema
      const bodyValidator =
        bodySchema === undefined || bodyPointer === null || validatedBy !== null
          ? null
          : bodyAjv.compile({ $ref: `${id}#${bodyPointer}/content/application~1json/schema` })
      const bodyRequired = requestBody?.required === true && validatedBy === null

      // Compiled on first use: a big response schema (the shared LLM bodies) costs startup time only once answered.
      const responseValidators = new Map<string, (() => ValidateFunction) | null>()
      const responses = (raw['responses'] ?? {}) as Record<string, unknown>
      for (const [status, response] of Object.entries(responses)) {
        const resolved = deref<{ content?: Record<string, { schema?: unknown }> } | undefined>(doc, response)
        const responsePointer = refPointer(response) ?? `${opPointer}/responses/${escapePointerToken(status)}`
        const content = resolved?.content ?? {}
        const jsonType = Object.keys(content).find((t) => t.includes('json'))
        let compiled: ValidateFunction | undefined
        responseValidators.set(
          status,
          jsonType === undefined || content[jsonType]?.schema === undefined
            ? null
            : () => (compiled ??= responseAjv.compile({ $ref: `${id}#${responsePointer}/content/${escapePointerToken(jsonType)}/schema` })),
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
            const validate = paramValidators.get(part)
            const data = part === 'path' ? input.path : part === 'query' ? input.query : input.headers
            if (validate !== undefined && !validate(data)) violations.push(...toViolations(part, validate.errors, data))
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
            if (!bodyValidator(input.body)) violations.push(...toViolations('body', bodyValidator.errors, input.body))
          }
          return violations
        },
        statuses: [...responseValidators.keys()],
        declaredStatus,
        validateResponse(status, body) {
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
          const compile = responseValidators.get(key)
          if (compile === undefined || compile === null) return []
          const validate = compile()
          return validate(body) ? [] : toViolations('response', validate.errors, body)
        },
      }
      byMethod.set(method, operation)
      operations.push(operation)
    }
    routes.push({ regex, names, byMethod })
  }

  // Literal paths win over templated ones (`/feedbacks/scores` before `/feedbacks/{x}`).
  routes.sort((a, b) => a.names.length - b.names.length)

  return {
    operations,
    byId: new Map(operations.map((o) => [o.operationId, o])),
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
