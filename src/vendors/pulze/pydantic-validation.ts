// FastAPI + pydantic v2 as Pulze runs it, for the operations of specs/pulze.yaml marked
// `x-emulator-validated-by: pydantic` (all of them): the one validator of their path, query, headers and body.
import { loadSpec } from '../../openapi/load-specs.ts'
import type { FrameworkValidator, RequestParts } from '../vendor.ts'
import { validationError } from './errors.ts'
import { compileOperationObject, type OperationObject } from './pydantic/operation-compiler.ts'

export const pydanticValidator: FrameworkValidator = {
  name: 'pydantic',
  compile(operation) {
    const doc = loadSpec(operation.spec)
    const pathItem = doc.paths[operation.path] ?? {}
    const compiled = compileOperationObject(
      doc,
      pathItem,
      pathItem[operation.method] as OperationObject,
      `${operation.method.toUpperCase()} ${operation.path}`,
    )
    return (parts) => {
      // The pipeline's parts carry the request's headers too (a copy, as ajv coerces them in place).
      const headers = (parts as RequestParts & { headers?: Record<string, unknown> }).headers
      const parsed = compiled.validate(headers === undefined ? parts : { ...parts, headers })
      if ('errors' in parsed) throw validationError(parsed.errors)
      // Declared headers as pydantic parsed them (a `Json[…]` header becomes its value), in place like ajv's coercion.
      if (headers !== undefined) Object.assign(headers, parsed.value.headers)
      return { path: parsed.value.path, query: parsed.value.query, body: parsed.value.body }
    }
  },
}
