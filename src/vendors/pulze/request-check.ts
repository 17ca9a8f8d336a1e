// The pydantic view of a request: FastAPI validates path, then query, then body, and reports every error
// at once. Used both to render the pipeline's (ajv) rejections in pydantic's words and, in the handlers,
// to catch what ajv accepts but pydantic does not (e.g. `?size=0x10`, `"date_from": "yesterday"`).
// What to check comes from the operation's parameters and request body in specs/pulze.yaml.
import { pulzeOperation, type ParsedRequest, type PydanticError, type RawRequest } from './pydantic.ts'

export type { RawRequest } from './pydantic.ts'

export type Checked = ({ ok: true } & ParsedRequest) | { ok: false; errors: PydanticError[] }

/** Validates a request of one of the Pulze operations as FastAPI + pydantic v2 would. */
export function checkRequest(operationId: string, raw: RawRequest): Checked {
  const parsed = pulzeOperation(operationId).validate(raw)
  return 'errors' in parsed ? { ok: false, errors: parsed.errors } : { ok: true, ...parsed.value }
}
