// FastAPI's request validation of one operation: path parameters, then query parameters, then headers, then
// the body, each against its schema in the OpenAPI document, every error at once.
import { deref } from '../../../openapi/refs.ts'
import { parseJsonText, toPlainJson } from './json-value.ts'
import { compileNode, defaultOf, MAX_PYDANTIC_ERRORS, missing, type JsonSchema, type Node, type Result } from './schema-compiler.ts'
import type { PydanticError } from './scalars.ts'

/** A request as the router saw it. */
export type RawRequest = {
  /** Path parameters as strings (undefined: not known to be wrong). */
  path: Record<string, unknown>
  /** Query parameters as sent (strings, or arrays when repeated). */
  query: Record<string, unknown>
  /** Headers as Node reads them (lower-case names); only needed by operations that declare header parameters. */
  headers?: Record<string, unknown>
  body: unknown
}
/** The same request as pydantic parsed it: every declared parameter (defaults filled in) and the body model. */
export type ParsedRequest = {
  path: Record<string, unknown>
  query: Record<string, unknown>
  /** The declared header parameters by their lower-case names. */
  headers: Record<string, unknown>
  body: unknown
}

export type CompiledOperation = {
  /** FastAPI's order: path parameters, then query parameters, then the body; every error at once. */
  validate(raw: RawRequest): Result<ParsedRequest>
  validateBody(body: unknown): Result<unknown>
}

type Parameter = {
  name: string
  in: string
  required?: boolean
  schema?: JsonSchema
  /** `content: {application/json: {schema}}`: a JSON-encoded parameter, pydantic's `Json[…]`. */
  content?: Record<string, { schema?: JsonSchema }>
}
export type OperationObject = {
  operationId?: string
  parameters?: (Parameter | { $ref: string })[]
  requestBody?: { $ref?: string; required?: boolean; content?: Record<string, { schema?: JsonSchema }> }
}
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

export function compileOperationObject(
  doc: unknown,
  pathItem: { parameters?: OperationObject['parameters'] },
  op: OperationObject,
  at: string,
) {
  const byKey = new Map<string, Parameter>()
  for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const param = deref<Parameter>(doc, p)
    byKey.set(`${param.in}:${param.name}`, param)
  }
  const parameters = [...byKey.values()].map((param) => {
    if (param.in !== 'path' && param.in !== 'query' && param.in !== 'header') {
      throw new Error(`pydantic schema: ${param.in} parameters are not supported at ${at}`)
    }
    const where = `${at}/parameters/${param.name}`
    const jsonSchema = param.content?.['application/json']?.schema
    if (param.content !== undefined && jsonSchema === undefined)
      throw new Error(`pydantic schema: only application/json parameter content at ${where}`)
    return {
      // Node hands headers over with lower-case names; FastAPI's `loc` names a header by its alias, lower-case too.
      name: param.in === 'header' ? param.name.toLowerCase() : param.name,
      in: param.in as 'path' | 'query' | 'header',
      required: param.required === true || param.in === 'path',
      node: jsonSchema === undefined ? compileNode(param.schema ?? {}, doc, where, 0) : jsonEncoded(compileNode(jsonSchema, doc, where, 0)),
    }
  })
  // FastAPI validates path parameters, then query parameters, then headers, each in declaration order.
  const PART_ORDER = { path: 0, query: 1, header: 2 }
  parameters.sort((a, b) => PART_ORDER[a.in] - PART_ORDER[b.in])

  const requestBody = op.requestBody === undefined ? undefined : deref<NonNullable<OperationObject['requestBody']>>(doc, op.requestBody)
  const bodySchema = requestBody?.content?.['application/json']?.schema
  const body = bodySchema === undefined ? null : compileNode(bodySchema, doc, `${at}/requestBody`, 0)
  const bodyRequired = requestBody?.required === true

  const checkBody = (value: unknown, errors: PydanticError[]): unknown => {
    if (body === null) return undefined
    // FastAPI: no body, or a JSON `null`, is a missing body.
    if (value === undefined || value === null) {
      if (bodyRequired) errors.push(missing(['body'], null))
      return bodyRequired ? undefined : defaultOf(body)
    }
    return body.validate(value, ['body'], errors)
  }

  return {
    validate(raw: RawRequest): Result<ParsedRequest> {
      const errors: PydanticError[] = []
      const parsed: ParsedRequest = { path: {}, query: {}, headers: {}, body: undefined }
      for (const param of parameters) {
        const source = param.in === 'path' ? raw.path : param.in === 'query' ? raw.query : (raw.headers ?? {})
        let value = Object.hasOwn(source, param.name) ? source[param.name] : undefined
        const target = param.in === 'path' ? parsed.path : param.in === 'query' ? parsed.query : parsed.headers
        if (value === undefined) {
          // A path parameter is always there once the route matched; undefined means "not known to be wrong".
          if (param.in === 'path') continue
          if (param.required) errors.push(missing([param.in, param.name], null))
          else target[param.name] = defaultOf(param.node)
          continue
        }
        // Starlette hands a repeated query parameter's last value to a non-list parameter, and a query
        // string carries strings (a number here is ajv's coercion of what was sent).
        if (param.in === 'query' && Array.isArray(value) && !param.node.isList) value = value[value.length - 1]
        if (param.in === 'query' && typeof value === 'number') value = String(value)
        target[param.name] = param.node.validate(value, [param.in, param.name], errors)
      }
      parsed.body = checkBody(raw.body, errors)
      return errors.length > 0 ? { errors: errors.slice(0, MAX_PYDANTIC_ERRORS) } : { value: parsed }
    },
    validateBody(value: unknown): Result<unknown> {
      const errors: PydanticError[] = []
      const parsed = checkBody(value, errors)
      return errors.length > 0 ? { errors: errors.slice(0, MAX_PYDANTIC_ERRORS) } : { value: parsed }
    },
  } satisfies CompiledOperation
}

/**
 * pydantic's `Json[X]`: the text parsed (jiter's messages in a `json_invalid` error), then validated as X.
 * A header is a string; anything else is pydantic's `json_type`.
 */
function jsonEncoded(inner: Node): Node {
  return {
    isList: false,
    name: `json[${inner.name}]`,
    ...(inner.default === undefined ? {} : { default: inner.default }),
    validate: (value, loc, errors) => {
      if (typeof value !== 'string') {
        errors.push({ type: 'json_type', loc, msg: 'JSON input should be string, bytes or bytearray', input: value })
        return undefined
      }
      const parsed = parseJsonText(value)
      if ('error' in parsed) {
        errors.push({ type: 'json_invalid', loc, msg: `Invalid JSON: ${parsed.error}`, input: value, ctx: { error: parsed.error } })
        return undefined
      }
      return inner.validate(toPlainJson(parsed.value), loc, errors)
    },
  }
}

/** Every operation of an OpenAPI document, by operationId, compiled once. */
export function compilePydanticOperations(doc: { paths: Record<string, Record<string, unknown>> }): Map<string, CompiledOperation> {
  const operations = new Map<string, CompiledOperation>()
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = pathItem[method] as OperationObject | undefined
      if (op?.operationId === undefined) continue
      operations.set(op.operationId, compileOperationObject(doc, pathItem, op, `${method.toUpperCase()} ${path}`))
    }
  }
  return operations
}
