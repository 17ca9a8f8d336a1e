// FastAPI + pydantic v2 as Pulze runs it, for the operations of specs/pulze.yaml marked
// `x-emulator-validated-by: pydantic` (all of them): the one validator of their path, query and body.
import { loadSpec } from '../../openapi/load-specs.ts'
import type { FrameworkValidator } from '../vendor.ts'
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
      const parsed = compiled.validate(parts)
      if ('errors' in parsed) throw validationError(parsed.errors)
      return parsed.value
    }
  },
}
